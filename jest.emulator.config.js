/**
 * `npm run test:emulator`: the watchdog against moto_server, a third-party AWS API emulator (test/emulator).
 * One server for the run (global setup/teardown); files use names of their own, so they can run in parallel.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/emulator'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  globalSetup: '<rootDir>/test/emulator/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/emulator/support/global-teardown.ts',
  testTimeout: 120000,
  maxWorkers: 2,
};
