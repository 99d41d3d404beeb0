import { DynamoDbStateStore } from '../../../lambda/adapters/dynamodb-state-store';
import { startDynalite, type TestDynalite } from '../../support/dynalite';
import { InMemoryStateStore } from '../../support/fakes';
import { describeStateStorePort } from '../../support/state-store-port-contract';

/** The same port contract on the unit tests' fake and on the real store over dynalite. */
let db: TestDynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

describeStateStorePort('InMemoryStateStore (the unit-test fake)', () =>
  Promise.resolve(new InMemoryStateStore()),
);
describeStateStorePort('DynamoDbStateStore on dynalite', async () => {
  const tableName = await db.createTable();
  return new DynamoDbStateStore({ client: db.client, tableName });
});
