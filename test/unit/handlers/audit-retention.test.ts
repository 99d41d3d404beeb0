import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DEFAULT_POLICY,
  KEY,
  REJECTED_SCOPE,
  RETENTION,
  UNKNOWN_SCOPE,
  type RuntimeConfig,
} from '../../../lambda/contract';
import { createAwsClients, type AwsClients } from '../../../lambda/adapters/aws-clients';
import {
  auditAddress,
  DynamoDbStateStore,
  putRuntimeConfig,
} from '../../../lambda/adapters/dynamodb-state-store';
import { createRuntime } from '../../../lambda/handlers/runtime';
import type { AuditEntry, Telemetry } from '../../../lambda/use-cases/ports';
import { alarmEvent } from '../../support/events';
import { startDynalite, type TestDynalite } from '../../support/dynalite';

/**
 * Issue 14: the audit TTL comes from the deployed runtime config (`auditRetentionDays`), through the real
 * runtime wiring, for decisions and for events rejected before any target was known; a config item written
 * before the field existed keeps the 90-day default.
 */
const sns = mockClient(SNSClient);
const NOW = Date.now();
const DAY_SECONDS = 86_400;
const silent: Telemetry = { log: () => undefined, count: () => undefined, flush: () => undefined };

const config = (auditRetentionDays?: number): RuntimeConfig => ({
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: 60,
  sweepIntervalMinutes: 5,
  ...(auditRetentionDays === undefined ? {} : { auditRetentionDays }),
  targets: [
    {
      id: 'checkout',
      type: 'ecs-service',
      cluster: 'prod',
      service: 'checkout',
      alarms: ['checkout-5xx'],
      policy: { ...DEFAULT_POLICY },
    },
  ],
});

let db: TestDynalite;
let clients: AwsClients;

beforeAll(async () => {
  db = await startDynalite();
  clients = createAwsClients({
    region: 'us-east-1',
    endpoint: { dynamodb: db.endpoint },
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

afterAll(async () => {
  clients.dynamodb.destroy();
  await db.stop();
  sns.restore();
});

async function expiresAtOf(tableName: string, entry: AuditEntry): Promise<number> {
  const { scope, id } = auditAddress(entry);
  const key = KEY.audit(scope, new Date(entry.at).toISOString(), id);
  const { Item } = await db.client.send(
    new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }),
  );
  return Number(Item?.expiresAt?.N);
}

/** Runs an unknown alarm's transition and a malformed event through the runtime; returns both audit entries. */
async function auditTwoEvents(tableName: string): Promise<{ decision: AuditEntry; rejected: AuditEntry }> {
  const runtime = createRuntime({
    clients,
    tableName,
    topicArn: 'arn:aws:sns:us-east-1:123456789012:watchdog',
    stackName: 'RollbackWatchdog',
    clock: { now: () => NOW },
    telemetry: silent,
  });
  const broken = alarmEvent('checkout-5xx', 'ALARM', new Date(NOW - 30_000));
  delete broken.detail.state;
  // First, on a cold runtime: the rejection is audited before anything else has loaded the config.
  await runtime.onAlarm(broken, { awsRequestId: 'req-rejected' });
  await runtime.onAlarm(alarmEvent('nobody-guards-this', 'ALARM', new Date(NOW - 30_000)), {
    awsRequestId: 'req-unknown',
  });
  const reader = new DynamoDbStateStore({ client: db.client, tableName });
  const [rejected] = await reader.listAudit(REJECTED_SCOPE);
  const [decision] = await reader.listAudit(UNKNOWN_SCOPE);
  expect(rejected?.type).toBe('rejected');
  expect(decision?.type).toBe('decision');
  return { decision, rejected };
}

it('stamps decisions and rejected events with the configured retention', async () => {
  const tableName = await db.createTable();
  await putRuntimeConfig(db.client, tableName, config(400));

  const { decision, rejected } = await auditTwoEvents(tableName);

  const expected = Math.floor(NOW / 1000) + 400 * DAY_SECONDS;
  expect(await expiresAtOf(tableName, decision)).toBe(expected);
  expect(await expiresAtOf(tableName, rejected)).toBe(expected);
});

it('keeps the 90-day default for a config item written before auditRetentionDays existed', async () => {
  const tableName = await db.createTable();
  await putRuntimeConfig(db.client, tableName, config());

  const { decision, rejected } = await auditTwoEvents(tableName);

  const expected = Math.floor(NOW / 1000) + RETENTION.auditDays * DAY_SECONDS;
  expect(await expiresAtOf(tableName, decision)).toBe(expected);
  expect(await expiresAtOf(tableName, rejected)).toBe(expected);
});
