import { type RuntimeConfig, type RuntimeTarget } from '../contract';
import { EcsDeployer } from '../adapters/ecs-deployer';
import { DynamoDbConfigSource } from '../adapters/dynamodb-config-source';
import { DynamoDbStateStore } from '../adapters/dynamodb-state-store';
import { SnsNotifier } from '../adapters/sns-notifier';
import type { AwsClients } from '../adapters/aws-clients';
import {
  describeRaw,
  parseAlarmEvent,
  parseEcsDeploymentEvent,
  type EventEnvelope,
  type Parsed,
} from '../boundary/events';
import { handleAlarm } from '../use-cases/handle-alarm';
import { handleDeployment } from '../use-cases/handle-deployment';
import { rejectEvent } from '../use-cases/reject-event';
import { Reporter } from '../use-cases/report';
import type { Clock, ConfigSource, Deployer, StateStore, Telemetry } from '../use-cases/ports';

export interface InvocationContext {
  readonly awsRequestId: string;
}

/** The watchdog's entry points, wired to real adapters. The Lambda handlers and the simulator both use it. */
export interface WatchdogRuntime {
  /** `CloudWatch Alarm State Change`. */
  onAlarm(event: unknown, context: InvocationContext): Promise<void>;
  /** `ECS Deployment State Change`. */
  onDeployment(event: unknown, context: InvocationContext): Promise<void>;
}

export interface RuntimeDeps {
  readonly clients: AwsClients;
  readonly tableName: string;
  readonly topicArn: string;
  readonly stackName: string;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  /** Defaults to the config item in the table. */
  readonly configSource?: ConfigSource;
}

export function createRuntime(deps: RuntimeDeps): WatchdogRuntime {
  const store: StateStore = new DynamoDbStateStore({
    client: deps.clients.dynamodb,
    tableName: deps.tableName,
    now: () => deps.clock.now(),
  });
  const configSource =
    deps.configSource ??
    new DynamoDbConfigSource({
      client: deps.clients.dynamodb,
      tableName: deps.tableName,
      now: () => deps.clock.now(),
    });
  const ecs = new EcsDeployer({ client: deps.clients.ecs, telemetry: deps.telemetry });
  const deployerFor = (target: RuntimeTarget): Deployer => {
    switch (target.type) {
      case 'ecs-service':
        return ecs;
      case 'codedeploy':
        throw new TypeError('codedeploy targets are wired in the next step');
    }
  };
  const notifier = new SnsNotifier({ client: deps.clients.sns, topicArn: deps.topicArn });
  const { clock, telemetry } = deps;
  const reporter = new Reporter({ store, notifier, telemetry });
  const useCaseDeps = { store, deployerFor, clock, telemetry, reporter };

  /** Parses, checks the event is from this account and region, and rejects (audited) anything else. */
  async function admit<T>(
    raw: unknown,
    parsed: Parsed<T>,
    requestId: string,
  ): Promise<{ value: T; config: RuntimeConfig } | undefined> {
    if (!parsed.ok) {
      await rejectEvent({ store, clock, telemetry }, raw, parsed, describeRaw(raw), requestId);
      return undefined;
    }
    const config = await configSource.load();
    const foreign = foreignProblem(parsed.envelope, config);
    if (foreign) {
      await rejectEvent({ store, clock, telemetry }, raw, foreign, describeRaw(raw), requestId);
      return undefined;
    }
    return { value: parsed.value, config };
  }

  return {
    async onAlarm(event, context) {
      try {
        const admitted = await admit(event, parseAlarmEvent(event), context.awsRequestId);
        if (admitted) await handleAlarm(useCaseDeps, admitted.config, admitted.value, context.awsRequestId);
      } finally {
        telemetry.flush();
      }
    },
    async onDeployment(event, context) {
      try {
        const admitted = await admit(event, parseEcsDeploymentEvent(event), context.awsRequestId);
        if (!admitted) return;
        const { cluster, service, event: deployment } = admitted.value;
        const target = admitted.config.targets.find(
          (t) => t.type === 'ecs-service' && t.cluster === cluster && t.service === service,
        );
        if (!target) {
          telemetry.log('info', 'deployment event for a service the watchdog does not protect', {
            cluster,
            service,
          });
          return;
        }
        await handleDeployment(useCaseDeps, target, deployment, context.awsRequestId);
      } finally {
        telemetry.flush();
      }
    },
  };
}

function foreignProblem(
  envelope: EventEnvelope,
  config: RuntimeConfig,
): { reason: 'foreign-account' | 'foreign-region'; problems: string[] } | undefined {
  if (envelope.account !== config.account) {
    return {
      reason: 'foreign-account',
      problems: [`$.account: ${envelope.account} is not this watchdog's account ${config.account}`],
    };
  }
  if (envelope.region !== config.region) {
    return {
      reason: 'foreign-region',
      problems: [`$.region: ${envelope.region} is not this watchdog's region ${config.region}`],
    };
  }
  return undefined;
}
