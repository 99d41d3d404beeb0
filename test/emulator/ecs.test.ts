import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  type Deployment,
} from '@aws-sdk/client-ecs';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { toVersion } from '../../lambda/adapters/ecs-deployer';
import { MINUTE } from '../../lambda/domain';
import { fixtureEvent } from '../support/events';
import { MOTO_ACCOUNT, MOTO_REGION } from './support/constants';
import { alarmEventFromMoto, snsEnvelope } from './support/events';
import { NAMES } from './support/configs';
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
 * ECS against moto: an ALARM after a completed deployment rolls the service back with UpdateService to the
 * known-good task definition, and the notification names the container images that change, read with
 * DescribeTaskDefinition from moto.
 *
 * What moto cannot do here, and where that is covered instead:
 * - ListServiceDeployments and StopServiceDeployment do not exist in moto 5.2.1, so the deployer runs in its
 *   degraded mode (see withoutListServiceDeployments) and the in-progress stop path is covered by
 *   test/unit/adapters/ecs-deployer.test.ts and examples/ecs-rollback-in-progress.json.
 * - moto's UpdateService changes the service's task definition but starts no deployment, so the rollback's
 *   own completion event cannot be produced from moto; examples/ecs-rollback-after-completion.json covers it.
 */
const { cluster: CLUSTER, service: SERVICE, family: FAMILY, alarm: ALARM } = NAMES.ecs;
const IMAGES = {
  good: '111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout:1.4.2',
  bad: '111122223333.dkr.ecr.us-east-1.amazonaws.com/checkout:1.5.0',
  sidecar: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0',
};
/** Ahead of moto by more than the 10-minute bake: the first release is known-good when the watchdog sees it. */
const CLOCK_AHEAD_MS = 15 * MINUTE;

const ecs = new ECSClient({});
const cloudwatch = new CloudWatchClient({});
const sns = new SNSClient({});
const sqs = new SQSClient({});
let stack: MotoStack;
let notifications: Queue;
let watchdog: EmulatorWatchdog;
const calls = new CallLog();
let good: string;
let bad: string;

beforeAll(async () => {
  stack = await deployToMoto(emulatorTemplate('ecs'), 'emu-ecs');
  notifications = await subscribedQueue(sns, sqs, stack.topicArn, 'emu-ecs-notifications');
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const register = async (image: string) => {
    const { taskDefinition } = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: FAMILY,
        containerDefinitions: [
          { name: 'web', image, memory: 512, essential: true },
          { name: 'log-router', image: IMAGES.sidecar, memory: 128, essential: true },
        ],
      }),
    );
    return toVersion(taskDefinition!.taskDefinitionArn!);
  };
  good = await register(IMAGES.good);
  bad = await register(IMAGES.bad);
  await cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: 'Checkout',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum',
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 10,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }),
  );
  watchdog = emulatorWatchdog(stack, {
    clock: new OffsetClock(CLOCK_AHEAD_MS),
    configure: configureAll(calls.configure, withoutListServiceDeployments),
  });
});

afterAll(() => {
  watchdog.close();
  for (const client of [ecs, cloudwatch, sns, sqs]) client.destroy();
});

/** Creates the service on `taskDefinition` with one task: moto reports its deployment COMPLETED at once. */
async function serviceOn(taskDefinition: string): Promise<Deployment> {
  const { service } = await ecs.send(
    new CreateServiceCommand({ cluster: CLUSTER, serviceName: SERVICE, taskDefinition, desiredCount: 1 }),
  );
  const primary = service?.deployments?.find((d) => d.status === 'PRIMARY');
  expect(primary).toMatchObject({ rolloutState: 'COMPLETED' });
  return primary!;
}

function deploymentCompletedEvent(deployment: Deployment) {
  const event = fixtureEvent('ecs-deployment-completed');
  event.account = MOTO_ACCOUNT;
  event.region = MOTO_REGION;
  event.resources = [`arn:aws:ecs:${MOTO_REGION}:${MOTO_ACCOUNT}:service/${CLUSTER}/${SERVICE}`];
  event.detail.deploymentId = deployment.id;
  event.detail.updatedAt = deployment.updatedAt!.toISOString();
  event.detail.reason = `ECS deployment ${deployment.id} completed.`;
  return event;
}

