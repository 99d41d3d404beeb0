import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbOnceGuard } from '../../../lambda/adapters/dynamodb-once-guard';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

/** The Slack endpoint's replay guard on a real DynamoDB (dynalite): conditional puts, and a lost response. */
let db: TestDynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

describe('RELIABILITY #29: DynamoDbOnceGuard', () => {
  it('lets exactly one of many concurrent claims of a key win', async () => {
    const guard = new DynamoDbOnceGuard({ client: db.client, tableName: db.tableName });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => guard.claimOnce('race', Date.now() + 60_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await guard.claimOnce('other', Date.now() + 60_000)).toBe(true);
  });

  it('still wins when the answer to its put was lost and the retry is refused', async () => {
    const client = new DynamoDBClient({
      endpoint: db.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 3,
    });
    let lost = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'PutItemCommand' && !lost) {
          lost = true; // the write applied; the caller never hears of it, and the SDK retries
          throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $metadata: {} });
        }
        return out;
      },
      { step: 'deserialize', name: 'loseFirstPutResponse' },
    );
    const guard = new DynamoDbOnceGuard({ client, tableName: db.tableName });
    expect(await guard.claimOnce('lost', Date.now() + 60_000)).toBe(true);
    expect(lost).toBe(true);
    expect(await guard.claimOnce('lost', Date.now() + 60_000)).toBe(false);
  });
});
