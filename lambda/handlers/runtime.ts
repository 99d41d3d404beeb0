import {
  DETAIL_TYPE,
  EVENT_SOURCE,
  FUNCTION_TIMEOUT_SECONDS,
  RETENTION,
  type OperatorResponse,
  type RuntimeConfig,
  type RuntimeTarget,
} from '../contract';
import { CloudWatchAlarmWriter } from '../adapters/cloudwatch-alarm-writer';
import { CodePipelineFreezer } from '../adapters/codepipeline-freezer';
import { parseOperatorRequest } from '../boundary/operator-request';
import { handleOperator } from '../use-cases/operator';
import { CloudWatchAlarmReader } from '../adapters/cloudwatch-alarm-reader';
import { CodeDeployDeployer } from '../adapters/codedeploy-deployer';
import { EcsDeployer } from '../adapters/ecs-deployer';
import { DynamoDbConfigSource } from '../adapters/dynamodb-config-source';
import { DynamoDbStateStore } from '../adapters/dynamodb-state-store';
import { SnsNotifier } from '../adapters/sns-notifier';
import type { AwsClients } from '../adapters/aws-clients';
import type { DeploymentEvent, DeploymentPrincipal } from '../domain';
import { parseDeploymentCallEvent } from '../boundary/cloudtrail-events';
import {
  describeRaw,
  parseAlarmEvent,
  parseCodeDeployEvent,
  parseEcsDeploymentEvent,
  type EventEnvelope,
  type Parsed,
} from '../boundary/events';
import { handleAlarm } from '../use-cases/handle-alarm';
import { handleDeployment, handleDeploymentCall } from '../use-cases/handle-deployment';
import { sweep } from '../use-cases/sweep';
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
  /**
   * `ECS Deployment State Change`, `CodeDeploy Deployment State-change Notification`, and the CloudTrail
   * records of the calls that start deployments (`AWS API Call via CloudTrail`), which name who deployed.
   */
  onDeployment(event: unknown, context: InvocationContext): Promise<void>;
  /** The scheduled reconcile sweep (the event itself carries nothing it needs). */
  onSweep(event: unknown, context: InvocationContext): Promise<void>;
  /**
   * An operator command (docs/architecture.md, "Operator URL and CLI"). `principal` is the caller as IAM
   * authenticated it (the Function URL's `requestContext.authorizer.iam`), never something the request says
   * about itself.
   */
  onOperator(request: unknown, principal: string, context: InvocationContext): Promise<OperatorResponse>;
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
  /** For console links in notifications (the Lambda's AWS_REGION). @default - no links */
  readonly region?: string;
}

