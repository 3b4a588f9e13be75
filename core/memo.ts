/**
 * A function's answers kept by argument, for pure functions a run calls with the same few values
 * thousands of times. The store is emptied when it reaches `max` entries, so hostile input with
 * endless distinct values costs no more memory than that.
 */
export function boundedMemo<K, V>(fn: (key: K) => V, max: number): (key: K) => V {
  const answers = new Map<K, V>();
  return (key) => {
    if (answers.has(key)) return answers.get(key) as V;
    const value = fn(key);
    if (answers.size >= max) answers.clear();
    answers.set(key, value);
    return value;
  };
}
