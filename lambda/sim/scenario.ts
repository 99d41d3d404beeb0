import { allSimKinds } from '../kinds/sim-registry';
import type {
  AlarmStateValue,
  NotificationKind,
  OperatorRequest,
  Outcome,
  ReasonCode,
  WatchdogConfig,
} from '../contract';
import type { DeploymentStatus } from '../domain';

/**
 * A validated scenario (docs/architecture.md, "Scenario files") with every time resolved to epoch
 * milliseconds and every default applied. Produced only by `parseScenario`.
 */
export interface Scenario {
  readonly name: string;
  /** Free text shown under the name in the readable output. */
  readonly description?: string;
  readonly startMs: number;
  readonly untilMs: number;
  readonly config: WatchdogConfig;
  readonly world: WorldSpec;
  /** Sorted by time; entries with equal times keep their file order. */
  readonly timeline: readonly TimelineEntry[];
  readonly expect?: Expectations;
}

export interface WorldSpec {
  readonly ecsServices: readonly EcsServiceSpec[];
  readonly codeDeployGroups: readonly CodeDeployGroupSpec[];
  readonly alarms: readonly AlarmSpec[];
  /** Versions that make the alarms watching their target fire once they serve. */
  readonly badVersions: readonly string[];
  /** Versions whose deployment fails at the end of its rollout (ECS circuit breaker, CodeDeploy FAILURE). */
  readonly failingVersions: readonly string[];
  /**
   * Versions whose images (ECS) or revision (CodeDeploy, Lambda version, AppConfig version) are deleted after
   * they first served, as a retention policy does: they deploy and serve normally the first time; the viability
   * reads (ECR DescribeImages, GetApplicationRevision, ...) report them missing; and a later deployment onto one
   * (a rollback) fails after `rolloutSeconds`, leaving the target on what it ran.
   */
  readonly unavailableVersions: readonly string[];
  /**
   * Calls that fail: every call of `api` (on `target`, when given) throws `error`, as AWS would refuse it
   * (a denied grant, a service gone). The world is unchanged by a failed call.
   */
  readonly faults: readonly FaultSpec[];
  /**
   * Several regions (config `regions`): the version bus carries an event between region worlds after
   * `delaySeconds`, `deliveries` times (at-least-once delivery).
   */
  readonly crossRegion: { readonly delaySeconds: number; readonly deliveries: number };
  /** A region that cannot be reached from `fromMs` to `untilMs`: cross-region events to or from it are lost. */
  readonly outages: readonly { readonly region: string; readonly fromMs: number; readonly untilMs: number }[];
  /**
   * What the platform records about a version beside it, by version (`family:revision` or a revision label
   * `name@rev`): on ECS, the task definition's tags (DescribeTaskDefinition with `include: ['TAGS']`).
   */
  readonly versions: Readonly<Record<string, VersionSpec>>;
  /**
   * The CodePipeline pipelines of the account, every stage transition enabled at start. Absent from the file:
   * exactly the pipelines and stages the config's `freeze` entries name.
   */
  readonly pipelines: readonly PipelineSpec[];
  /**
   * The sections of the target kinds that bring their own world (lambda/kinds/sim-registry.ts), by world key
   * (`lambdaAliases`, `appConfigEnvironments`), each entry as the kind's schema parsed it.
   */
  readonly kinds: Readonly<Record<string, readonly unknown[]>>;
}

/** One entry of `world.versions`. */
export interface VersionSpec {
  /** The database schema level the version migrates to: the tag `rollback-watchdog:schema`. */
  readonly schema?: number;
  /**
   * The oldest application schema level that still runs on the database after the version's migration: the
   * tag `rollback-watchdog:min-compatible-schema`.
   */
  readonly minCompatibleSchema?: number;
  /** Further tags as written (any value, so a scenario can give a malformed one); they win over the two above. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface PipelineSpec {
  readonly name: string;
  /** Stage names, in pipeline order. */
  readonly stages: readonly string[];
}

export interface EcsServiceSpec {
  readonly cluster: string;
  readonly service: string;
  /** With several regions (config `regions`): the region it is in. @default the home region */
  readonly region?: string;
  /** `family:revision` running at start. */
  readonly taskDefinition: string;
  readonly rolloutSeconds: number;
  /**
   * ECS's `deploymentConfiguration.strategy`. ROLLING replaces tasks over `rolloutSeconds`. The traffic-shifting
   * ones start the new revision (green) beside the old one (blue) for `rolloutSeconds`, move production traffic
   * to it (BLUE_GREEN at once, LINEAR in steps, CANARY a share first), keep blue running for `bakeTimeInMinutes`
   * after the last step and only then complete.
   */
  readonly strategy: EcsSimStrategy;
  /** ECS's bake time after the last traffic step (not the watchdog's own `bakeMinutes` policy). */
  readonly bakeTimeInMinutes: number;
  /** LINEAR: the share each step adds and the wait after each step but the last. */
  readonly linear: { readonly stepPercent: number; readonly stepBakeMinutes: number };
  /** CANARY: the first share and the wait before the rest follows. */
  readonly canary: { readonly canaryPercent: number; readonly canaryBakeMinutes: number };
}