export function createRuntime(deps: RuntimeDeps): WatchdogRuntime {
  const configSource =
    deps.configSource ??
    new DynamoDbConfigSource({
      client: deps.clients.dynamodb,
      tableName: deps.tableName,
      now: () => deps.clock.now(),
    });
  const store: StateStore = new DynamoDbStateStore({
    client: deps.clients.dynamodb,
    tableName: deps.tableName,
    now: () => deps.clock.now(),
    // From the cached config: decisions have loaded it already, so only an event rejected before the config
    // was needed (on a cold container) reads it for its audit item.
    auditRetentionDays: async () => (await configSource.load()).auditRetentionDays ?? RETENTION.auditDays,
  });
  const ecs = new EcsDeployer({ client: deps.clients.ecs, telemetry: deps.telemetry });
  const codeDeploy = new CodeDeployDeployer({ client: deps.clients.codedeploy, telemetry: deps.telemetry });
  const alarms = new CloudWatchAlarmReader({ client: deps.clients.cloudwatch });
  const deployerFor = (target: RuntimeTarget): Deployer => {
    switch (target.type) {
      case 'ecs-service':
        return ecs;
      case 'codedeploy':
        return codeDeploy;
    }
  };
  const notifier = new SnsNotifier({ client: deps.clients.sns, topicArn: deps.topicArn });
  const { clock, telemetry } = deps;
  const reporter = new Reporter({ store, notifier, telemetry, deployerFor });
  const freezer = new CodePipelineFreezer({ client: deps.clients.codepipeline });
  const alarmWriter = new CloudWatchAlarmWriter({ client: deps.clients.cloudwatch });
  const useCaseDeps = {
    store,
    deployerFor,
    clock,
    telemetry,
    reporter,
    freezer,
    ...(deps.region !== undefined ? { region: deps.region } : {}),
    stackName: deps.stackName,
    // Every target lives in the watchdog's account, and the topic's ARN names it before any config is read.
    ...accountOf(deps.topicArn),
    actingBudgetMs: FUNCTION_TIMEOUT_SECONDS.event * 1000,
  };

  const admission: AdmissionDeps = { store, clock, telemetry, configSource };

  return {
    async onAlarm(event, context) {
      try {
        const admitted = await admitEvent(
          admission,
          event,
          parseAlarmEvent(event, { now: clock.now() }),
          context.awsRequestId,
        );
        if (admitted) await handleAlarm(useCaseDeps, admitted.config, admitted.value, context.awsRequestId);
      } finally {
        telemetry.flush();
      }
    },
    async onDeployment(event, context) {
      try {
        const admitted = await admitDeploymentEvent(admission, event, context.awsRequestId);
        if (admitted && 'call' in admitted)
          await handleDeploymentCall(useCaseDeps, admitted.target, admitted.call, context.awsRequestId);
        else if (admitted)
          await handleDeployment(useCaseDeps, admitted.target, admitted.event, context.awsRequestId);
      } finally {
        telemetry.flush();
      }
    },
    async onOperator(request, principal, context) {
      try {
        const parsed = parseOperatorRequest(request);
        if (!parsed.ok)
          return { ok: false, error: { code: 'invalid-request', message: parsed.problems.join('; ') } };
        telemetry.log('info', 'operator command', { command: parsed.request.command, principal });
        return await handleOperator(
          { ...useCaseDeps, alarmWriter, actingBudgetMs: FUNCTION_TIMEOUT_SECONDS.operator * 1000 },
          await configSource.load(),
          parsed.request,
          principal,
          context.awsRequestId,
        );
      } finally {
        telemetry.flush();
      }
    },
    async onSweep(_event, context) {
      try {
        await sweep(
          { ...useCaseDeps, alarms, actingBudgetMs: FUNCTION_TIMEOUT_SECONDS.sweep * 1000 },
          await configSource.load(),
          context.awsRequestId,
        );
      } finally {
        telemetry.flush();
      }
    },
  };
}

/** What admitting an event needs: where rejections are audited, and the config that says what is ours. */
export interface AdmissionDeps {
  readonly store: StateStore;
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly configSource: ConfigSource;
}

/** An event the watchdog will decide on, with the config it was admitted under. */
export interface Admitted<T> {
  readonly value: T;
  readonly config: RuntimeConfig;
}

/**
 * The first step of every event entry point: an event that did not parse, or that comes from another account
 * or region than the watchdog's, is rejected and audited (never retried: a retry cannot make it valid), and
 * undefined is returned; anything else comes back with the config it is to be decided under.
 */
export async function admitEvent<T>(
  deps: AdmissionDeps,
  raw: unknown,
  parsed: Parsed<T>,
  requestId: string,
): Promise<Admitted<T> | undefined> {
  const { store, clock, telemetry } = deps;
  if (!parsed.ok) {
    await rejectEvent({ store, clock, telemetry }, raw, parsed, describeRaw(raw), requestId);
    return undefined;
  }
  const config = await deps.configSource.load();
  const foreign = foreignProblem(parsed.envelope, config);
  if (foreign) {
    await rejectEvent({ store, clock, telemetry }, raw, foreign, describeRaw(raw), requestId);
    return undefined;
  }
  return { value: parsed.value, config };
}

/** A deployment event, or the CloudTrail record of the call that started a deployment, of a protected target. */
export type AdmittedDeployment =
  | { readonly target: RuntimeTarget; readonly event: DeploymentEvent }
  | {
      readonly target: RuntimeTarget;
      readonly call: { readonly key: string; readonly principal: DeploymentPrincipal };
    };

