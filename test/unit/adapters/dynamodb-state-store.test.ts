import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { KEY, REJECTED_SCOPE, RETENTION, UNKNOWN_SCOPE } from '../../../lambda/contract';
import { DynamoDbStateStore } from '../../../lambda/adapters/dynamodb-state-store';
import { emptyTargetState, MINUTE, type Decision, type TargetState } from '../../../lambda/domain';
import { StateStoreUnavailableError } from '../../../lambda/use-cases/errors';
import type { AuditEntry } from '../../../lambda/use-cases/ports';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

const T0 = Date.parse('2026-03-01T10:00:00Z');
const WALL_CLOCK = Date.parse('2026-03-02T00:00:00Z');

/** Every optional field set, nested maps and arrays, so the round trip covers the whole TargetState shape. */
function fullState(targetId = 'checkout'): TargetState {
  return {
    targetId,
    revision: 0,
    seeded: true,
    ledger: [
      { version: 'checkout:42', status: 'in-progress', startedAt: T0, deploymentId: 'ecs-svc/2' },
      {
        version: 'checkout:41',
        status: 'completed',
        startedAt: T0 - 60 * MINUTE,
        completedAt: T0 - 58 * MINUTE,
        proven: true,
        deploymentId: 'ecs-svc/1',
      },
      {
        version: 'checkout:40',
        status: 'failed',
        startedAt: T0 - 120 * MINUTE,
        taintedAt: T0 - 110 * MINUTE,
        taintReason: '',
      },
    ],
    alarms: {
      'checkout-5xx': { value: 'ALARM', timestamp: T0 + MINUTE, since: T0 + MINUTE },
      'checkout p99 latency/«eu»': { value: 'OK', timestamp: T0 - MINUTE, since: T0 - 30 * MINUTE },
    },
    handled: [
      {
        key: 'arn:aws:cloudwatch:us-east-1:1:alarm:checkout-5xx|ALARM|x',
        at: T0 + MINUTE,
        decisionId: 'd-1',
      },
    ],
    rollback: {
      decisionId: 'd-1',
      trigger: 'checkout-5xx',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
      action: 'stop',
      claimedAt: T0 + MINUTE,
      leaseUntil: T0 + 31 * MINUTE,
    },
    rollbackTimes: [T0 - 50 * MINUTE, T0 + MINUTE],
    lastRollbackAt: T0 + MINUTE,
    paused: { at: T0, by: 'arn:aws:iam::123456789012:user/alice', reason: 'investigating' },
  };
}

function decision(overrides: Partial<Decision> = {}): Decision {
  return {
    id: 'decision-1',
    at: T0,
    target: 'checkout',
    trigger: 'checkout-5xx',
    outcome: 'rollback',
    reason: 'alarm',
    from: 'checkout:42',
    to: 'checkout:41',
    action: { kind: 'stop', deploymentRef: 'arn:aws:ecs:us-east-1:1:service-deployment/prod/checkout/abc' },
    detail: 'checkout-5xx went into ALARM 1 minute into the deployment of checkout:42.',
    escalate: false,
    notify: 'rollback-started',
    ...overrides,
  };
}

const decisionEntry = (overrides: Partial<Decision> = {}): AuditEntry => ({
  type: 'decision',
  at: overrides.at ?? T0,
  decision: decision(overrides),
  requestId: 'req-1',
});

const rejectedEntry = (at: number, eventId?: string): AuditEntry => ({
  type: 'rejected',
  at,
  reason: 'malformed',
  problems: ['detail.state: Required'],
  requestId: 'req-2',
  ...(eventId === undefined ? {} : { eventId }),
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
  excerpt: '{"detail":{}}',
});