async function currentTaskDefinition(): Promise<string> {
  const { services } = await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [SERVICE] }));
  return toVersion(services![0].taskDefinition!);
}

describe('ECS: an ALARM after a completed deployment', () => {
  it('seeds the ledger from the service moto describes: the serving version is known-good', async () => {
    const first = await serviceOn(good);

    await watchdog.runtime.onDeployment(deploymentCompletedEvent(first), { awsRequestId: 'seed' });

    const state = (await watchdog.store.loadTargets(['checkout'])).targets.get('checkout');
    expect(state).toMatchObject({
      seeded: true,
      ledger: [{ version: good, status: 'completed', proven: true }],
    });
    expect(state?.ledger[0].deploymentId).toBe(first.id);
    expect(watchdog.telemetry.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: expect.stringContaining('ListServiceDeployments') }),
    );
  });

  it('rolls back with UpdateService to the known-good task definition, as moto then reports it', async () => {
    // The release of the bad version, completed. moto's UpdateService starts no new deployment (its
    // deployments keep the old task definition), so the state after a completed rolling deployment is
    // staged by creating the service again on the new task definition.
    await ecs.send(new DeleteServiceCommand({ cluster: CLUSTER, service: SERVICE, force: true }));
    await serviceOn(bad);
    expect(await currentTaskDefinition()).toBe(bad);

    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: ALARM,
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [42.0] was >= the threshold (10.0).',
        StateReasonData: JSON.stringify({ version: '1.0', recentDatapoints: [42.0], threshold: 10.0 }),
      }),
    );
    const event = await alarmEventFromMoto(cloudwatch, ALARM);

    await watchdog.runtime.onAlarm(event, { awsRequestId: 'alarm-1' });

    expect(await currentTaskDefinition()).toBe(good);
    expect(calls.count('ecs:UpdateService')).toBe(1);
    const audit = await watchdog.store.listAudit('checkout');
    expect(
      audit.filter((e) => e.type === 'decision').map((e) => e.type === 'decision' && e.decision),
    ).toEqual([
      expect.objectContaining({
        outcome: 'rollback',
        reason: 'alarm',
        from: bad,
        to: good,
        trigger: ALARM,
        action: expect.objectContaining({ kind: 'redeploy', version: good }),
      }),
    ]);
    const state = (await watchdog.store.loadTargets(['checkout'])).targets.get('checkout');
    expect(state?.rollback).toMatchObject({ from: bad, to: good, action: 'redeploy' });

    const [message] = await receiveExactly(sqs, notifications, 1);
    const envelope = snsEnvelope(message);
    expect(envelope.MessageAttributes).toEqual({
      kind: { Type: 'String', Value: 'rollback-started' },
      target: { Type: 'String', Value: 'checkout' },
      severity: { Type: 'String', Value: 'warning' },
      notification: { Type: 'String', Value: expect.any(String) },
    });
    const body = JSON.parse(envelope.Message);
    expect(body.content.title).toBe(`Rolling back checkout: ${bad} → ${good}`);
    // The typed notification carries the same change lines the card shows.
    const typed = JSON.parse(envelope.MessageAttributes?.['notification']?.Value ?? '');
    expect(typed.changed).toContain(`• web: ${IMAGES.bad} → ${IMAGES.good}`);
    // From DescribeTaskDefinition of both revisions in moto: only the container whose image differs.
    expect(body.content.description).toContain(`web: ${IMAGES.bad} → ${IMAGES.good}`);
    expect(body.content.description).not.toContain('log-router');
    expect(body.metadata.additionalContext).toMatchObject({ from: bad, to: good, trigger: ALARM });
  });

  it('treats the same ALARM delivered again as a duplicate: moto is not touched again', async () => {
    const event = await alarmEventFromMoto(cloudwatch, ALARM);

    await watchdog.runtime.onAlarm({ ...event, id: 'redelivered' }, { awsRequestId: 'alarm-2' });

    expect(await currentTaskDefinition()).toBe(good);
    expect(calls.count('ecs:UpdateService')).toBe(1);
    const decisions = (await watchdog.store.listAudit('checkout')).filter((e) => e.type === 'decision');
    expect(decisions.map((e) => e.type === 'decision' && e.decision.reason)).toEqual(['alarm', 'duplicate']);
    expect(await receiveExactly(sqs, notifications, 0)).toEqual([]);
  });
});
