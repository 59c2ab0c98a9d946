/**
 * Two projects: the library's own tests (fast, `npm run test:lib`, under 2 minutes on 2 cores) and the
 * example's and the training accelerator's (CIFAR-10 runs, kernels, the browser demo: `npm run
 * test:example`). `npm test` runs both.
 * @type {import('jest').Config}
 */
const common = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }],
  },
  // Sources import siblings as './x.js' (required by the ESM build); map them back to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testTimeout: 60000,
};

/** The example's tests in test/ (they train on CIFAR-10 files or drive a browser). */
const EXAMPLE_TESTS = ['cifar-.*', 'browser.*', 'bench-.*'];

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'library',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...EXAMPLE_TESTS.map((p) => `/test/${p}\\.test\\.ts$`)],
    },
    {
      ...common,
      displayName: 'example',
      roots: ['<rootDir>/test', '<rootDir>/packages'],
      testMatch: [...EXAMPLE_TESTS.map((p) => `**/test/${p.replace('.*', '*')}.test.ts`), '**/packages/*/test/**/*.test.ts'],
    },
  ],
};
