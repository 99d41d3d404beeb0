import {
  ENV,
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
import { DynamoDbConfigSource } from '../adapters/dynamodb-config-source';
import { DynamoDbStateStore } from '../adapters/dynamodb-state-store';
import { SnsNotifier } from '../adapters/sns-notifier';
import { createClientFactory, type AwsClients } from '../adapters/aws-clients';
import type { DeploymentEvent, DeploymentPrincipal } from '../domain';
import {
  describeRaw,
  parseAlarmEvent,
  parseEcsDeploymentEvent,
  type EventEnvelope,
  type Parsed,
} from '../boundary/events';
import type { KindAdapters, KindEnv, TargetKind } from '../kinds/kind';
import { allKinds, eventSourceOf, kindOf } from '../kinds/registry';
import { handleAlarm } from '../use-cases/handle-alarm';
import { handleDeployment, handleDeploymentCall } from '../use-cases/handle-deployment';
import { sweep } from '../use-cases/sweep';
import { handleVersionEvent } from '../use-cases/quarantine';
import type { UseCaseDeps } from '../use-cases/deps';
import { parseVersionEvent } from '../boundary/version-events';
import { EventBridgeVersionBus } from '../adapters/eventbridge-version-bus';
import { rejectEvent } from '../use-cases/reject-event';
import { Reporter } from '../use-cases/report';
import type {
  AuditEntry,
  Clock,
  ConfigSource,
  Deployer,
  KindFacts,
  StateStore,
  Telemetry,
} from '../use-cases/ports';

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
   * An event of the version bus (lambda/contract/quarantine.ts): another region's quarantine, a receipt for one
   * of this region's, or the deployment handler's check of a quarantined version deploying here. Delivered to
   * the alarm handler's function, which acts.
   */
  onVersionEvent(event: unknown, context: InvocationContext): Promise<void>;
  /**
   * An operator command (docs/architecture.md, "Operator URL and CLI"). `principal` is the caller as IAM
   * authenticated it (the Function URL's `requestContext.authorizer.iam`), never something the request says
   * about itself.
   */
  onOperator(request: unknown, principal: string, context: InvocationContext): Promise<OperatorResponse>;
}

/** The runtime as createRuntime builds it: the entry points, and the audit for the Slack endpoint. */
export interface AuditingRuntime extends WatchdogRuntime {
  /**
   * Appends an audit entry through the reporter (never throws: false when the write failed, logged and
   * counted). The Slack endpoint audits the requests it refuses with it.
   */
  audit(entry: AuditEntry): Promise<boolean>;
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
  /**
   * Creates the SDK clients target kinds bring (`lambda`, `appconfig`): the simulator's hook goes here too.
   * @default - createClientFactory() with the region
   */
  readonly kindClient?: KindEnv['client'];
  /** The function's environment, for what the stack created for a kind. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * The stack's version bus (ENV.versionBusName), set when the config lists several regions: quarantines go
   * out through it. @default - the environment's ENV.versionBusName, else none
   */
  readonly versionBusName?: string;
}

