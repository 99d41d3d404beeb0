import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib';
import { EventBridgeVersionBus } from '../../lambda/adapters/eventbridge-version-bus';
import { parseWatchdogConfig } from '../../lambda/boundary/config-schema';
import { QUARANTINE_DETAIL_TYPE, versionBusName } from '../../lambda/contract';
import { watchdogStacks } from '../../lib';
import { MOTO_REGION } from './support/constants';
import { resolveIntrinsics } from './support/stack';
import { createQueue, receiveExactly, type Queue } from './support/world';

/**
 * The version bus's synthesized rules (lib/rollback-watchdog.ts, createVersionBus) against moto's EventBridge
 * matcher, fed by the watchdog's own adapter (EventBridgeVersionBus): of what the us-east-1 watchdog puts on
 * its bus, its own quarantines and receipts match the forwarding rule only, what came from another region
 * matches the receiving rule only, and its own checks the check rule only. Each rule's targets are replaced by
 * a queue (moto cannot deliver to another region's bus or to a Lambda here).
 */

const STACK = 'EmuVq';
const BUS = versionBusName(STACK);
const eventbridge = new EventBridgeClient({ maxAttempts: 1 });
const sqs = new SQSClient({});
const queues: Record<string, Queue> = {};
const bus = new EventBridgeVersionBus({
  client: eventbridge,
  busName: BUS,
  region: MOTO_REGION,
  peers: ['eu-west-1'],
});

const detail = (from: string) => ({
  from,
  target: 'checkout',
  version: 'checkout:42',
  decisionId: `d-${from}`,
  cause: 'alarm' as const,
  at: '2026-03-01T10:05:00.000Z',
  why: 'rolled back',
});

beforeAll(async () => {
  const parsed = parseWatchdogConfig({
    regions: [MOTO_REGION, 'eu-west-1'],
    targets: [
      { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'checkout', alarms: ['c-5xx'] },
    ],
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = watchdogStacks(app, STACK, { config: parsed.config }).find((s) => s.region === MOTO_REGION);
  if (!stack) throw new Error('no us-east-1 stack');
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  await eventbridge.send(new CreateEventBusCommand({ Name: BUS }));
  const rules = Object.entries(resources).filter(
    ([, r]) => r.Type === 'AWS::Events::Rule' && r.Properties.EventBusName !== undefined,
  );
  expect(rules.length).toBe(3);
  for (const [logicalId, rule] of rules) {
    const kind = logicalId.includes('Forward')
      ? 'forward'
      : logicalId.includes('Check')
        ? 'check'
        : 'receive';
    queues[kind] = await createQueue(sqs, `emu-vq-${kind}`);
    const name = `emu-vq-${kind}`;
    await eventbridge.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: BUS,
        EventPattern: JSON.stringify(resolveIntrinsics(rule.Properties.EventPattern)),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({
        Rule: name,
        EventBusName: BUS,
        Targets: [{ Id: 'queue', Arn: queues[kind].arn }],
      }),
    );
  }
}, 120_000);

afterAll(() => {
  eventbridge.destroy();
  sqs.destroy();
});

const bodies = async (kind: string, count: number) =>
  (await receiveExactly(sqs, queues[kind], count)).map((m) => JSON.parse(m.Body ?? '{}'));
/** Nothing arrives on the queue (within 3 s: moto delivers at once). */
const none = (kind: string) => expect(receiveExactly(sqs, queues[kind], 1, 3_000)).rejects.toThrow(/got 0/);

it("forwards this region's quarantines and receipts, and only those", async () => {
  await bus.put([
    { detailType: QUARANTINE_DETAIL_TYPE.quarantine, detail: detail(MOTO_REGION) },
    {
      detailType: QUARANTINE_DETAIL_TYPE.receipt,
      detail: { ...detail(MOTO_REGION), to: 'eu-west-1', at: '2026-03-01T10:05:03.000Z' },
    },
  ]);
  const forwarded = await bodies('forward', 2);
  expect(forwarded.map((e) => e['detail-type']).sort()).toEqual(
    [QUARANTINE_DETAIL_TYPE.quarantine, QUARANTINE_DETAIL_TYPE.receipt].sort(),
  );
  await none('receive');
});

it('delivers what came from another region to the acting handler, never forwarding it on', async () => {
  await bus.put([{ detailType: QUARANTINE_DETAIL_TYPE.quarantine, detail: detail('eu-west-1') }]);
  const [received] = await bodies('receive', 1);
  expect(received.detail).toMatchObject({ from: 'eu-west-1', version: 'checkout:42' });
  await none('forward');
});

it("delivers this region's checks to the acting handler only", async () => {
  await bus.put([
    {
      detailType: QUARANTINE_DETAIL_TYPE.check,
      detail: {
        from: MOTO_REGION,
        target: 'checkout',
        version: 'checkout:42',
        deploymentId: 'ecs-svc/9',
        at: '2026-03-01T10:40:00.000Z',
      },
    },
  ]);
  const [check] = await bodies('check', 1);
  expect(check['detail-type']).toBe(QUARANTINE_DETAIL_TYPE.check);
  await none('forward');
  await none('receive');
});