/**
 * The deployment entry point's admission: an ECS or CodeDeploy deployment event (told apart by its source), or
 * a deployment call's CloudTrail record (by its detail type), admitted as admitEvent does, and the configured
 * target it is about. A deployment of a service or group the watchdog does not protect, a failed call and an
 * UpdateService that only scales are logged and give undefined, like a rejected event.
 */
export async function admitDeploymentEvent(
  deps: AdmissionDeps,
  raw: unknown,
  requestId: string,
): Promise<AdmittedDeployment | undefined> {
  const now = deps.clock.now();
  if (isCloudTrailCall(raw)) return admitDeploymentCall(deps, raw, requestId);
  if (isCodeDeploy(raw)) {
    const admitted = await admitEvent(deps, raw, parseCodeDeployEvent(raw, { now }), requestId);
    if (!admitted) return undefined;
    const { application, deploymentGroup, event } = admitted.value;
    const target = admitted.config.targets.find(
      (t) =>
        t.type === 'codedeploy' && t.application === application && t.deploymentGroup === deploymentGroup,
    );
    if (!target)
      deps.telemetry.log('info', 'deployment event for a group the watchdog does not protect', {
        application,
        deploymentGroup,
      });
    return target && { target, event };
  }
  const admitted = await admitEvent(deps, raw, parseEcsDeploymentEvent(raw, { now }), requestId);
  if (!admitted) return undefined;
  const { cluster, service, event } = admitted.value;
  const target = admitted.config.targets.find(
    (t) => t.type === 'ecs-service' && t.cluster === cluster && t.service === service,
  );
  if (!target)
    deps.telemetry.log('info', 'deployment event for a service the watchdog does not protect', {
      cluster,
      service,
    });
  return target && { target, event };
}

/**
 * A CloudTrail record of a deployment call, matched to its target as the deployment events are: ECS by the
 * service ARN the call answered with, CodeDeploy by the application and group the request named.
 */
async function admitDeploymentCall(
  deps: AdmissionDeps,
  raw: unknown,
  requestId: string,
): Promise<AdmittedDeployment | undefined> {
  const parsed = parseDeploymentCallEvent(raw, { now: deps.clock.now() });
  const admitted = await admitEvent(deps, raw, parsed, requestId);
  if (!admitted) return undefined;
  const call = admitted.value;
  switch (call.kind) {
    case 'failed':
      deps.telemetry.log('info', 'a deployment call that failed deployed nothing', {
        eventName: call.eventName,
        errorCode: call.errorCode,
      });
      return undefined;
    case 'scaling':
      deps.telemetry.log('debug', 'an UpdateService that only scales started no deployment', {
        cluster: call.cluster,
        service: call.service,
      });
      return undefined;
    case 'deployment': {
      const target = admitted.config.targets.find((t) =>
        call.platform === 'ecs'
          ? t.type === 'ecs-service' && t.cluster === call.cluster && t.service === call.service
          : t.type === 'codedeploy' &&
            t.application === call.application &&
            t.deploymentGroup === call.deploymentGroup,
      );
      if (!target)
        deps.telemetry.log('info', 'deployment call for a target the watchdog does not protect', {
          ...(call.platform === 'ecs'
            ? { cluster: call.cluster, service: call.service }
            : { application: call.application, deploymentGroup: call.deploymentGroup }),
        });
      return target && { target, call: { key: call.key, principal: call.principal } };
    }
  }
}

function isCloudTrailCall(raw: unknown): boolean {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    (raw as { 'detail-type'?: unknown })['detail-type'] === DETAIL_TYPE.cloudTrailApiCall
  );
}

function isCodeDeploy(raw: unknown): boolean {
  return (
    typeof raw === 'object' &&
    raw !== null &&
    (raw as { source?: unknown }).source === EVENT_SOURCE.codedeploy
  );
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

/** `{ account }` from an ARN (`arn:aws:sns:<region>:<account>:<name>`), `{}` when it names none. */
function accountOf(arn: string): { account?: string } {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? { account } : {};
}