export function createRuntime(deps: RuntimeDeps): AuditingRuntime {
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
  const kindAdapters = kindAdaptersFor({
    clients: deps.clients,
    telemetry: deps.telemetry,
    clock: deps.clock,
    client: deps.kindClient ?? createClientFactory(deps.region !== undefined ? { region: deps.region } : {}),
    env: deps.env ?? process.env,
  });
  const alarms = new CloudWatchAlarmReader({ client: deps.clients.cloudwatch });
  const deployerFor = (target: RuntimeTarget): Deployer => kindAdapters(kindOf(target)).deployer;
  const kinds: KindFacts = {
    consoleLinks: (target, region, deploymentRef) =>
      kindOf(target).consoleLinks(target, region, deploymentRef),
    alwaysInspect: (target) => kindOf(target).sweep.alwaysInspect,
    redeployNeedsArtifact: (target) => kindOf(target).redeployNeedsArtifact,
  };
  const notifier = new SnsNotifier({ client: deps.clients.sns, topicArn: deps.topicArn });
  const { clock, telemetry } = deps;
  const reporter = new Reporter({ store, notifier, telemetry, deployerFor });
  const freezer = new CodePipelineFreezer({ client: deps.clients.codepipeline });
  const alarmWriter = new CloudWatchAlarmWriter({ client: deps.clients.cloudwatch });
  const useCaseDeps = {
    store,
    deployerFor,
    kinds,
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

  const admission: AdmissionDeps = { store, clock, telemetry, configSource, kindAdapters };
  const busName = deps.versionBusName ?? (deps.env ?? process.env)[ENV.versionBusName];
  const client =
    deps.kindClient ?? createClientFactory(deps.region !== undefined ? { region: deps.region } : {});
  // With the config: the regions a quarantine must reach are the config's. One region: no bus, nothing sent.
  const withBus = <D extends UseCaseDeps>(d: D, config: RuntimeConfig): D => {
    const peers = (config.regions ?? []).filter((r) => r !== config.region);
    if (busName === undefined || busName === '' || peers.length === 0) return d;
    return {
      ...d,
      versionBus: EventBridgeVersionBus.create(client, {
        busName,
        region: config.region,
        peers,
      }),
    };
  };

  return {
    async onAlarm(event, context) {
      try {
        const admitted = await admitEvent(
          admission,
          event,
          parseAlarmEvent(event, { now: clock.now() }),
          context.awsRequestId,
        );
        if (admitted)
          await handleAlarm(
            withBus(useCaseDeps, admitted.config),
            admitted.config,
            admitted.value,
            context.awsRequestId,
          );
      } finally {
        telemetry.flush();
      }
    },
    async onDeployment(event, context) {
      try {
        const admitted = await admitDeploymentEvent(admission, event, context.awsRequestId);
        if (admitted && 'event' in admitted) {
          const deployDeps = withBus(useCaseDeps, await configSource.load());
          await handleDeployment(deployDeps, admitted.target, admitted.event, context.awsRequestId);
          if (admitted.call)
            await handleDeploymentCall(useCaseDeps, admitted.target, admitted.call, context.awsRequestId);
        } else if (admitted) {
          await handleDeploymentCall(useCaseDeps, admitted.target, admitted.call, context.awsRequestId);
        }
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
        const config = await configSource.load();
        return await handleOperator(
          withBus(
            { ...useCaseDeps, alarmWriter, actingBudgetMs: FUNCTION_TIMEOUT_SECONDS.operator * 1000 },
            config,
          ),
          config,
          parsed.request,
          principal,
          context.awsRequestId,
        );
      } finally {
        telemetry.flush();
      }
    },
    audit(entry) {
      return reporter.audit(entry);
    },
    async onSweep(_event, context) {
      try {
        const config = await configSource.load();
        await sweep(
          withBus({ ...useCaseDeps, alarms, actingBudgetMs: FUNCTION_TIMEOUT_SECONDS.sweep * 1000 }, config),
          config,
          context.awsRequestId,
        );
      } finally {
        telemetry.flush();
      }
    },
    async onVersionEvent(event, context) {
      try {
        const admitted = await admitEvent(
          admission,
          event,
          parseVersionEvent(event, { now: clock.now() }),
          context.awsRequestId,
          // Forwarded from another region's bus: the envelope names the region it was put in.
          'any-configured-region',
        );
        if (admitted)
          await handleVersionEvent(
            withBus(useCaseDeps, admitted.config),
            admitted.config,
            admitted.value,
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
  /** Each kind's adapters (for matching a deployment event to its target). */
  readonly kindAdapters?: (kind: TargetKind) => KindAdapters;
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
  /** `any-configured-region`: an event from any region of the config is ours (the version bus's). */
  regions: 'own-region' | 'any-configured-region' = 'own-region',
): Promise<Admitted<T> | undefined> {
  const { store, clock, telemetry } = deps;
  if (!parsed.ok) {
    await rejectEvent({ store, clock, telemetry }, raw, parsed, describeRaw(raw), requestId);
    return undefined;
  }
  const config = await deps.configSource.load();
  const foreign = foreignProblem(parsed.envelope, config, regions === 'any-configured-region');
  if (foreign) {
    await rejectEvent({ store, clock, telemetry }, raw, foreign, describeRaw(raw), requestId);
    return undefined;
  }
  return { value: parsed.value, config };
}

/** A deployment event, or the CloudTrail record of the call that started a deployment, of a protected target. */
export type AdmittedDeployment =
  | {
      readonly target: RuntimeTarget;
      readonly event: DeploymentEvent;
      /** Who made the call, when the CloudTrail record is itself the deployment (a Lambda alias update). */
      readonly call?: { readonly key: string; readonly principal: DeploymentPrincipal };
    }
  | {
      readonly target: RuntimeTarget;
      readonly call: { readonly key: string; readonly principal: DeploymentPrincipal };
    };

/**
 * The deployment entry point's admission: the event is parsed by the target kind whose event source its envelope
 * names (lambda/kinds/registry.ts), admitted as admitEvent does, and matched to the configured target it is
 * about. An envelope no kind knows is parsed as an ECS deployment event, whose problems then say what was
 * expected. A deployment of a resource the watchdog does not protect, a failed call and an UpdateService that
 * only scales are logged and give undefined, like a rejected event.
 */
export async function admitDeploymentEvent(
  deps: AdmissionDeps,
  raw: unknown,
  requestId: string,
): Promise<AdmittedDeployment | undefined> {
  const now = deps.clock.now();
  const found = eventSourceOf(raw);
  if (!found) {
    await admitEvent(deps, raw, parseEcsDeploymentEvent(raw, { now }), requestId);
    return undefined;
  }
  const admitted = await admitEvent(deps, raw, found.source.parse(raw, { now }), requestId);
  if (!admitted) return undefined;
  const parsed = admitted.value;
  if (parsed.kind === 'ignored') {
    deps.telemetry.log(parsed.level, parsed.message, { ...parsed.fields });
    return undefined;
  }
  const adapters = deps.kindAdapters?.(found.kind);
  let target: RuntimeTarget | undefined;
  for (const candidate of admitted.config.targets) {
    if (candidate.type !== found.kind.type) continue;
    const owns = adapters
      ? await adapters.owns(candidate, parsed.identity)
      : found.kind.identityFields.every(
          (f) => (candidate as unknown as Record<string, unknown>)[f] === parsed.identity[f],
        );
    if (owns) {
      target = candidate;
      break;
    }
  }
  if (!target) {
    deps.telemetry.log(
      'info',
      `${parsed.kind === 'call' ? 'deployment call' : 'deployment event'} for a target the watchdog does not protect`,
      { kind: found.kind.label, ...parsed.identity },
    );
    return undefined;
  }
  if (parsed.kind === 'call') return { target, call: { key: parsed.key, principal: parsed.principal } };
  return { target, event: parsed.event, ...(parsed.principal ? { call: parsed.principal } : {}) };
}

/** Creates each kind's adapters on first use, once per container. */
function kindAdaptersFor(env: KindEnv): (kind: TargetKind) => KindAdapters {
  const made = new Map<string, KindAdapters>();
  return (kind) => {
    let adapters = made.get(kind.type);
    if (!adapters) {
      adapters = kind.createAdapters(env);
      made.set(kind.type, adapters);
    }
    return adapters;
  };
}

/** Every kind's event sources, for routing (the simulator's and the stack's rules). */
export const deploymentEventSources = () => allKinds().flatMap((k) => k.events);

function foreignProblem(
  envelope: EventEnvelope,
  config: RuntimeConfig,
  anyConfiguredRegion = false,
): { reason: 'foreign-account' | 'foreign-region'; problems: string[] } | undefined {
  if (envelope.account !== config.account) {
    return {
      reason: 'foreign-account',
      problems: [`$.account: ${envelope.account} is not this watchdog's account ${config.account}`],
    };
  }
  if (anyConfiguredRegion && (config.regions ?? []).includes(envelope.region)) return undefined;
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
