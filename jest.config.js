/** Type checking runs once in `npm run build`; Jest only transpiles, which keeps the suite fast on 2 cores. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The moto suite has its own config (jest.emulator.config.js) and needs a running moto_server.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/emulator/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  setupFilesAfterEnv: ['<rootDir>/test/support/jest-setup.ts'],
  testTimeout: 60000,
  maxWorkers: process.env.CI ? 2 : '50%',
};