describe('DynamoDbStateStore against dynalite', () => {
  let dynalite: TestDynalite;
  let tableName: string;
  let store: DynamoDbStateStore;

  beforeAll(async () => {
    dynalite = await startDynalite();
  });

  afterAll(async () => {
    await dynalite.stop();
  });

  beforeEach(async () => {
    tableName = await dynalite.createTable();
    store = new DynamoDbStateStore({ client: dynalite.client, tableName, now: () => WALL_CLOCK });
  });

  const putPause = (attributes: Record<string, string | number>) =>
    DynamoDBDocumentClient.from(dynalite.client).send(
      new PutCommand({ TableName: tableName, Item: { ...KEY.globalPause(), ...attributes } }),
    );

  const rawItem = async (key: { pk: string; sk: string }) =>
    (
      await dynalite.client.send(
        new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
      )
    ).Item;

  describe('saveTarget / loadTargets', () => {
    it('returns exactly the saved state, with the new revision', async () => {
      const state = fullState();

      const saved = await store.saveTarget(state, 0);
      const { targets } = await store.loadTargets(['checkout']);

      expect(saved).toStrictEqual({ ...state, revision: 1 });
      expect(targets.get('checkout')).toStrictEqual({ ...state, revision: 1 });
    });

    it('round-trips empty maps and arrays', async () => {
      const state = emptyTargetState('fresh');

      await store.saveTarget(state, 0);
      const { targets } = await store.loadTargets(['fresh']);

      expect(targets.get('fresh')).toStrictEqual({ ...state, revision: 1 });
    });

    it('keeps targetId and revision out of the state map and stamps updatedAt', async () => {
      await store.saveTarget(fullState(), 0);

      const item = await rawItem(KEY.target('checkout'));

      expect(item?.revision).toEqual({ N: '1' });
      expect(item?.targetId).toEqual({ S: 'checkout' });
      expect(item?.updatedAt).toEqual({ S: new Date(WALL_CLOCK).toISOString() });
      expect(item?.state.M).not.toHaveProperty('revision');
      expect(item?.state.M).not.toHaveProperty('targetId');
    });

    it('creates with expected revision 0 and reports a second revision-0 save as a conflict', async () => {
      const first = { ...emptyTargetState('checkout'), seeded: true };
      const second = { ...emptyTargetState('checkout'), rollbackTimes: [T0] };

      const created = await store.saveTarget(first, 0);
      const raced = await store.saveTarget(second, 0);
      const { targets } = await store.loadTargets(['checkout']);

      expect(created).toStrictEqual({ ...first, revision: 1 });
      expect(raced).toBe('conflict');
      expect(targets.get('checkout')).toStrictEqual({ ...first, revision: 1 });
    });

    it('reports a write from a stale revision as a conflict and keeps the newer state', async () => {
      const base = emptyTargetState('checkout');
      await store.saveTarget(base, 0);
      const newer = { ...base, revision: 1, lastRollbackAt: T0 };
      await store.saveTarget(newer, 1);

      const stale = await store.saveTarget({ ...base, revision: 1, seeded: true }, 1);
      const { targets } = await store.loadTargets(['checkout']);

      expect(stale).toBe('conflict');
      expect(targets.get('checkout')).toStrictEqual({ ...newer, revision: 2 });
    });

    it('treats a revision-0 save as a conflict when the item exists, whatever its revision', async () => {
      await store.saveTarget(emptyTargetState('checkout'), 0);
      await store.saveTarget({ ...emptyTargetState('checkout'), revision: 1 }, 1);

      await expect(store.saveTarget(emptyTargetState('checkout'), 0)).resolves.toBe('conflict');
    });

    it.each([
      ['creating the item', 0],
      ['updating revision 3', 3],
    ])('lets exactly one of 100 concurrent claims win when %s', async (_case, expectedRevision) => {
      for (let revision = 0; revision < expectedRevision; revision += 1) {
        await store.saveTarget({ ...emptyTargetState('checkout'), revision }, revision);
      }
      const contenders = Array.from({ length: 100 }, (_, i) => ({
        ...emptyTargetState('checkout'),
        revision: expectedRevision,
        lastRollbackAt: T0 + i,
      }));

      const results = await Promise.all(contenders.map((state) => store.saveTarget(state, expectedRevision)));

      const winners = results.filter((result): result is TargetState => result !== 'conflict');
      expect(winners).toHaveLength(1);
      expect(results.filter((result) => result === 'conflict')).toHaveLength(99);
      expect(winners[0].revision).toBe(expectedRevision + 1);
      const { targets } = await store.loadTargets(['checkout']);
      expect(targets.get('checkout')).toStrictEqual(winners[0]);
    });

    it('refuses an expected revision that cannot match any item', async () => {
      await expect(store.saveTarget(emptyTargetState('checkout'), -1)).rejects.toThrow(RangeError);
      await expect(store.saveTarget(emptyTargetState('checkout'), 1.5)).rejects.toThrow(RangeError);
    });

    it('copies the lease to a top-level leaseUntil and removes it when the rollback ends', async () => {
      const leased = fullState();
      const saved = await store.saveTarget(leased, 0);
      const leasedItem = await rawItem(KEY.target('checkout'));
      const { targets } = await store.loadTargets(['checkout']);

      const { rollback: _released, ...released } = { ...leased, revision: 1 };
      await store.saveTarget(released, 1);
      const releasedItem = await rawItem(KEY.target('checkout'));

      expect(saved).not.toBe('conflict');
      expect(leasedItem?.leaseUntil).toEqual({ N: String(T0 + 31 * MINUTE) });
      expect(targets.get('checkout')?.rollback).toStrictEqual(leased.rollback);
      expect(releasedItem).not.toHaveProperty('leaseUntil');
      expect(releasedItem?.state.M).not.toHaveProperty('rollback');
    });

    it('loads several targets and the global pause in one call, leaving unseen targets out', async () => {
      await Promise.all(['a', 'b', 'c'].map((id) => store.saveTarget(fullState(id), 0)));
      const pause = { at: T0, by: 'arn:aws:iam::123456789012:role/oncall', reason: 'game day' };
      await putPause(pause);

      const loaded = await store.loadTargets(['a', 'b', 'never-seen', 'c', 'a']);

      expect([...loaded.targets.keys()].sort()).toEqual(['a', 'b', 'c']);
      expect(loaded.targets.get('b')).toStrictEqual({ ...fullState('b'), revision: 1 });
      expect(loaded.globalPause).toStrictEqual(pause);
    });

    it('reports no global pause and no targets on an empty table', async () => {
      const loaded = await store.loadTargets(['a']);

      expect(loaded.targets.size).toBe(0);
      expect(loaded.globalPause).toBeUndefined();
    });

    it('loads more targets than one BatchGetItem can carry', async () => {
      const ids = Array.from({ length: 120 }, (_, i) => `svc-${i}`);
      await Promise.all(ids.map((id) => store.saveTarget(emptyTargetState(id), 0)));

      const loaded = await store.loadTargets(ids);

      expect(loaded.targets.size).toBe(120);
      expect(loaded.targets.get('svc-119')).toStrictEqual({ ...emptyTargetState('svc-119'), revision: 1 });
    });

    it('fails closed on a pause item it cannot read', async () => {
      await putPause({ at: T0, by: 'alice' });

      await expect(store.loadTargets(['a'])).rejects.toThrow(StateStoreUnavailableError);
    });
  });

  describe('appendAudit / listAudit', () => {
    it('writes a retried entry once', async () => {
      const entry = decisionEntry();

      await store.appendAudit(entry);
      await store.appendAudit(entry);
      await store.appendAudit(rejectedEntry(T0, 'evt-1'));
      await store.appendAudit(rejectedEntry(T0, 'evt-1'));

      expect(await store.listAudit('checkout')).toStrictEqual([entry]);
      expect(await store.listAudit(REJECTED_SCOPE)).toStrictEqual([rejectedEntry(T0, 'evt-1')]);
    });

    it('keeps distinct entries of the same millisecond apart', async () => {
      await store.appendAudit(rejectedEntry(T0, 'evt-1'));
      await store.appendAudit(rejectedEntry(T0, 'evt-2'));
      await store.appendAudit(rejectedEntry(T0));

      expect(await store.listAudit(REJECTED_SCOPE)).toHaveLength(3);
    });

    it('files each entry type under its scope, with type and a TTL of the retention period', async () => {
      const result: AuditEntry = {
        type: 'rollback-result',
        at: T0 + 5 * MINUTE,
        target: 'checkout',
        result: 'rollback-succeeded',
        decisionId: 'decision-1',
        from: 'checkout:42',
        to: 'checkout:41',
        detail: 'checkout-5xx returned to OK.',
      };
      const unknown = decisionEntry({
        id: 'decision-2',
        target: '',
        outcome: 'skip',
        reason: 'unknown-alarm',
      });

      await Promise.all([store.appendAudit(result), store.appendAudit(unknown), store.appendAudit(result)]);

      expect(await store.listAudit('checkout')).toStrictEqual([result]);
      expect(await store.listAudit(UNKNOWN_SCOPE)).toStrictEqual([unknown]);
      const item = await rawItem(KEY.audit(UNKNOWN_SCOPE, new Date(T0).toISOString(), 'decision-2'));
      expect(item?.type).toEqual({ S: 'decision' });
      expect(item?.expiresAt).toEqual({ N: String(WALL_CLOCK / 1000 + RETENTION.auditDays * 86_400) });
    });

    it('writes the TTL from the configured audit retention, a number or asked of the config on each append', async () => {
      const fixed = new DynamoDbStateStore({
        client: dynalite.client,
        tableName,
        now: () => WALL_CLOCK,
        auditRetentionDays: 400,
      });
      let configured = 2555;
      const fromConfig = new DynamoDbStateStore({
        client: dynalite.client,
        tableName,
        now: () => WALL_CLOCK,
        auditRetentionDays: () => Promise.resolve(configured),
      });

      await fixed.appendAudit(decisionEntry({ id: 'kept-400', at: T0 }));
      await fromConfig.appendAudit(decisionEntry({ id: 'kept-2555', at: T0 }));
      configured = 1;
      await fromConfig.appendAudit(decisionEntry({ id: 'kept-1', at: T0 }));

      const expiresAt = async (id: string) =>
        (await rawItem(KEY.audit('checkout', new Date(T0).toISOString(), id)))?.expiresAt;
      expect(await expiresAt('kept-400')).toEqual({ N: String(WALL_CLOCK / 1000 + 400 * 86_400) });
      expect(await expiresAt('kept-2555')).toEqual({ N: String(WALL_CLOCK / 1000 + 2555 * 86_400) });
      expect(await expiresAt('kept-1')).toEqual({ N: String(WALL_CLOCK / 1000 + 86_400) });
    });

    it('writes nothing when the retention cannot be known or is not a whole number of days from 1 to 3650', async () => {
      const unavailable = new DynamoDbStateStore({
        client: dynalite.client,
        tableName,
        auditRetentionDays: () => Promise.reject(new Error('config item unreadable')),
      });
      await expect(unavailable.appendAudit(decisionEntry({ id: 'no-config' }))).rejects.toThrow(
        'config item unreadable',
      );
      for (const days of [0, 1.5, 3651, Number.NaN]) {
        const wrong = new DynamoDbStateStore({
          client: dynalite.client,
          tableName,
          auditRetentionDays: days,
        });
        await expect(wrong.appendAudit(decisionEntry({ id: `days-${days}` }))).rejects.toThrow(
          /must be a whole number of days from 1 to 3650/,
        );
      }
      expect(await store.listAudit('checkout')).toEqual([]);
    });

    it('lists oldest first, from sinceMs inclusive, up to limit', async () => {
      const times = [T0 + 3 * MINUTE, T0, T0 + 2 * MINUTE, T0 + MINUTE, T0 + 4 * MINUTE];
      for (const [i, at] of times.entries()) await store.appendAudit(decisionEntry({ id: `d-${i}`, at }));
      await store.appendAudit(decisionEntry({ id: 'other', at: T0, target: 'payments' }));

      const all = await store.listAudit('checkout');
      const since = await store.listAudit('checkout', { sinceMs: T0 + 2 * MINUTE });
      const limited = await store.listAudit('checkout', { sinceMs: T0 + MINUTE, limit: 2 });

      const ats = (entries: AuditEntry[]) => entries.map((entry) => entry.at);
      expect(ats(all)).toEqual([T0, T0 + MINUTE, T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0 + 4 * MINUTE]);
      expect(ats(since)).toEqual([T0 + 2 * MINUTE, T0 + 3 * MINUTE, T0 + 4 * MINUTE]);
      expect(ats(limited)).toEqual([T0 + MINUTE, T0 + 2 * MINUTE]);
      expect(await store.listAudit('checkout', { limit: 0 })).toEqual([]);
    });
  });
});

