import type { DeploymentInfo, RevisionLocation } from '@aws-sdk/client-codedeploy';
import { createAwsClients, createClientFactory, type AwsClients } from '../lambda/adapters/aws-clients';
import { putRuntimeConfig } from '../lambda/adapters/dynamodb-state-store';
import { startEmbeddedDynalite, type EmbeddedDynalite } from '../lambda/adapters/embedded-dynalite';
import { DEFAULT_POLICY, type RuntimeConfig } from '../lambda/contract';
import { createRuntime, type WatchdogRuntime } from '../lambda/handlers/runtime';
import type { Telemetry } from '../lambda/use-cases/ports';
import { alarmEvent, fixtureEvent } from '../test/support/events';
import { installLatency, type CannedAnswer, type LatencyProbe } from './support/canned-aws';

/**
 * Issue 7, `criticalPathRoundTrips`: how many sequential AWS round trips lie between an ALARM event entering
 * `onAlarm` and the rollback call being issued. Every AWS call (DynamoDB included) is given the same latency L
 * at the SDK's initialize step; the time from `onAlarm` to the moment the rollback command reaches the SDK,
 * minus the same path measured with no added latency (the watchdog's CPU work and dynalite's own ~1 ms), divided
 * by L, is the number of round trips. Target: ≤ 3 on every path.
 */
