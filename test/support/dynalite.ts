import { startEmbeddedDynalite, type EmbeddedDynalite } from '../../lambda/adapters/embedded-dynalite';

export type TestDynalite = EmbeddedDynalite;

/**
 * An in-process dynalite with the contract table, for tests that need real DynamoDB semantics (conditional
 * writes, pagination). Start one per test file in `beforeAll` and `stop()` it in `afterAll`; use
 * `createTable()` when a test needs a table of its own.
 */
export function startDynalite(): Promise<TestDynalite> {
  return startEmbeddedDynalite();
}
