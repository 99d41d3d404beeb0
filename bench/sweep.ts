import { createAwsClients, type AwsClients } from '../lambda/adapters/aws-clients';
import { CloudWatchAlarmReader } from '../lambda/adapters/cloudwatch-alarm-reader';
import { CodeDeployDeployer } from '../lambda/adapters/codedeploy-deployer';
import { CodePipelineFreezer } from '../lambda/adapters/codepipeline-freezer';
import { DynamoDbStateStore } from '../lambda/adapters/dynamodb-state-store';
import { EcsDeployer } from '../lambda/adapters/ecs-deployer';
import { startEmbeddedDynalite } from '../lambda/adapters/embedded-dynalite';
import { SnsNotifier } from '../lambda/adapters/sns-notifier';
import { DEFAULT_POLICY, type RuntimeConfig, type RuntimeTarget } from '../lambda/contract';
import type { Telemetry } from '../lambda/use-cases/ports';
import { Reporter } from '../lambda/use-cases/report';
import { SWEEP_CONCURRENCY, sweep } from '../lambda/use-cases/sweep';
import { installLatency, type CannedAnswer, type LatencyProbe } from './support/canned-aws';

/**
 * Issue 15: the reconcile sweep over 1,000 ECS targets in its worst case, every target needing a look (here:
 * every trigger alarm in ALARM, as in an outage of a shared dependency), on the real use case and adapters
 * (DynamoDB on dynalite). Every AWS call waits `latencyMs`; the sweep must finish within its 5-minute
 * interval and keep each ECS read API well under its throttling bucket.
 */
export interface SweepBenchResult {
  readonly targets: number;
  readonly concurrency: number;
  readonly latencyMs: number;
  readonly seconds: number;
  /** Calls per second of each API over the whole sweep (reads and writes). */
  readonly callsPerSecond: Record<string, number>;
  /** The most calls of one ECS API started within any one second. */
  readonly peakEcsCallsInOneSecond: number;
  readonly withinInterval: boolean;
}

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const DAY = 24 * 60 * 60_000;
const SWEEP_INTERVAL_SECONDS = 5 * 60;
const noTelemetry: Telemetry = { log() {}, count() {}, flush() {} };

function fleet(targets: number): RuntimeConfig {
  return {
    schemaVersion: 1,
    account: ACCOUNT,
    region: REGION,
    maxEventAgeMinutes: 60,
    sweepIntervalMinutes: 5,
    targets: Array.from({ length: targets }, (_, i): RuntimeTarget => {
      const id = `service-${String(i).padStart(4, '0')}`;
      return {
        id,
        type: 'ecs-service',
        cluster: 'production',
        service: `${id}-api`,
        alarms: [`${id}-api-http-5xx-rate`, `${id}-api-p99-latency`],
        policy: { ...DEFAULT_POLICY },
      };
    }),
  };
}

/** Every service runs the version it has run for a day; every alarm has been in ALARM for ten minutes. */
function answer(): CannedAnswer {
  const since = new Date(Date.now() - 10 * 60_000);
  const deployed = new Date(Date.now() - DAY);
  return (service, operation, input) => {
    switch (`${service}:${operation}`) {
      case 'cloudwatch:DescribeAlarms':
        return {
          MetricAlarms: (input.AlarmNames as string[]).map((name) => ({
            AlarmName: name,
            AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`,
            StateValue: 'ALARM',
            StateReason: 'Threshold Crossed',
            StateTransitionedTimestamp: since,
          })),
          CompositeAlarms: [],
        };
      case 'ecs:DescribeServices': {
        const name = (input.services as string[])[0];
        const td = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${name}:7`;
        return {
          services: [
            {
              serviceName: name,
              status: 'ACTIVE',
              taskDefinition: td,
              deploymentController: { type: 'ECS' },
              deployments: [
                {
                  id: 'ecs-svc/1',
                  status: 'PRIMARY',
                  taskDefinition: td,
                  rolloutState: 'COMPLETED',
                  createdAt: deployed,
                  updatedAt: deployed,
                },
              ],
            },
          ],
          failures: [],
        };
      }
      case 'ecs:ListServiceDeployments':
        return { serviceDeployments: [] };
      case 'ecs:DescribeTaskDefinition':
        return { taskDefinition: { containerDefinitions: [{ name: 'web', image: 'web:1' }] } };
      case 'sns:Publish':
        return { MessageId: 'bench' };
      default:
        return undefined;
    }
  };
}

export async function benchSweep(
  targets = 1000,
  concurrency = SWEEP_CONCURRENCY,
  latencyMs = 50,
): Promise<SweepBenchResult> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const db = await startEmbeddedDynalite();
  let clients: AwsClients | undefined;
  try {
    const tableName = await db.createTable();
    const config = fleet(targets);
    const probe: LatencyProbe = { latencyMs, answer: answer(), calls: [], waited: [] };
    clients = createAwsClients({
      region: REGION,
      endpoint: { dynamodb: db.endpoint },
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
      configure: (client, name) => installLatency(client, name, probe),
    });
    const clock = { now: () => Date.now() };
    const store = new DynamoDbStateStore({ client: clients.dynamodb, tableName, now: clock.now });
    const ecs = new EcsDeployer({ client: clients.ecs, telemetry: noTelemetry });
    const codeDeploy = new CodeDeployDeployer({ client: clients.codedeploy, telemetry: noTelemetry });
    const deployerFor = (t: RuntimeTarget) => (t.type === 'ecs-service' ? ecs : codeDeploy);
    const notifier = new SnsNotifier({ client: clients.sns, topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:w` });
    const reporter = new Reporter({ store, notifier, telemetry: noTelemetry, deployerFor });
    const deps = {
      store,
      deployerFor,
      clock,
      telemetry: noTelemetry,
      reporter,
      freezer: new CodePipelineFreezer({ client: clients.codepipeline }),
      alarms: new CloudWatchAlarmReader({ client: clients.cloudwatch }),
    };
    const start = performance.now();
    await sweep(deps, config, 'bench-sweep', concurrency);
    const seconds = (performance.now() - start) / 1000;
    const perApi = new Map<string, number[]>();
    for (const call of probe.calls) perApi.set(call.api, [...(perApi.get(call.api) ?? []), call.at]);
    const callsPerSecond = Object.fromEntries(
      [...perApi].map(([api, at]) => [api, Math.round((at.length / seconds) * 10) / 10]),
    );
    let peak = 0;
    for (const [api, at] of perApi) {
      if (!api.startsWith('ecs:')) continue;
      for (let i = 0, j = 0; i < at.length; i++) {
        while (at[i] - at[j] >= 1000) j++;
        peak = Math.max(peak, i - j + 1);
      }
    }
    return {
      targets,
      concurrency,
      latencyMs,
      seconds: Math.round(seconds * 10) / 10,
      callsPerSecond,
      peakEcsCallsInOneSecond: peak,
      withinInterval: seconds < SWEEP_INTERVAL_SECONDS,
    };
  } finally {
    if (clients) for (const c of Object.values(clients) as { destroy(): void }[]) c.destroy();
    await db.stop();
  }
}
