import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DETAIL_TYPE, EVENT_SOURCE } from '../../lambda/contract';
import { fixtureEvent } from '../support/events';
import { FLEET } from './support/configs';
import { MOTO_ACCOUNT, MOTO_REGION } from './support/constants';
import { emulatorTemplate, resolveIntrinsics, type CfnTemplate } from './support/stack';
import { createQueue, receiveExactly, type Queue } from './support/world';

/**
 * The synthesized rules' event patterns against moto's EventBridge matcher: a fleet large enough that every
 * rule family is split into several rules, each rule put into moto with an SQS target, and the fixture
 * events of test/fixtures/events sent with PutEvents for names that are configured (first and last of
 * every rule) and names that are not (near misses). Each configured event must arrive exactly once (the
 * chunks never overlap), the others never.
 *
 * moto accepts PutEvents entries whose Source starts with `aws.`; EventBridge refuses those from callers,
 * so this check can only run on an emulator. The events moto delivers lack the `account` field
 * (moto-gaps.test.ts), so they are compared by content here rather than fed to the handlers.
 */
type Family = 'alarm' | 'ecs' | 'codedeploy';
const SOURCE_FAMILY: Readonly<Record<string, Family>> = {
  [EVENT_SOURCE.cloudwatch]: 'alarm',
  [EVENT_SOURCE.ecs]: 'ecs',
  [EVENT_SOURCE.codedeploy]: 'codedeploy',
};

// One attempt: PutEvents is not idempotent, and a retried batch would arrive twice.
const eventbridge = new EventBridgeClient({ maxAttempts: 1 });
const sqs = new SQSClient({});
let template: CfnTemplate;
const queues = {} as Record<Family, Queue>;
/** The queue behind the CloudTrail rules (who deployed), and the service ARNs the ECS ones match, rule by rule. */
let callQueue: Queue;
const ecsCallServices: string[][] = [];
/** Per family, the values of the field each rule matches on, rule by rule. */
const ruleValues: Record<Family, string[][]> = { alarm: [], ecs: [], codedeploy: [] };

const serviceArn = (cluster: string, service: string) =>
  `arn:aws:ecs:${MOTO_REGION}:${MOTO_ACCOUNT}:service/${cluster}/${service}`;
const groupArn = (application: string, group: string) =>
  `arn:aws:codedeploy:${MOTO_REGION}:${MOTO_ACCOUNT}:deploymentgroup:${application}/${group}`;

function alarmEntry(alarmName: string): PutEventsRequestEntry {
  const e = fixtureEvent('cloudwatch-alarm-state-change');
  e.detail.alarmName = alarmName;
  return entry(e, [`arn:aws:cloudwatch:${MOTO_REGION}:${MOTO_ACCOUNT}:alarm:${alarmName}`]);
}

const ECS_FIXTURES = [
  'ecs-deployment-in-progress',
  'ecs-deployment-completed',
  'ecs-deployment-failed',
  'ecs-deployment-rollback-in-progress',
];

function ecsEntry(arn: string, index: number, detailType?: string): PutEventsRequestEntry {
  const e = fixtureEvent(ECS_FIXTURES[index % ECS_FIXTURES.length]);
  if (detailType) e['detail-type'] = detailType;
  return entry(e, [arn]);
}

function codeDeployEntry(application: string, group: string): PutEventsRequestEntry {
  const e = fixtureEvent('codedeploy-deployment-state-change');
  e.detail.application = application;
  e.detail.deploymentGroup = group;
  e.detail.region = MOTO_REGION;
  return entry(e, [
    `arn:aws:codedeploy:${MOTO_REGION}:${MOTO_ACCOUNT}:application:${application}`,
    groupArn(application, group),
  ]);
}

function entry(e: Record<string, any>, resources: string[]): PutEventsRequestEntry {
  return {
    Source: e.source,
    DetailType: e['detail-type'],
    Resources: resources,
    Detail: JSON.stringify(e.detail),
  };
}

/** How a delivered event is told apart from the others of its family. */
function identity(family: Family, delivered: Record<string, any>): string {
  switch (family) {
    case 'alarm':
      return delivered.detail.alarmName;
    case 'ecs':
      return `${delivered.resources[0]} ${delivered.detail.eventName}`;
    case 'codedeploy':
      return `${delivered.detail.application}/${delivered.detail.deploymentGroup}`;
  }
}

async function putEvents(entries: PutEventsRequestEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 10) {
    const out = await eventbridge.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
    expect(out.FailedEntryCount).toBe(0);
  }
}

beforeAll(async () => {
  template = emulatorTemplate('eventbridge');
  for (const family of ['alarm', 'ecs', 'codedeploy'] as const) {
    queues[family] = await createQueue(sqs, `emu-eb-${family}`);
  }
  callQueue = await createQueue(sqs, 'emu-eb-calls');
  for (const [logicalId, rule] of Object.entries(template.Resources)) {
    if (rule.Type !== 'AWS::Events::Rule' || !rule.Properties?.EventPattern) continue;
    const pattern = resolveIntrinsics(rule.Properties.EventPattern);
    if (pattern['detail-type']?.[0] === DETAIL_TYPE.cloudTrailApiCall) {
      // Who deployed: these share the families' sources and are told apart by their detail-type.
      const name = `emu-eb-${logicalId}`.slice(0, 64);
      if (pattern.source[0] === EVENT_SOURCE.ecs)
        ecsCallServices.push(pattern.detail.responseElements.service.serviceArn);
      await eventbridge.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
      await eventbridge.send(
        new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: callQueue.arn }] }),
      );
      continue;
    }
    const family = SOURCE_FAMILY[pattern.source[0]];
    ruleValues[family].push(family === 'alarm' ? pattern.detail.alarmName : pattern.resources);
    const name = `emu-eb-${logicalId}`.slice(0, 64);
    await eventbridge.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
    await eventbridge.send(
      new PutTargetsCommand({ Rule: name, Targets: [{ Id: 'queue', Arn: queues[family].arn }] }),
    );
  }
});

