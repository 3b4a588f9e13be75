import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'generator/**/*.test.ts', 'validators/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
