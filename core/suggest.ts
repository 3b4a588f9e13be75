/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, prev2[j - 2] + 1);
      }
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n];
}

/**
 * The did-you-mean of every message: the candidate closest to `name` (compared case-insensitively),
 * if within a budget that grows with the name's length (1 edit up to 3 characters, 2 up to 7, then
 * a third of the length); ties go to the first in code-point order.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const k = name.toLowerCase();
  const budget = k.length <= 3 ? 1 : k.length <= 7 ? 2 : Math.max(3, Math.floor(k.length / 3));
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of [...candidates].sort()) {
    const d = editDistance(k, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return bestDist <= budget ? best : undefined;
}