export interface CriticalPathResult {
  /** ECS, PRIMARY deployment IN_PROGRESS → StopServiceDeployment(ROLLBACK). */
  readonly ecsInProgress: number;
  /** ECS, bad deployment completed inside the watch window → UpdateService(known-good task definition). */
  readonly ecsCompleted: number;
  /**
   * CodeDeploy, bad deployment active (its START event seen, as in steady state) → StopDeployment
   * (autoRollbackEnabled).
   */
  readonly codeDeployActive: number;
  /** CodeDeploy, bad deployment succeeded inside the watch window → CreateDeployment(known-good revision). */
  readonly codeDeployCompleted: number;
  /**
   * `codeDeployActive` when the alarm is the first the watchdog hears of the group (no deployment event seen,
   * no sweep yet, as right after the first deploy): the ledger is seeded from the group's history first.
   */
  readonly codeDeployFirstSight: number;
  /** `ecsInProgress` in a fresh container: the config item is not cached yet. */
  readonly coldConfig: number;
  readonly latencyMs: number;
  readonly targetRoundTrips: number;
  readonly met: boolean;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const REPOSITORY = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web`;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/**
 * Each path is measured this many times per latency and the median kept: the watchdog's CPU time per
 * invocation (a few ms, subtracted via the zero-latency runs) varies from run to run.
 */
const REPEATS = 5;
const TARGET_ROUND_TRIPS = 3;

const config: RuntimeConfig = {
  schemaVersion: 1,
  account: ACCOUNT,
  region: REGION,
  maxEventAgeMinutes: 60,
  sweepIntervalMinutes: 5,
  targets: [
    {
      id: 'checkout',
      type: 'ecs-service',
      cluster: 'prod',
      service: 'checkout',
      alarms: ['checkout-5xx'],
      policy: { ...DEFAULT_POLICY },
    },
    {
      id: 'payments',
      type: 'codedeploy',
      application: 'payments',
      deploymentGroup: 'payments-prod',
      alarms: ['payments-errors'],
      policy: { ...DEFAULT_POLICY },
    },
  ],
};

/** A path to measure: a small canned account, how to bring the ledger to the moment of the alarm, and the alarm. */
interface World {
  readonly answer: CannedAnswer;
  /** Deliveries before the alarm (deployment events), run with no added latency. */
  prepare(runtime: WatchdogRuntime): Promise<void>;
  readonly alarm: string;
  readonly rollbackApi: string;
  /**
   * Calls the alarm invocation must also make (concurrently, off the sequential path), or the measurement
   * would not cover them: the viability re-check of the rollback target.
   */
  readonly alsoCalls?: readonly string[];
}

const noTelemetry: Telemetry = { log() {}, count() {}, flush() {} };
let requests = 0;
const context = () => ({ awsRequestId: `bench-${++requests}` });

export async function benchCriticalPath(latencyMs = 50): Promise<CriticalPathResult> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const db = await startEmbeddedDynalite();
  try {
    const roundTrips = (world: () => World, warm = true) => measure(db, world, latencyMs, warm);
    const result = {
      ecsInProgress: await roundTrips(() => ecsWorld('in-progress')),
      ecsCompleted: await roundTrips(() => ecsWorld('completed')),
      codeDeployActive: await roundTrips(() => codeDeployWorld('active')),
      codeDeployCompleted: await roundTrips(() => codeDeployWorld('completed')),
      codeDeployFirstSight: await roundTrips(() => codeDeployWorld('first-sight')),
      coldConfig: await roundTrips(() => ecsWorld('in-progress'), false),
    };
    const warmPaths = [
      result.ecsInProgress,
      result.ecsCompleted,
      result.codeDeployActive,
      result.codeDeployCompleted,
    ];
    return {
      ...result,
      latencyMs,
      targetRoundTrips: TARGET_ROUND_TRIPS,
      // The target is for a warm container; a cold one reads the config item first, once per container.
      met: warmPaths.every((n) => n <= TARGET_ROUND_TRIPS),
    };
  } finally {
    await db.stop();
  }
}

/**
 * (median time to the rollback call at L − median at 0) / (the wait each call actually got), to one decimal.
 */
async function measure(
  db: EmbeddedDynalite,
  world: () => World,
  latencyMs: number,
  warm: boolean,
): Promise<number> {
  const at = async (latency: number) => {
    const runs: Run[] = [];
    for (let i = 0; i < REPEATS; i++) runs.push(await timeToRollback(db, world(), latency, warm));
    return { elapsed: median(runs.map((r) => r.elapsed)), waited: runs.flatMap((r) => r.waited) };
  };
  // One discarded run, so that the first measurement of a path does not pay for compiling it.
  await timeToRollback(db, world(), 0, warm);
  const baseline = await at(0);
  const loaded = await at(latencyMs);
  const roundTrip = loaded.waited.reduce((a, b) => a + b, 0) / loaded.waited.length;
  return Math.round(((loaded.elapsed - baseline.elapsed) / roundTrip) * 10) / 10;
}

interface Run {
  /** From `onAlarm` to the rollback call reaching the SDK. */
  readonly elapsed: number;
  /** The waits the calls of the alarm invocation actually got. */
  readonly waited: readonly number[];
}

/** One fresh table and one fresh runtime (a new container), prepared, then one ALARM delivery. */
async function timeToRollback(
  db: EmbeddedDynalite,
  world: World,
  latencyMs: number,
  warm: boolean,
): Promise<Run> {
  const tableName = await db.createTable();
  await putRuntimeConfig(db.client, tableName, config);
  const probe: LatencyProbe = { latencyMs: 0, answer: world.answer, calls: [], waited: [] };
  const settings = {
    region: REGION,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    configure: (client: Parameters<typeof installLatency>[0], name: string) =>
      installLatency(client, name, probe),
  };
  const clients = createAwsClients({ ...settings, endpoint: { dynamodb: db.endpoint } });
  // The clients the target kinds build on first use (ECR for the ECS viability re-check), answered the same way.
  const kindClients: { destroy(): void }[] = [];
  const factory = createClientFactory(settings);
  try {
    const runtime = createRuntime({
      clients,
      tableName,
      topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:watchdog`,
      stackName: 'bench',
      clock: { now: () => Date.now() },
      telemetry: noTelemetry,
      kindClient: (name, make) => {
        const client = factory(name, make);
        kindClients.push(client as unknown as { destroy(): void });
        return client;
      },
    });
    await world.prepare(runtime);
    if (warm) {
      // A warm container has the config item cached: an alarm the config does not know loads it.
      await runtime.onAlarm(alarmEvent('unrelated-alarm', 'ALARM', new Date()), context());
    }
    probe.latencyMs = latencyMs;
    probe.calls.length = 0;
    probe.waited.length = 0;
    const event = alarmEvent(world.alarm, 'ALARM', new Date(Date.now() - 10_000));
    const start = performance.now();
    await runtime.onAlarm(event, context());
    const rollback = probe.calls.filter((c) => c.api === world.rollbackApi);
    if (rollback.length !== 1) {
      const seen = probe.calls.map((c) => c.api).join(', ');
      throw new Error(`expected one ${world.rollbackApi} after the alarm, saw: ${seen}`);
    }
    for (const api of world.alsoCalls ?? []) {
      if (!probe.calls.some((c) => c.api === api)) {
        const seen = probe.calls.map((c) => c.api).join(', ');
        throw new Error(`expected ${api} during the alarm, saw: ${seen}`);
      }
    }
    return { elapsed: rollback[0].at - start, waited: [...probe.waited] };
  } finally {
    destroy(clients);
    for (const client of kindClients) client.destroy();
  }
}

