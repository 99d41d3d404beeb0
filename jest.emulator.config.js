/**
 * `npm run test:emulator`: the watchdog against moto_server, a third-party AWS API emulator (test/emulator).
 * One server for the run (global setup/teardown), and one file at a time: moto's backends are not safe
 * against concurrent requests that change and read the same collection (a PutRule during a PutEvents of
 * another file failed with "OrderedDict mutated during iteration", an HTTP 500 the SDK retried into
 * duplicate deliveries). Files still use names of their own, so none depends on another's leftovers.
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
  maxWorkers: 1,
};