afterAll(() => {
  eventbridge.destroy();
  sqs.destroy();
});

describe('EventBridge: the synthesized rules in moto', () => {
  it('splits every family over several rules, each value in exactly one', () => {
    expect(ruleValues.alarm.length).toBeGreaterThan(1);
    expect(ruleValues.ecs.length).toBeGreaterThan(1);
    expect(ruleValues.codedeploy.length).toBeGreaterThan(1);
    const alarms = ruleValues.alarm.flat();
    expect(new Set(alarms).size).toBe(alarms.length);
    expect(alarms).toHaveLength(FLEET.ecsServices * 2 + FLEET.codeDeployGroups);
    expect(ruleValues.ecs.flat()).toHaveLength(FLEET.ecsServices);
    expect(ruleValues.codedeploy.flat()).toHaveLength(FLEET.codeDeployGroups);
  });

  it('delivers alarm events for configured alarm names, once each, and drops near misses', async () => {
    const configured = ruleValues.alarm.flatMap((values) => [values[0], values[values.length - 1]]);
    const unconfigured = [
      `${configured[0]}-canary`,
      configured[0].slice(0, -1),
      configured[0].toUpperCase(),
      'emu-eb-service-999-api-http-5xx-rate',
    ];

    await putEvents([...configured, ...unconfigured].map(alarmEntry));

    const delivered = await receiveExactly(sqs, queues.alarm, configured.length);
    const names = delivered.map((m) => identity('alarm', JSON.parse(m.Body!)));
    expect(names.sort()).toEqual([...configured].sort());
    for (const m of delivered) {
      expect(JSON.parse(m.Body!)).toMatchObject({
        source: EVENT_SOURCE.cloudwatch,
        'detail-type': DETAIL_TYPE.alarmStateChange,
        detail: { state: { value: 'ALARM' } },
      });
    }
  });

  it('delivers ECS deployment events of configured services, once each, and drops others', async () => {
    const configured = ruleValues.ecs.flatMap((values) => [values[0], values[values.length - 1]]);
    expect(configured[0]).toBe(serviceArn(FLEET.cluster, FLEET.service(0)));
    const unconfigured = [
      serviceArn(FLEET.cluster, 'emu-eb-service-999-api'),
      serviceArn('staging', FLEET.service(0)),
      `${configured[0]}-canary`,
    ];

    await putEvents([
      ...configured.map((arn, i) => ecsEntry(arn, i)),
      ...unconfigured.map((arn, i) => ecsEntry(arn, i)),
      // A configured service, but another detail-type.
      ecsEntry(configured[0], 0, 'ECS Task State Change'),
    ]);

    const delivered = await receiveExactly(sqs, queues.ecs, configured.length);
    const ids = delivered.map((m) => identity('ecs', JSON.parse(m.Body!)));
    const expected = configured.map(
      (arn, i) => `${arn} ${fixtureEvent(ECS_FIXTURES[i % ECS_FIXTURES.length]).detail.eventName}`,
    );
    expect(ids.sort()).toEqual(expected.sort());
  });

  it('delivers CodeDeploy events of configured deployment groups, once each, and drops others', async () => {
    const configured = ruleValues.codedeploy.flatMap((values) => [values[0], values[values.length - 1]]);
    const groups = configured.map((arn) => arn.split(':deploymentgroup:')[1]);
    const unconfigured = [
      [FLEET.application(0), `${FLEET.application(0)}-staging`],
      ['emu-eb-application-999', 'emu-eb-application-999-production'],
    ];

    await putEvents([
      ...groups.map((g) => codeDeployEntry(...(g.split('/') as [string, string]))),
      ...unconfigured.map(([application, group]) => codeDeployEntry(application, group)),
    ]);

    const delivered = await receiveExactly(sqs, queues.codedeploy, configured.length);
    expect(delivered.map((m) => identity('codedeploy', JSON.parse(m.Body!))).sort()).toEqual(
      [...groups].sort(),
    );
  });

  it('delivers the CloudTrail record of a configured service UpdateService, not a failed call or another service', async () => {
    expect(ecsCallServices.length).toBeGreaterThan(1);
    const configured = ecsCallServices.map((arns) => arns[arns.length - 1]);
    const call = (service: string, extra: Record<string, unknown> = {}): PutEventsRequestEntry => ({
      Source: EVENT_SOURCE.ecs,
      DetailType: DETAIL_TYPE.cloudTrailApiCall,
      Resources: [],
      Detail: JSON.stringify({
        eventSource: 'ecs.amazonaws.com',
        eventName: 'UpdateService',
        eventID: `id-${service}-${Object.keys(extra).join('')}`,
        userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${MOTO_ACCOUNT}:user/carol` },
        responseElements: { service: { serviceArn: service } },
        ...extra,
      }),
    });

    await putEvents([
      ...configured.map((arn) => call(arn)),
      call(configured[0], { errorCode: 'AccessDenied' }),
      call(serviceArn(FLEET.cluster, 'emu-eb-service-999-api')),
    ]);

    const delivered = await receiveExactly(sqs, callQueue, configured.length);
    expect(
      delivered.map((m) => JSON.parse(m.Body!).detail.responseElements.service.serviceArn as string).sort(),
    ).toEqual([...configured].sort());
  });
});