/**
 * checkout: checkout:42 has been deploying for 6 minutes over checkout:41 (deployed a day ago). In the
 * `completed` path its rollout finished 2 minutes ago, and the deployment events were delivered, so the ledger
 * knows checkout:41 as the version to redeploy.
 */
function ecsWorld(path: 'in-progress' | 'completed'): World {
  const now = Date.now();
  const started = new Date(now - 6 * MINUTE);
  const completed = new Date(now - 2 * MINUTE);
  const td = (rev: number) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout:${rev}`;
  const stopArn = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod/checkout/abc`;
  let rolledOut = false;

  const answer: CannedAnswer = (service, operation, input) => {
    switch (`${service}:${operation}`) {
      case 'ecs:DescribeServices': {
        const primary = {
          id: 'ecs-svc/2',
          status: 'PRIMARY',
          taskDefinition: td(42),
          rolloutState: rolledOut ? 'COMPLETED' : 'IN_PROGRESS',
          createdAt: started,
          updatedAt: rolledOut ? completed : started,
        };
        const previous = {
          id: 'ecs-svc/1',
          status: 'ACTIVE',
          taskDefinition: td(41),
          rolloutState: 'COMPLETED',
          createdAt: new Date(now - DAY),
          updatedAt: new Date(now - DAY + 2 * MINUTE),
        };
        const deployments = rolledOut ? [primary] : [primary, previous];
        const svc = {
          serviceName: 'checkout',
          status: 'ACTIVE',
          taskDefinition: td(42),
          deploymentController: { type: 'ECS' },
          deployments,
        };
        return { services: [svc], failures: [] };
      }
      case 'ecs:ListServiceDeployments':
        return {
          serviceDeployments: rolledOut
            ? []
            : [{ serviceDeploymentArn: stopArn, status: 'IN_PROGRESS', createdAt: started }],
        };
      case 'ecs:StopServiceDeployment':
        return { serviceDeploymentArn: stopArn };
      case 'ecs:UpdateService':
        return { service: { deployments: [{ id: 'ecs-svc/3', status: 'PRIMARY' }] } };
      case 'ecs:DescribeTaskDefinition':
        return {
          taskDefinition: {
            status: 'ACTIVE',
            containerDefinitions: [{ name: 'web', image: `${REPOSITORY}:1.4.2` }],
          },
        };
      case 'ecr:DescribeImages':
        return {
          imageDetails: ((input.imageIds as { imageTag?: string }[] | undefined) ?? []).map((id) => ({
            repositoryName: 'web',
            imageTags: [id.imageTag ?? '1.4.2'],
            imageDigest: `sha256:${'0'.repeat(64)}`,
            imageStatus: 'ACTIVE',
          })),
        };
      case 'ecr:GetLifecyclePolicy':
        throw Object.assign(new Error('no lifecycle policy'), { name: 'LifecyclePolicyNotFoundException' });
      default:
        return commonAnswer(service, operation);
    }
  };

  const ecsEvent = (eventName: string, at: Date) => {
    const e = fixtureEvent(
      `ecs-deployment-${eventName === 'SERVICE_DEPLOYMENT_COMPLETED' ? 'completed' : 'in-progress'}`,
    );
    Object.assign(e, {
      account: ACCOUNT,
      region: REGION,
      time: isoSeconds(at),
      resources: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod/checkout`],
    });
    Object.assign(e.detail, { eventName, deploymentId: 'ecs-svc/2', updatedAt: at.toISOString() });
    return e;
  };

  return {
    answer,
    alarm: 'checkout-5xx',
    rollbackApi: path === 'in-progress' ? 'ecs:StopServiceDeployment' : 'ecs:UpdateService',
    // The known-good checkout:41 was checked when checkout:42's release started; the alarm re-checks it.
    ...(path === 'completed' ? { alsoCalls: ['ecr:DescribeImages'] } : {}),
    async prepare(runtime) {
      if (path === 'in-progress') return;
      await runtime.onDeployment(ecsEvent('SERVICE_DEPLOYMENT_IN_PROGRESS', started), context());
      rolledOut = true;
      await runtime.onDeployment(ecsEvent('SERVICE_DEPLOYMENT_COMPLETED', completed), context());
    },
  };
}

/**
 * payments: revision r7 succeeded a day ago; r8 started a minute ago (`active`) or 6 minutes ago and
 * succeeded since (`completed`, with its START and SUCCESS events delivered, so the ledger holds r7's
 * revision as CodeDeploy reported it).
 */
function codeDeployWorld(path: 'active' | 'completed' | 'first-sight'): World {
  const deployments = new Map<string, DeploymentInfo>();
  let seq = 0;
  const rev = (commitId: string): RevisionLocation => ({
    revisionType: 'GitHub',
    gitHubLocation: { repository: 'payments', commitId },
  });
  const add = (status: DeploymentInfo['status'], revision: RevisionLocation, msAgo: number): string => {
    const id = `d-${String(++seq).padStart(9, '0')}`;
    const createTime = new Date(Date.now() - msAgo);
    deployments.set(id, {
      deploymentId: id,
      applicationName: 'payments',
      deploymentGroupName: 'payments-prod',
      status,
      revision,
      creator: 'user',
      createTime,
      ...(status === 'Succeeded' ? { completeTime: new Date(createTime.getTime() + 2 * MINUTE) } : {}),
    });
    return id;
  };
  const newest = (keep: (d: DeploymentInfo) => boolean) =>
    [...deployments.values()].filter(keep).sort((a, b) => +b.createTime! - +a.createTime!)[0];
  const pointer = (d: DeploymentInfo | undefined) =>
    d && {
      deploymentId: d.deploymentId,
      status: d.status,
      createTime: d.createTime,
      endTime: d.completeTime,
    };

  add('Succeeded', rev('r7'), DAY);
  const bad = add('InProgress', rev('r8'), path === 'completed' ? 6 * MINUTE : MINUTE);

  const answer: CannedAnswer = (service, operation, input) => {
    switch (`${service}:${operation}`) {
      case 'codedeploy:GetDeploymentGroup':
        return {
          deploymentGroupInfo: {
            applicationName: 'payments',
            deploymentGroupName: 'payments-prod',
            lastSuccessfulDeployment: pointer(newest((d) => d.status === 'Succeeded')),
            lastAttemptedDeployment: pointer(newest(() => true)),
          },
        };
      case 'codedeploy:ListDeployments': {
        const statuses = input.includeOnlyStatuses as string[] | undefined;
        const ids = [...deployments.values()]
          .filter((d) => !statuses || statuses.includes(d.status!))
          .map((d) => d.deploymentId);
        return { deployments: ids };
      }
      case 'codedeploy:BatchGetDeployments':
        return {
          deploymentsInfo: (input.deploymentIds as string[]).flatMap((id) => deployments.get(id) ?? []),
        };
      case 'codedeploy:StopDeployment':
        return { status: 'Pending' };
      case 'codedeploy:CreateDeployment':
        return { deploymentId: 'd-rollback' };
      default:
        return commonAnswer(service, operation);
    }
  };

  const event = (state: 'START' | 'SUCCESS') => {
    const e = fixtureEvent('codedeploy-deployment-state-change');
    Object.assign(e, {
      account: ACCOUNT,
      region: REGION,
      time: isoSeconds(new Date()),
      resources: [
        `arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:payments`,
        `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:payments/payments-prod`,
      ],
    });
    Object.assign(e.detail, {
      application: 'payments',
      deploymentGroup: 'payments-prod',
      deploymentId: bad,
      state,
    });
    return e;
  };

  return {
    answer,
    alarm: 'payments-errors',
    rollbackApi: path === 'completed' ? 'codedeploy:CreateDeployment' : 'codedeploy:StopDeployment',
    async prepare(runtime) {
      // First sight: the alarm is the first the watchdog hears of the group, so it reads the group's history.
      if (path === 'first-sight') return;
      await runtime.onDeployment(event('START'), context());
      if (path === 'active') return;
      const d = deployments.get(bad)!;
      deployments.set(bad, { ...d, status: 'Succeeded', completeTime: new Date(Date.now() - 2 * MINUTE) });
      await runtime.onDeployment(event('SUCCESS'), context());
    },
  };
}

/** The calls off the rollback path: notification and alarm reads. */
function commonAnswer(service: string, operation: string): Record<string, unknown> | undefined {
  switch (`${service}:${operation}`) {
    case 'sns:Publish':
      return { MessageId: 'bench' };
    case 'cloudwatch:DescribeAlarms':
      return { MetricAlarms: [], CompositeAlarms: [] };
    default:
      return undefined;
  }
}

/** Closes every client's sockets, so that the many short-lived containers of a run leave nothing open. */
function destroy(clients: AwsClients): void {
  const all: readonly { destroy(): void }[] = Object.values(clients);
  for (const client of all) client.destroy();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
