import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { toVersion } from '../../lambda/adapters/ecs-deployer';
import { MINUTE } from '../../lambda/domain';
import { NAMES } from './support/configs';
import { alarmEventFromMoto, snsEnvelope } from './support/events';
import { deployToMoto, emulatorTemplate, type MotoStack } from './support/stack';
import {
  CallLog,
  OffsetClock,
  configureAll,
  emulatorWatchdog,
  receiveExactly,
  subscribedQueue,
  withoutListServiceDeployments,
  type EmulatorWatchdog,
  type Queue,
} from './support/world';

/**
 * CloudWatch against moto: the sweep reads the trigger alarms' states with DescribeAlarms and decides on the
 * one in ALARM exactly as on its event (same dedupe key), and a drill forces an alarm with SetAlarmState.
 *
 * moto 5.2.1 has no composite alarms (PutCompositeAlarm is not implemented) and reports no
 * StateTransitionedTimestamp, so the sweep falls back to StateUpdatedTimestamp here; composite alarms and the
 * transition timestamp are covered by test/unit/adapters/cloudwatch-alarm-reader.test.ts.
 */
const {
  cluster: CLUSTER,
  service: SERVICE,
  family: FAMILY,
  latency: LATENCY,
  errors: ERRORS,
} = NAMES.cloudwatch;
const OPERATOR = 'arn:aws:iam::123456789012:user/oncall';

const cloudwatch = new CloudWatchClient({});
const ecs = new ECSClient({});
const sns = new SNSClient({});
const sqs = new SQSClient({});
/** search's only release completed more than its 10-minute bake before the watchdog first looks at it. */
const clock = new OffsetClock(15 * MINUTE);
const calls = new CallLog();
let stack: MotoStack;
let watchdog: EmulatorWatchdog;
let notifications: Queue;
let version: string;

beforeAll(async () => {
  stack = await deployToMoto(emulatorTemplate('cloudwatch'), 'emu-cw');
  notifications = await subscribedQueue(sns, sqs, stack.topicArn, 'emu-cw-notifications');
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const { taskDefinition } = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: FAMILY,
      containerDefinitions: [{ name: 'search', image: 'search:7.1.0', memory: 512 }],
    }),
  );
  version = toVersion(taskDefinition!.taskDefinitionArn!);
  await ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: SERVICE,
      taskDefinition: version,
      desiredCount: 1,
    }),
  );
  for (const name of [LATENCY, ERRORS]) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'Search',
        MetricName: name,
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
  }
  watchdog = emulatorWatchdog(stack, {
    clock,
    configure: configureAll(calls.configure, withoutListServiceDeployments),
  });
});

afterAll(() => {
  watchdog.close();
  for (const client of [cloudwatch, ecs, sns, sqs]) client.destroy();
});

describe('CloudWatch alarms in moto', () => {
  it('the sweep reads both alarms with one DescribeAlarms and decides on the one in ALARM only', async () => {
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: LATENCY, StateValue: 'ALARM', StateReason: 'p99 above 800 ms' }),
    );
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [LATENCY] }));
    const latency = MetricAlarms[0];

    await watchdog.runtime.onSweep({}, { awsRequestId: 'sweep-1' });

    expect(calls.count('cloudwatch:DescribeAlarms')).toBe(1);
    const decisions = (await watchdog.store.listAudit('search')).flatMap((e) =>
      e.type === 'decision' ? [e.decision] : [],
    );
    expect(decisions).toEqual([
      expect.objectContaining({
        trigger: LATENCY,
        outcome: 'skip',
        reason: 'current-is-known-good',
        from: version,
      }),
    ]);
    const state = (await watchdog.store.loadTargets(['search'])).targets.get('search');
    // The high-water mark and the dedupe key carry moto's ARN and state time, as the event would.
    expect(state?.alarms[LATENCY]).toMatchObject({
      value: 'ALARM',
      timestamp: latency.StateUpdatedTimestamp!.getTime(),
    });
    expect(state?.alarms).not.toHaveProperty(ERRORS);
    expect(state?.handled.map((h) => h.key)).toEqual([expect.stringContaining(latency.AlarmArn!)]);
  });

  it('the same transition arriving later as an event is a duplicate of the sweep’s decision', async () => {
    await watchdog.runtime.onAlarm(await alarmEventFromMoto(cloudwatch, LATENCY), {
      awsRequestId: 'alarm-1',
    });

    const reasons = (await watchdog.store.listAudit('search')).flatMap((e) =>
      e.type === 'decision' ? [e.decision.reason] : [],
    );
    expect(reasons).toEqual(['current-is-known-good', 'duplicate']);
  });

  it('a drill forces the alarm to ALARM in moto with SetAlarmState, and its transition is decided as a dry run', async () => {
    // Back to moto's own time: a drill only claims transitions stamped after it was requested.
    clock.offsetMs = 0;

    const response = await watchdog.runtime.onOperator(
      { command: 'drill', target: 'search', alarm: ERRORS },
      OPERATOR,
      { awsRequestId: 'drill-1' },
    );

    expect(response).toMatchObject({ ok: true, result: { drill: { alarm: ERRORS, live: false } } });
    const drillId = response.ok ? (response.result as { drill: { id: string } }).drill.id : '';
    const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [ERRORS] }));
    expect(MetricAlarms[0]).toMatchObject({
      StateValue: 'ALARM',
      StateReason: `Rollback Watchdog drill ${drillId} by ${OPERATOR}`,
    });
    expect(calls.count('cloudwatch:SetAlarmState')).toBe(1);

    await watchdog.runtime.onAlarm(await alarmEventFromMoto(cloudwatch, ERRORS), { awsRequestId: 'alarm-2' });

    const audit = await watchdog.store.listAudit('search');
    expect(audit).toContainEqual(
      expect.objectContaining({ type: 'operator', command: 'drill', by: OPERATOR }),
    );
    const drilled = audit.flatMap((e) => (e.type === 'decision' && e.decision.drill ? [e.decision] : []));
    expect(drilled).toEqual([
      expect.objectContaining({
        trigger: ERRORS,
        drill: expect.objectContaining({ id: drillId, live: false }),
      }),
    ]);
    const [message] = await receiveExactly(sqs, notifications, 1);
    const envelope = snsEnvelope(message);
    expect(envelope.MessageAttributes?.kind).toEqual({ Type: 'String', Value: 'drill' });
    expect(JSON.parse(envelope.Message).metadata.additionalContext).toMatchObject({
      drillId,
      target: 'search',
    });
    // Nothing was rolled back: the service still runs its one version.
    expect(calls.count('ecs:UpdateService')).toBe(0);
  });
});
