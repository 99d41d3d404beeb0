/**
 * `npm run test:browser`: pages the CLI writes (test/browser), opened in a real headless Chromium through
 * puppeteer-core. Chromium is Debian's (`apt-get install chromium`, or WATCHDOG_CHROMIUM); a missing one fails
 * the suite. One file at a time: each starts its own Chromium, and two of them would share 2 cores.
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 60000,
  maxWorkers: 1,
};
