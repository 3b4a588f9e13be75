import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers.js';

/** Lints one snippet as if it were the given file of the repository. */
async function importErrors(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: REPO_ROOT });
  const [result] = await eslint.lintText(code, { filePath: `${REPO_ROOT}/${filePath}` });
  return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer direction (enforced by the linter)', () => {
  it('fails an import against the direction core <- generator <- validators <- cli', async () => {
    const cases: [string, string][] = [
      ['core/x.ts', "import { RULES } from '../validators/rules/index.js';"],
      ['generator/x.ts', "import { RULES } from '../validators/rules/index.js';"],
      ['generator/values/x.ts', "import { main } from '../../cli/main.js';"],
      ['validators/x.ts', "import { main } from '../cli/main.js';"],
      ['generator/render/x.ts', "import { serializeDocument } from '../release/serialize.js';"],
      ['generator/release/x.ts', "import { renderChart } from '../render/render.js';"],
      ['plan/x.ts', "import { main } from '../cli/main.js';"],
    ];
    for (const [file, code] of cases) {
      const errors = await importErrors(file, `${code}\nexport const x = 1;\n`);
      expect(errors, `${file}: ${code}`).toHaveLength(1);
      expect(errors[0]).toMatch(/layers import one way|does not import/);
    }
  });

  it('accepts imports that follow it', async () => {
    const cases: [string, string][] = [
      ['generator/x.ts', "import { InputError } from '../core/errors.js';"],
      ['validators/x.ts', "import { renderEnvironment } from '../generator/pipeline.js';"],
      ['cli/x.ts', "import { RULES } from '../validators/rules/index.js';"],
      ['generator/render/x.ts', "import { emitYaml } from '../../core/emit.js';"],
    ];
    for (const [file, code] of cases) {
      expect(await importErrors(file, `${code}\nexport const x = 1;\n`), file).toEqual([]);
    }
  });
});