export const ECS_SIM_STRATEGIES = ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] as const;
export type EcsSimStrategy = (typeof ECS_SIM_STRATEGIES)[number];

export { ECS_CANARY_DEFAULTS, ECS_LINEAR_DEFAULTS } from '../contract';

export interface CodeDeployGroupSpec {
  readonly application: string;
  readonly deploymentGroup: string;
  /** With several regions (config `regions`): the region it is in. @default the home region */
  readonly region?: string;
  /** Revision label `name@rev` running at start (deployed as the GitHub revision `name` at commit `rev`). */
  readonly revision: string;
  readonly rolloutSeconds: number;
  /** State-change events of this group that are never delivered (the world still changes). */
  readonly lostEvents: readonly LosableCodeDeployState[];
}

/** The CodeDeploy event states a scenario may declare lost (CodeDeploy delivery is best effort). */
export const LOSABLE_CODEDEPLOY_STATES = ['START', 'SUCCESS', 'FAILURE', 'STOP'] as const;
export type LosableCodeDeployState = (typeof LOSABLE_CODEDEPLOY_STATES)[number];

export interface AlarmSpec {
  readonly name: string;
  /** The target id whose versions drive this alarm; absent for an alarm only the timeline changes. */
  readonly watches?: string;
  /** With several regions (config `regions`): the region it is in. @default the home region */
  readonly region?: string;
  readonly delaySeconds: number;
  readonly state: AlarmStateValue;
  /** How many times each transition event is delivered (at-least-once delivery). */
  readonly deliveries: number;
}

export type TimelineAction =
  | {
      readonly kind: 'deploy';
      readonly target: string;
      readonly version: string;
      /** Who deploys: the world also emits the call's CloudTrail record, naming this principal. */
      readonly by?: string;
      readonly region?: string;
    }
  | {
      readonly kind: 'alarm';
      readonly name: string;
      readonly state: AlarmStateValue;
      readonly reason?: string;
      readonly deliveries?: number;
      readonly region?: string;
    }
  | { readonly kind: 'event'; readonly event: unknown }
  | {
      readonly kind: 'command';
      /** As written in the scenario, command name first (`["pause", "checkout"]`). */
      readonly args: readonly string[];
      /** What the CLI makes of `args`: the request the operator function receives. */
      readonly request: OperatorRequest;
      /** The region whose watchdog it goes to. @default the home region */
      readonly region?: string;
    };

export interface TimelineEntry {
  /** Position in the scenario file: `$.timeline[index]`. */
  readonly index: number;
  readonly atMs: number;
  readonly action: TimelineAction;
}

export interface FaultSpec {
  /** `service:Operation`, as `calls` names APIs. */
  readonly api: string;
  /** Only calls about this target (as `calls` attributes them); absent: every call of `api`. */
  readonly target?: string;
  /** The error's name, which the adapters classify (`AccessDeniedException` is a refusal, not a retry). */
  readonly error: string;
  readonly message?: string;
}

export interface DecisionExpectation {
  readonly at?: string;
  readonly target?: string;
  readonly trigger?: string;
  readonly outcome?: Outcome;
  readonly reason?: ReasonCode;
  readonly from?: string;
  readonly to?: string;
  readonly by?: string;
  readonly group?: string;
  /** With several regions: the region whose watchdog decided. */
  readonly region?: string;
  readonly count: number;
}

export interface NotificationExpectation {
  readonly at?: string;
  readonly kind?: NotificationKind;
  readonly target?: string;
  readonly title?: string;
  /** With several regions: the region whose watchdog sent it. */
  readonly region?: string;
  readonly count: number;
}

/** Fields of a final ledger entry to match (`LedgerOut`), as decisions are matched. */
export interface LedgerExpectation {
  readonly target?: string;
  readonly version?: string;
  readonly status?: DeploymentStatus;
  readonly deployedBy?: string;
  readonly count: number;
}

export interface Expectations {
  readonly calls?: Readonly<Record<string, number>>;
  readonly final?: Readonly<Record<string, string>>;
  readonly decisions?: readonly DecisionExpectation[];
  readonly notifications?: readonly NotificationExpectation[];
  readonly alarms?: Readonly<Record<string, AlarmStateValue>>;
  /** Entries of the targets' known-good ledgers at the end. */
  readonly ledger?: readonly LedgerExpectation[];
}

/** The mutating AWS calls listed in the output's `calls`; every other call is a read. */
export const MUTATING_APIS = [
  'ecs:UpdateService',
  'ecs:StopServiceDeployment',
  'codedeploy:StopDeployment',
  'codedeploy:CreateDeployment',
  'sns:Publish',
  'codepipeline:DisableStageTransition',
  'codepipeline:EnableStageTransition',
  'cloudwatch:SetAlarmState',
  /** Several regions only: the watchdog puts quarantines, receipts and checks on its version bus. */
  'events:PutEvents',
] as const;
export type MutatingApi = (typeof MUTATING_APIS)[number];

/** The built-in mutating APIs and those of every kind's simulated world (`lambda:UpdateAlias`). */
export function isMutatingApi(api: string): api is MutatingApi {
  return (
    (MUTATING_APIS as readonly string[]).includes(api) ||
    allSimKinds().some((k) => k.mutatingApis.includes(api))
  );
}