describe('DynamoDbStateStore failure classification', () => {
  const store = new DynamoDbStateStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: 'table',
  });
  const metadata = { $metadata: {} };
  // mockClient stubs the class prototype: created here, not at collection time, so the dynalite tests run unmocked.
  let ddb: AwsClientStub<DynamoDBDocumentClient>;

  beforeAll(() => {
    ddb = mockClient(DynamoDBDocumentClient);
  });
  afterEach(() => ddb.reset());
  afterAll(() => ddb.restore());

  it('reports ConditionalCheckFailedException on a save as a conflict when someone else wrote the item', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', ...metadata }));
    ddb.on(GetCommand).resolves({ Item: { revision: 5, writer: 'someone-else' } });

    await expect(store.saveTarget(emptyTargetState('checkout'), 4)).resolves.toBe('conflict');
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      ConditionExpression: '#revision = :expected',
      ExpressionAttributeValues: { ':expected': 4 },
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { ConsistentRead: true });
  });

  it('recognises its own write when the refusal answers a retry of a write that did apply (lost response)', async () => {
    let written: Record<string, unknown> | undefined;
    ddb.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
      written = input.Item;
      throw new ConditionalCheckFailedException({ message: 'failed', ...metadata });
    });
    ddb.on(GetCommand).callsFake(() => ({ Item: { revision: written?.revision, writer: written?.writer } }));

    const saved = await store.saveTarget(emptyTargetState('checkout'), 4);
    expect(saved).toMatchObject({ targetId: 'checkout', revision: 5 });
    expect(typeof written?.writer).toBe('string');
  });

  it('refuses an item over its size limit before writing, naming the item', async () => {
    const huge = {
      ...emptyTargetState('checkout'),
      ledger: [{ version: 'x'.repeat(400_000), status: 'completed' as const }],
    };
    await expect(store.saveTarget(huge, 0)).rejects.toThrow(
      /target checkout would be \d+ bytes, over the watchdog's limit/,
    );
    expect(ddb).not.toHaveReceivedCommand(PutCommand);
  });

  it.each([
    ['throttling', new ProvisionedThroughputExceededException({ message: 'slow down', ...metadata })],
    ['a 500', new InternalServerError({ message: 'internal', $metadata: { httpStatusCode: 500 } })],
    ['a network error', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('fails closed on %s during a save, keeping the cause', async (_case, cause) => {
    ddb.on(PutCommand).rejects(cause);

    const error: unknown = await store.saveTarget(emptyTargetState('checkout'), 0).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(StateStoreUnavailableError);
    expect((error as Error).cause).toBe(cause);
    expect((error as Error).message).toContain('save target checkout');
  });

  it('treats ConditionalCheckFailedException on an audit append as already written', async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', ...metadata }));

    await expect(store.appendAudit(decisionEntry())).resolves.toBeUndefined();
  });

  it('fails closed when an audit append or a read fails', async () => {
    const cause = new InternalServerError({ message: 'internal', ...metadata });
    ddb.on(PutCommand).rejects(cause).on(BatchGetCommand).rejects(cause).on(QueryCommand).rejects(cause);

    await expect(store.appendAudit(decisionEntry())).rejects.toThrow(StateStoreUnavailableError);
    await expect(store.loadTargets(['checkout'])).rejects.toThrow(StateStoreUnavailableError);
    await expect(store.listAudit('checkout')).rejects.toThrow(StateStoreUnavailableError);
  });

  it('retries unprocessed keys until every item is read', async () => {
    const key = KEY.target('checkout');
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { table: [] }, UnprocessedKeys: { table: { Keys: [key] } } })
      .resolvesOnce({
        Responses: { table: [{ ...key, targetId: 'checkout', revision: 2, state: { seeded: false } }] },
      });

    const loaded = await store.loadTargets(['checkout']);

    expect(loaded.targets.get('checkout')).toEqual({
      targetId: 'checkout',
      revision: 2,
      seeded: false,
      alarms: {},
    });
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 2);
    expect(ddb.commandCalls(BatchGetCommand)[1].args[0].input.RequestItems?.table.Keys).toEqual([key]);
  });

  it('gives up after a bounded number of attempts when keys stay unprocessed', async () => {
    ddb.on(BatchGetCommand).resolves({ UnprocessedKeys: { table: { Keys: [KEY.target('checkout')] } } });

    await expect(store.loadTargets(['checkout'])).rejects.toThrow(
      /unprocessed .* after 5 BatchGetItem attempts/,
    );
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 5);
  });

  it('sends 99 targets plus the pause key per BatchGetItem', async () => {
    ddb.on(BatchGetCommand).resolves({ Responses: { table: [] } });
    const ids = Array.from({ length: 200 }, (_, i) => `svc-${i}`);

    await store.loadTargets(ids);

    const sizes = ddb
      .commandCalls(BatchGetCommand)
      .map((call) => call.args[0].input.RequestItems?.table.Keys?.length);
    expect(sizes).toEqual([100, 99, 2]);
  });

  it('follows LastEvaluatedKey until the limit is reached', async () => {
    const page = (ids: string[]) => ids.map((id) => ({ entry: decisionEntry({ id }) }));
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: page(['a', 'b']), LastEvaluatedKey: { pk: 'AUDIT#checkout', sk: 'b' } })
      .resolvesOnce({ Items: page(['c']), LastEvaluatedKey: { pk: 'AUDIT#checkout', sk: 'c' } })
      .resolvesOnce({ Items: page(['d']), LastEvaluatedKey: { pk: 'AUDIT#checkout', sk: 'd' } });

    const entries = await store.listAudit('checkout', { limit: 4 });

    expect(entries.map((entry) => (entry.type === 'decision' ? entry.decision.id : ''))).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    const inputs = ddb.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(inputs.map((input) => [input.Limit, input.ExclusiveStartKey?.sk])).toEqual([
      [4, undefined],
      [2, 'b'],
      [1, 'c'],
    ]);
  });
});
