/** Type checking runs once in `npm run build`; Jest only transpiles, which keeps the suite fast on 2 cores. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The moto suite (jest.emulator.config.js) needs a running moto_server, the browser suite
  // (jest.browser.config.js) a Chromium: each has its own config and npm script.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/emulator/', '<rootDir>/test/browser/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 60000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
