import type { NotificationLink, RuntimeTarget } from '../contract';
import type { DeploymentEvent, DeploymentPrincipal, Millis } from '../domain';
import type { AwsClients } from '../adapters/aws-clients';
import type { Parsed } from '../boundary/events';
import type { Clock, Deployer, Telemetry } from '../use-cases/ports';

/**
 * One kind of rollback target (docs/architecture.md, "Target kinds"): everything the Lambda runtime needs to
 * know about `ecs-service`, `codedeploy`, `lambda-alias` or `appconfig`, in one value. The registry
 * (`./registry.ts`) lists them; the runtime, the operator use cases, the CLI and the simulator read it. The engine
 * and the use cases never name a kind: they see `Deployer`s, links and the sweep policy through their deps.
 *
 * The config schema of a kind is in `./<kind>/config.ts` (zod, for the CLI and synth only), its simulated
 * account in `./<kind>/sim.ts`, its CDK grants and rules in `lib/kinds/<kind>.ts`.
 */
export interface TargetKind<T extends RuntimeTarget = RuntimeTarget> {
  readonly type: T['type'];
  /** What a person calls one: `ECS service`, `Lambda alias`. */
  readonly label: string;
  /** The fields that name the resource, in the order people say them (`cluster`, `service`). */
  readonly identityFields: readonly (keyof T & string)[];
  /** The resource in words, for messages and errors: `ECS service checkout in cluster prod`. */
  describe(target: T): string;
  /** The resource in one short token for tables: `prod/checkout`. */
  resource(target: T): string;
  /** Creates the kind's adapters once per container. */
  createAdapters(env: KindEnv): KindAdapters<T>;
  /** Console links about the target (after the runbook and alarm links every message starts with). */
  consoleLinks(target: T, region: string, deploymentRef?: string): NotificationLink[];
  /** What the reconcile sweep must do for targets of this kind. */
  readonly sweep: SweepPolicy;
  /**
   * A manual rollback to a version the ledger has no artifact for cannot be carried out (CodeDeploy: the
   * revision location is needed to deploy it again).
   */
  readonly redeployNeedsArtifact: boolean;
  /** The EventBridge events this kind's targets are told about (deployment state changes, CloudTrail calls). */
  readonly events: readonly KindEventSource[];
}

export interface SweepPolicy {
  /**
   * Read the live target on every sweep even when nothing is firing or pending: the platform's events cannot
   * be relied on to report every deployment (CodeDeploy's can be lost; a Lambda alias has no event without a
   * trail).
   */
  readonly alwaysInspect: boolean;
}

/** A kind's adapters, created once per container. */
export interface KindAdapters<T extends RuntimeTarget = RuntimeTarget> {
  readonly deployer: Deployer;
  /**
   * Whether `target` is the resource an event names (`KindEvent.identity`). Most kinds compare the identity
   * fields (`ownsByIdentity`); a kind whose config may name by name what events name by id (AppConfig) resolves
   * the names first.
   */
  owns(target: T, identity: Readonly<Record<string, string>>): boolean | Promise<boolean>;
}

/** What a kind's adapters are built from. */
export interface KindEnv {
  /**
   * The SDK client `name` (`lambda`, `appconfig`), created once with the watchdog's retry and timeout settings
   * and the simulator's hook: `make` receives the settings to pass to the client's constructor.
   */
  client<C extends object>(name: string, make: (settings: ClientSettings) => C): C;
  /** The clients every watchdog has (ECS, CodeDeploy, CloudWatch, ...). */
  readonly clients: AwsClients;
  readonly telemetry: Telemetry;
  /** The runtime's clock (virtual time in the simulator): what an adapter dates, it dates with this. */
  readonly clock: Clock;
  /**
   * The function's environment, for what the stack created for the kind (`WATCHDOG_APPCONFIG_STRATEGY_ID`);
   * the simulator sets the same names.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Constructor settings of every SDK client (region, credentials, retries, timeouts). */
export type ClientSettings = Record<string, unknown>;

/**
 * One kind of EventBridge event a kind understands. `matches` is cheap and looks at the envelope only
 * (`source`, `detail-type`, CloudTrail's `eventSource`); `parse` validates the rest. The deployment handler
 * asks every kind's sources in turn, so two sources must never match the same event.
 */
export interface KindEventSource {
  /** For the EventBridge rule and the simulator's routing: what the event's envelope says. */
  readonly source: string;
  readonly detailType: string;
  /** CloudTrail records only: `detail.eventSource` and the `detail.eventName`s the rule lets through. */
  readonly cloudTrail?: { readonly eventSource: string; readonly eventNames: readonly string[] };
  matches(raw: unknown): boolean;
  parse(raw: unknown, options: { readonly now: Millis }): Parsed<KindEvent>;
}

/**
 * A parsed event: which resource it is about (its identity fields as strings, matched against each configured
 * target of the kind), and what it tells.
 */
export type KindEvent =
  | {
      readonly kind: 'deployment';
      readonly identity: Readonly<Record<string, string>>;
      readonly event: DeploymentEvent;
      /** Who made the call, when the event is a CloudTrail record that also is the deployment (UpdateAlias). */
      readonly principal?: { readonly key: string; readonly principal: DeploymentPrincipal };
    }
  | {
      /** A CloudTrail record naming who started a deployment the platform reports by its own events. */
      readonly kind: 'call';
      readonly identity: Readonly<Record<string, string>>;
      readonly key: string;
      readonly principal: DeploymentPrincipal;
    }
  /** Nothing to do (a failed call, an UpdateService that only scales): logged at `level`, not audited. */
  | {
      readonly kind: 'ignored';
      readonly level: 'info' | 'debug';
      readonly message: string;
      readonly fields: Readonly<Record<string, string>>;
    };

/** Whether a configured target is the resource an event names: every identity field is equal. */
export function ownsByIdentity<T extends RuntimeTarget>(
  fields: readonly (keyof T & string)[],
  target: T,
  identity: Readonly<Record<string, string>>,
): boolean {
  const values = target as unknown as Readonly<Record<string, unknown>>;
  return fields.every((f) => values[f] === identity[f]);
}
