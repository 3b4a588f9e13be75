import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layers import one way: core <- generator <- validators <- (plan, publish, preview) <- cli /
 * actions. Each entry forbids a folder to import the layers above it.
 */
const LATER_STAGES = ['plan', 'publish', 'preview'];
const ENTRY_POINTS = ['cli', 'actions'];
const forbid = (folders, message) => ({
  group: folders.flatMap((f) => [`**/${f}/**`, `../${f}/**`, `./${f}/**`]),
  message,
});
const layers = [
  {
    files: ['core/**/*.ts'],
    above: ['generator', 'validators', ...LATER_STAGES, ...ENTRY_POINTS],
  },
  { files: ['generator/**/*.ts'], above: ['validators', ...LATER_STAGES, ...ENTRY_POINTS] },
  { files: ['validators/**/*.ts'], above: [...LATER_STAGES, ...ENTRY_POINTS] },
  { files: LATER_STAGES.map((s) => `${s}/**/*.ts`), above: ENTRY_POINTS },
];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'release/**', 'coverage/**', '.manifests-cache/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  ...layers.map(({ files, above }) => ({
    files,
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              above,
              `layers import one way: core <- generator <- validators <- stages <- cli`,
            ),
          ],
        },
      ],
    },
  })),
  {
    // Rendering and writing the release are independent steps of the generator.
    files: ['generator/render/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['validators', ...LATER_STAGES, ...ENTRY_POINTS, 'release'],
              'render/ does not import release/ (nor later layers)',
            ),
          ],
        },
      ],
    },
  },
  {
    files: ['generator/release/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            forbid(
              ['validators', ...LATER_STAGES, ...ENTRY_POINTS, 'render'],
              'release/ does not import render/ (nor later layers)',
            ),
          ],
        },
      ],
    },
  },
);
