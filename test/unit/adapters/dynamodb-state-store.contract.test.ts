import { describeStateStoreContract } from '../../support/state-store-contract';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

/** The state-store contract on dynalite; test/emulator/dynamodb.test.ts runs the same tests on moto. */
let db: TestDynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

describeStateStoreContract({
  name: 'dynalite',
  client: () => db.client,
  createTable: () => db.createTable(),
  hasTimeToLive: false,
});
