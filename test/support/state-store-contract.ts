import {
  DescribeTimeToLiveCommand,
  GetItemCommand,
  QueryCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { KEY, REJECTED_SCOPE, RETENTION, TABLE } from '../../lambda/contract';
import { DynamoDbStateStore } from '../../lambda/adapters/dynamodb-state-store';
import { emptyTargetState, MINUTE, type TargetState } from '../../lambda/domain';
import type { AuditEntry } from '../../lambda/use-cases/ports';

/** A DynamoDB implementation to run the contract against: dynalite in `npm test`, moto in the emulator suite. */
export interface StateStoreBackend {
  /** Shown in the test names. */
  readonly name: string;
  readonly client: () => DynamoDBClient;
  /** A fresh table with the watchdog's key schema. */
  readonly createTable: () => Promise<string>;
  /** Whether the backend implements DescribeTimeToLive (dynalite does not). */
  readonly hasTimeToLive: boolean;
}

const T0 = Date.parse('2026-03-01T10:00:00Z');
const WALL_CLOCK = Date.parse('2026-03-02T00:00:00Z');
const SECONDS_PER_DAY = 86_400;

function claimed(targetId: string, decisionId: string, at = T0): TargetState {
  return {
    ...emptyTargetState(targetId),
    seeded: true,
    ledger: [
      {
        version: `${targetId}:42`,
        status: 'completed',
        startedAt: at - 5 * MINUTE,
        completedAt: at - MINUTE,
      },
      { version: `${targetId}:41`, status: 'completed', startedAt: at - 90 * MINUTE, proven: true },
    ],
    alarms: { [`${targetId}-5xx`]: { value: 'ALARM', timestamp: at, since: at } },
    handled: [{ key: `arn:aws:cloudwatch:us-east-1:1:alarm:${targetId}-5xx|ALARM|${at}`, at, decisionId }],
    rollback: {
      decisionId,
      trigger: `${targetId}-5xx`,
      reason: 'alarm',
      from: `${targetId}:42`,
      to: `${targetId}:41`,
      action: 'redeploy',
      claimedAt: at,
      leaseUntil: at + 30 * MINUTE,
    },
    rollbackTimes: [at - 40 * MINUTE, at],
    lastRollbackAt: at,
  };
}

const rejected = (at: number, eventId: string): AuditEntry => ({
  type: 'rejected',
  at,
  reason: 'malformed',
  problems: ['$.detail.state: Required'],
  requestId: `req-${eventId}`,
  eventId,
  source: 'aws.cloudwatch',
  detailType: 'CloudWatch Alarm State Change',
  excerpt: '{"detail":{}}',
});

/**
 * The DynamoDbStateStore contract (the key schema in `KEY`, and docs/reliability.md's single conditional
 * write per claim), checked against a real DynamoDB implementation: claims, conditional conflicts, the
 * cooldown and window counters, TTL attributes. Every test reads back what the backend holds, not only what
 * the store returns.
 */
export function describeStateStoreContract(backend: StateStoreBackend): void {
  describe(`DynamoDbStateStore contract on ${backend.name}`, () => {
    let tableName: string;
    let store: DynamoDbStateStore;

    beforeEach(async () => {
      tableName = await backend.createTable();
      store = new DynamoDbStateStore({ client: backend.client(), tableName, now: () => WALL_CLOCK });
    });

    const rawItem = async (key: { pk: string; sk: string }) => {
      const { Item } = await backend.client().send(
        new GetItemCommand({
          TableName: tableName,
          Key: { [TABLE.partitionKey]: { S: key.pk }, [TABLE.sortKey]: { S: key.sk } },
          ConsistentRead: true,
        }),
      );
      return Item;
    };

    it('creates the target item on a claim from revision 0 and refuses a second claim from revision 0', async () => {
      const first = await store.saveTarget(claimed('checkout', 'd-1'), 0);
      const second = await store.saveTarget(claimed('checkout', 'd-2'), 0);

      expect(first).toMatchObject({ revision: 1, rollback: { decisionId: 'd-1' } });
      expect(second).toBe('conflict');
      const item = unmarshall((await rawItem(KEY.target('checkout')))!);
      expect(item).toMatchObject({
        targetId: 'checkout',
        revision: 1,
        updatedAt: new Date(WALL_CLOCK).toISOString(),
      });
      expect(item.state.rollback.decisionId).toBe('d-1');
      expect(item.state).not.toHaveProperty('targetId');
      expect(item.state).not.toHaveProperty('revision');
    });

    it('refuses a write from a stale revision and keeps the newer state', async () => {
      await store.saveTarget(claimed('checkout', 'd-1'), 0);
      await store.saveTarget(claimed('checkout', 'd-2'), 1);

      expect(await store.saveTarget(claimed('checkout', 'd-3'), 1)).toBe('conflict');
      const item = unmarshall((await rawItem(KEY.target('checkout')))!);
      expect(item.revision).toBe(2);
      expect(item.state.rollback.decisionId).toBe('d-2');
    });

    it('lets exactly one of 25 concurrent claims from the same revision win', async () => {
      await store.saveTarget({ ...emptyTargetState('checkout'), seeded: true }, 0);
      const results = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.saveTarget(claimed('checkout', `d-${i}`), 1)),
      );

      const winners = results.filter((r): r is TargetState => r !== 'conflict');
      expect(winners).toHaveLength(1);
      const item = unmarshall((await rawItem(KEY.target('checkout')))!);
      expect(item.revision).toBe(2);
      expect(item.state.rollback.decisionId).toBe(winners[0].rollback?.decisionId);
    });

    it('stores the cooldown and window counters and mirrors the lease to a top-level leaseUntil', async () => {
      const saved = await store.saveTarget(claimed('checkout', 'd-1'), 0);
      let item = unmarshall((await rawItem(KEY.target('checkout')))!);
      expect(item.state.rollbackTimes).toEqual([T0 - 40 * MINUTE, T0]);
      expect(item.state.lastRollbackAt).toBe(T0);
      expect(item.leaseUntil).toBe(T0 + 30 * MINUTE);

      const { rollback: _done, ...finished } = saved as TargetState;
      await store.saveTarget(finished, 1);
      item = unmarshall((await rawItem(KEY.target('checkout')))!);
      expect(item).not.toHaveProperty('leaseUntil');
      expect(item.state).not.toHaveProperty('rollback');
      expect(item.state.rollbackTimes).toEqual([T0 - 40 * MINUTE, T0]);

      const loaded = await store.loadTargets(['checkout']);
      expect(loaded.targets.get('checkout')).toMatchObject({ revision: 2, lastRollbackAt: T0 });
    });

    it('writes audit items with the TTL attribute, in epoch seconds, at the retention period', async () => {
      await store.appendAudit(rejected(T0, 'evt-1'));

      const [entry] = await store.listAudit(REJECTED_SCOPE);
      expect(entry).toEqual(rejected(T0, 'evt-1'));
      const { Items } = await backend.client().send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': { S: KEY.auditPartition(REJECTED_SCOPE) } },
          ConsistentRead: true,
        }),
      );
      expect(Items).toHaveLength(1);
      // A number attribute: DynamoDB's TTL ignores items whose attribute is a string.
      expect(Items![0][TABLE.ttlAttribute]).toEqual({
        N: String(Math.floor(WALL_CLOCK / 1000) + RETENTION.auditDays * SECONDS_PER_DAY),
      });
      if (backend.hasTimeToLive) {
        const { TimeToLiveDescription } = await backend
          .client()
          .send(new DescribeTimeToLiveCommand({ TableName: tableName }));
        expect(TimeToLiveDescription).toMatchObject({
          AttributeName: TABLE.ttlAttribute,
          TimeToLiveStatus: 'ENABLED',
        });
      }
    });

    it('writes a retried audit entry once (conditional put on the same key)', async () => {
      await Promise.all([1, 2, 3].map(() => store.appendAudit(rejected(T0, 'evt-1'))));
      await store.appendAudit(rejected(T0, 'evt-2'));

      expect((await store.listAudit(REJECTED_SCOPE)).map((e) => (e as { eventId?: string }).eventId)).toEqual(
        expect.arrayContaining(['evt-1', 'evt-2']),
      );
      expect(await store.listAudit(REJECTED_SCOPE)).toHaveLength(2);
    });

    it('lists audit entries oldest first, from sinceMs inclusive, up to limit, and newest first', async () => {
      for (let i = 0; i < 7; i++) await store.appendAudit(rejected(T0 + i * MINUTE, `evt-${i}`));
      const ids = (entries: AuditEntry[]) => entries.map((e) => (e as { eventId?: string }).eventId);

      expect(ids(await store.listAudit(REJECTED_SCOPE))).toEqual(
        [0, 1, 2, 3, 4, 5, 6].map((i) => `evt-${i}`),
      );
      expect(ids(await store.listAudit(REJECTED_SCOPE, { sinceMs: T0 + 4 * MINUTE }))).toEqual([
        'evt-4',
        'evt-5',
        'evt-6',
      ]);
      expect(ids(await store.listAudit(REJECTED_SCOPE, { sinceMs: T0 + MINUTE, limit: 2 }))).toEqual([
        'evt-1',
        'evt-2',
      ]);
      expect(ids(await store.listAudit(REJECTED_SCOPE, { newestFirst: true, limit: 3 }))).toEqual([
        'evt-6',
        'evt-5',
        'evt-4',
      ]);
    });

    it('loads 150 targets and the global pause across several BatchGetItem calls', async () => {
      const ids = Array.from({ length: 150 }, (_, i) => `service-${i}`);
      await Promise.all(ids.map((id) => store.saveTarget({ ...emptyTargetState(id), seeded: true }, 0)));
      await store.setGlobalPause({ at: T0, by: 'arn:aws:iam::123456789012:user/alice', reason: 'freeze' });

      const loaded = await store.loadTargets([...ids, 'never-seen']);
      expect(loaded.targets.size).toBe(150);
      expect(loaded.targets.get('service-149')).toMatchObject({ revision: 1, seeded: true });
      expect(loaded.targets.has('never-seen')).toBe(false);
      expect(loaded.globalPause).toEqual({
        at: T0,
        by: 'arn:aws:iam::123456789012:user/alice',
        reason: 'freeze',
      });

      await store.setGlobalPause(undefined);
      expect(await rawItem(KEY.globalPause())).toBeUndefined();
    });

    it('round-trips map keys and strings DynamoDB must not mangle', async () => {
      const state: TargetState = {
        ...claimed('checkout', 'd-1'),
        alarms: {
          'checkout p99 latency/«eu»': { value: 'OK', timestamp: T0, since: T0 - MINUTE },
          'a.b#c': { value: 'INSUFFICIENT_DATA', timestamp: T0, since: T0 },
        },
        paused: { at: T0, by: 'arn:aws:iam::123456789012:user/zoë', reason: '' },
      };
      await store.saveTarget(state, 0);

      expect((await store.loadTargets(['checkout'])).targets.get('checkout')).toEqual({
        ...state,
        revision: 1,
      });
    });

    it('round-trips a fast-tracked claim: its action and the settings it owes back', async () => {
      const base = claimed('checkout', 'd-1');
      const restore = JSON.stringify({
        strategy: 'LINEAR',
        bakeTimeInMinutes: 30,
        linearConfiguration: { stepPercent: 3.3, stepBakeTimeInMinutes: 2 },
        lifecycleHooks: [{ targetType: 'PAUSE', lifecycleStages: ['POST_SCALE_UP'] }],
      });
      const state: TargetState = {
        ...base,
        rollback: {
          ...base.rollback!,
          decision: {
            id: 'd-1',
            at: T0,
            target: 'checkout',
            trigger: 'checkout-5xx',
            outcome: 'rollback',
            reason: 'alarm',
            from: 'checkout:42',
            to: 'checkout:41',
            action: {
              kind: 'redeploy',
              version: 'checkout:41',
              fastTrack: {
                settings: 'BLUE_GREEN with no bake',
                skips: {
                  strategy: 'LINEAR',
                  settings: 'LINEAR (3.3 % every 2 min, bake 30 min)',
                  minutes: 90,
                },
                restore,
              },
            },
            detail: 'rollback',
            escalate: false,
            notify: 'rollback-started',
          },
        },
        settingsRestore: { decisionId: 'd-1', restore, since: T0 },
      };
      await store.saveTarget(state, 0);

      expect((await store.loadTargets(['checkout'])).targets.get('checkout')).toEqual({
        ...state,
        revision: 1,
      });
    });

    it('round-trips who deployed: named ledger entries and the principals still waiting for theirs', async () => {
      const base = claimed('checkout', 'd-1');
      const session = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/zoë@example.com';
      const state: TargetState = {
        ...base,
        ledger: [
          { ...base.ledger[0], deploymentId: 'ecs-svc/2', deployedBy: session },
          { ...base.ledger[1], deployedBy: 'CodeDeploy creator: user' },
        ],
        handledDeployments: [{ key: 'cloudtrail|f6b2c3d4-5678-90ab-cdef-EXAMPLE22222', at: T0 }],
        pendingPrincipals: [
          { deploymentId: 'ecs-svc/3', version: 'checkout:43', by: session, at: T0 },
          { deploymentId: 'd-123456789', by: 'codepipeline.amazonaws.com', at: T0 + MINUTE },
        ],
      };
      await store.saveTarget(state, 0);

      expect((await store.loadTargets(['checkout'])).targets.get('checkout')).toEqual({
        ...state,
        revision: 1,
      });
    });
  });
}
