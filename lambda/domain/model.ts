import type { ReceivedQuarantine, SentQuarantine } from './quarantine';
import type {
  AlarmStateValue,
  NotificationKind,
  Outcome,
  ReasonCode,
  RollbackReason,
  RuntimeTarget,
} from '../contract';

/** Epoch milliseconds. The domain never reads a clock: time always comes in as a value. */
export type Millis = number;

export const MINUTE: Millis = 60_000;

/** One state transition of a CloudWatch alarm, as parsed from its EventBridge event. */
export interface AlarmTransition {
  readonly alarmName: string;
  readonly alarmArn: string;
  readonly value: AlarmStateValue;
  readonly timestamp: Millis;
  readonly previousValue: AlarmStateValue;
  readonly previousTimestamp: Millis | undefined;
  readonly reason: string;
  readonly reasonData: string | undefined;
}

/** Dedupe key of a transition: alarm ARN + state value + state timestamp (never the EventBridge `id`). */
export function transitionKey(t: Pick<AlarmTransition, 'alarmArn' | 'value' | 'timestamp'>): string {
  return `${t.alarmArn}|${t.value}|${new Date(t.timestamp).toISOString()}`;
}

export type DeploymentStatus = 'in-progress' | 'completed' | 'failed';

/** What the watchdog knows about one version of a target. */
export interface LedgerEntry {
  readonly version: string;
  readonly status: DeploymentStatus;
  readonly startedAt?: Millis;
  readonly completedAt?: Millis;
  /**
   * Sticky proof: the version served when the watchdog first saw the target, or it had already baked when
   * it was deployed again. A proven version stays known-good unless it is tainted.
   */
  readonly proven?: boolean;
  /** Set when a trigger alarm fired while the version was unproven, it failed, or we rolled back from it. */
  readonly taintedAt?: Millis;
  readonly taintReason?: string;
  readonly deploymentId?: string;
  /**
   * Completed while a trigger alarm was still in ALARM: the bake has not started yet. It starts (completedAt
   * is moved) when every trigger alarm is OK again.
   */
  readonly bakePending?: boolean;
  /** When a newer deployment replaced it before it had proven itself: its bake must fit before this. */
  readonly servedUntil?: Millis;
  /**
   * How to deploy this version again, exactly as it was deployed, when the version string alone is not
   * enough (CodeDeploy: the revision location as JSON). Opaque to the domain.
   */
  readonly artifact?: string;
  /**
   * Who started this version's deployment, for people only: no decision, status, bake or order depends on it.
   * The IAM principal ARN as CloudTrail recorded the call (for an assumed role the session ARN,
   * `arn:aws:sts::<account>:assumed-role/<role>/<session>`, which names the person or pipeline), else for
   * CodeDeploy the deployment's `creator` (`CodeDeploy creator: user`). Cleared when the version is deployed
   * again under another deployment id.
   */
  readonly deployedBy?: string;
  /**
   * What the version declares about the database schema (ECS task definition tags `rollback-watchdog:schema`
   * and `rollback-watchdog:min-compatible-schema`), read once, off the alarm path, when the watchdog first sees
   * the version deployed; see lambda/domain/schema.ts.
   */
  readonly schemaFacts?: SchemaFacts;
  /**
   * Whether the version could still be deployed again when last checked (the viability preflight,
   * lambda/domain/viability.ts): ECS, its task definition is ACTIVE and its images are still in ECR; CodeDeploy,
   * its revision is still registered (and its S3 object there). Checked off the alarm path and kept here with
   * the time, so that the alarm path decides on it without a sequential round trip.
   */
  readonly viability?: Viability;
  /** When the sweep warned that the version's image is gone or about to be expired (once per version). */
  readonly retentionWarnedAt?: Millis;
}

/** See LedgerEntry.viability. */
export interface Viability {
  /** False: the version cannot be deployed again; `missing` says what is gone. */
  readonly runnable: boolean;
  /** What is gone or unusable, one clause each, naming the resource ("image …/web@sha256:… is not in ECR"). */
  readonly missing?: readonly string[];
  /** What could not be checked, one clause each (an image outside ECR, a read that was denied). */
  readonly unchecked?: readonly string[];
  /**
   * What a quick re-check needs, opaque to the domain (ECS: the task definition and its resolved image
   * references as JSON): the alarm path re-checks with it concurrently with its first read.
   */
  readonly recheck?: string;
  readonly checkedAt: Millis;
}

/** See LedgerEntry.schemaFacts. */
export interface SchemaFacts {
  readonly schema?: number;
  readonly minCompatibleSchema?: number;
  /**
   * The release the version belongs to (`rollback-watchdog:release`), for release groups: members that declare
   * the same id were released together, whatever the time between them (lambda/domain/groups.ts).
   */
  readonly release?: string;
  /** Tags that were present but unusable (not a whole number, min above schema): reported, then ignored. */
  readonly problems?: readonly string[];
  /** When they were read. */
  readonly readAt: Millis;
}

/**
 * The caller of an API call that started a deployment, as its CloudTrail record names it, and which deployment
 * that was: ECS names the deployment and the version, CodeDeploy only the deployment.
 */
export interface DeploymentPrincipal {
  /** ECS `ecs-svc/...` (the new PRIMARY deployment), CodeDeploy `d-...`. */
  readonly deploymentId?: string;
  /** ECS: the task definition `family:revision` the call deployed. */
  readonly version?: string;
  /** See LedgerEntry.deployedBy. */
  readonly by: string;
  /** When the call was made (CloudTrail's `eventTime`). */
  readonly at: Millis;
}

/** See TargetState.incidents. */
export interface IncidentMark {
  readonly id: string;
  readonly group: string;
  /** When the target's rollback in it was claimed. */
  readonly at: Millis;
}

/** The newest transition seen for one alarm guarding the target (its high-water mark). */
export interface AlarmMark {
  readonly value: AlarmStateValue;
  readonly timestamp: Millis;
  /** When the alarm entered `value`; earlier than `timestamp` for ALARM -> ALARM transitions. */
  readonly since: Millis;
}

/** A transition this target has already decided on (the dedupe record). */
export interface HandledTransition {
  readonly key: string;
  readonly at: Millis;
  readonly decisionId: string;
}

export type RollbackActionKind = 'stop' | 'redeploy' | 'replace';

/**
 * - `stop`: stop the in-progress deployment and let the service's own rollback restore the previous version.
 * - `redeploy`: deploy the known-good version again.
 * - `replace`: the in-progress deployment must go, but the platform's own rollback would restore a version that
 *   has not proven itself, and the platform runs one deployment at a time (CodeDeploy): stop it without the
 *   platform's rollback, then deploy the known-good version. One claim covers both calls.
 */
export type RollbackAction =
  | { readonly kind: 'stop'; readonly deploymentRef: string }
  | {
      readonly kind: 'redeploy';
      readonly version: string;
      readonly artifact?: string;
      /**
       * The deployment runs under the platform's own strategy, which takes this long at least (ECS LINEAR,
       * CANARY or BLUE_GREEN with a bake): said in the notification. Absent when it is quick or unknown.
       */
      readonly replays?: StrategyReplay;
      /** The deployment is fast-tracked past the strategy's steps and bakes (policy `fastRollback`). */
      readonly fastTrack?: FastTrack;
    }
  | {
      readonly kind: 'replace';
      readonly deploymentRef: string;
      readonly version: string;
      readonly artifact?: string;
    };

/** A platform deployment strategy and the least time its steps and bakes take (hooks and scale-up not counted). */
export interface StrategyReplay {
  /** As the platform names it (ECS: `LINEAR`). */
  readonly strategy: string;
  /** The settings in words (ECS: `LINEAR (10 % every 6 min, bake 30 min, 1 pause hook)`). */
  readonly settings?: string;
  readonly minutes: number;
}

/**
 * A redeploy fast-tracked past the service's own strategy (docs/decisions.md, "Fast-tracked rollback"): the
 * platform is set to `settings` for this one deployment, and the service's own settings (`restore`, opaque to
 * the domain) are put back once it has ended.
 */
export interface FastTrack {
  /** What the deployment runs under instead, for the notification (ECS: `BLUE_GREEN with no bake`). */
  readonly settings: string;
  /** The strategy it skips and how long that would have taken. */
  readonly skips: StrategyReplay;
  /** The service's own settings, as the platform's adapter serialised them: restored after the rollback. */
  readonly restore: string;
}

/**
 * Settings the watchdog changed for a fast-tracked rollback and owes back (written with the claim, before the
 * change): restored once no rollback of `decisionId` is under way any more, by whoever sees that first (the
 * deployment event of its end, the sweep after a crash).
 */
export interface SettingsRestore {
  readonly decisionId: string;
  readonly restore: string;
  readonly since: Millis;
}

/** The claimed rollback of a target: its lease and its intent record. */
export interface ActiveRollback {
  readonly decisionId: string;
  readonly trigger: string;
  readonly reason: RollbackReason;
  readonly from: string;
  readonly to: string;
  readonly action: RollbackActionKind;
  readonly claimedAt: Millis;
  readonly leaseUntil: Millis;
  /**
   * Until when the invocation that wrote the claim may still be acting on it (its function's timeout). Before
   * then nobody else touches an unissued claim; after it, whoever finds the claim unissued settles it
   * (docs/reliability.md, "the redelivery rule"). Absent on claims written before it existed.
   */
  readonly actingUntil?: Millis;
  /** Set as soon as the rollback call returned (or the platform was seen doing it). */
  readonly issued?: IssuedMark;
  /** The decision as taken, so that any later invocation can carry it out or report it. */
  readonly decision?: Decision;
  /** The alarm transition behind the decision (its reason text), for the notification. */
  readonly transition?: AlarmTransition;
  /** The request that claimed it: audit entries written on its behalf later keep this id. */
  readonly requestId?: string;
}

export interface IssuedMark {
  readonly at: Millis;
  /** What was called in the end (an already-finished stop becomes a redeploy). */
  readonly action: RollbackActionKind;
  /** The platform's reference of the rollback deployment, when it gave one. */
  readonly deploymentRef?: string;
}

/**
 * A rollback decision that is issued but not yet fully reported (audit item, notification): the transactional
 * outbox of the claim. Written with the issued mark, removed once both are done; whoever finds an entry whose
 * owner is gone (`until` passed) reports what is missing, so a rollback is never silently unannounced.
 */
export interface OutboxEntry {
  readonly decision: Decision;
  readonly requestId: string;
  readonly transition?: AlarmTransition;
  readonly audited: boolean;
  readonly announced: boolean;
  /** The writer reports it until then; after that anyone may. */
  readonly until: Millis;
}

/** A rollback the watchdog proposed in approval mode, held until approved or expired. */
export interface PendingApproval {
  readonly decisionId: string;
  readonly trigger: string;
  readonly from: string;
  readonly to: string;
  readonly requestedAt: Millis;
  readonly expiresAt: Millis;
}

/** After a rollback completed: its trigger alarms must return to OK by `deadline`. */
export interface Verification {
  readonly decisionId: string;
  /** When the rollback was decided (about when the trigger alarm fired). */
  readonly startedAt: Millis;
  readonly trigger: string;
  readonly from: string;
  readonly to: string;
  readonly completedAt: Millis;
  readonly deadline: Millis;
}

/**
 * An operator's drill: the next ALARM of `alarm` is decided as a rehearsal. The intent is written on every
 * target the alarm guards, so that none of them acts on the forced transition; only the drilled target acts
 * for real, and only when the drill is live. An intent no transition consumed expires after DRILL_TTL_MINUTES.
 */
export interface DrillIntent {
  readonly id: string;
  readonly alarm: string;
  readonly live: boolean;
  readonly requestedAt: Millis;
  readonly by: string;
  /** The target the operator drilled. @default this target (intents written before there were copies) */
  readonly target?: string;
}

/** The deploy freeze the watchdog applied after a rollback (until `watchdog resume`). */
export interface Freeze {
  readonly pipeline: string;
  readonly stage: string;
  readonly at: Millis;
}

export interface Pause {
  readonly at: Millis;
  readonly by: string;
  readonly reason: string;
  /** When a pause given a duration (`pause --for 2h`) ends by itself. @default - until `resume` */
  readonly until?: Millis;
}

/** The pause in force at `now`: the whole watchdog's first, else the target's; an expired one holds nothing. */
export function activePause(
  globalPause: Pause | undefined,
  targetPause: Pause | undefined,
  now: Millis,
): Pause | undefined {
  const holds = (p: Pause | undefined) => p !== undefined && (p.until === undefined || p.until > now);
  return holds(globalPause) ? globalPause : holds(targetPause) ? targetPause : undefined;
}

/** Everything stored about one target. `revision` is the optimistic lock of its single item. */
export interface TargetState {
  readonly targetId: string;
  /** 0 when the item does not exist yet. */
  readonly revision: number;
  /** Whether the ledger has been seeded from the service's live deployments. */
  readonly seeded: boolean;
  /** Newest first. */
  readonly ledger: readonly LedgerEntry[];
  readonly alarms: Readonly<Record<string, AlarmMark>>;
  readonly handled: readonly HandledTransition[];
  readonly rollback?: ActiveRollback;
  /** When each recent rollback was claimed (pruned to the rate-limit window). */
  readonly rollbackTimes: readonly Millis[];
  /**
   * The release-group incidents this target was rolled back in (lambda/domain/groups.ts), newest first, kept a
   * day: the group's own cooldown and rate limit are read from its members' marks. Absent before groups existed.
   */
  readonly incidents?: readonly IncidentMark[];
  readonly lastRollbackAt?: Millis;
  /** Paused by an operator, or by the watchdog itself after an escalation. */
  readonly paused?: Pause;
  readonly pendingApproval?: PendingApproval;
  readonly verification?: Verification;
  readonly drill?: DrillIntent;
  readonly frozen?: Freeze;
  /** Issued rollbacks whose audit item or notification is still owed (oldest first). */
  readonly outbox?: readonly OutboxEntry[];
  /** Deployment transitions already applied (their dedupe keys), newest first. */
  readonly handledDeployments?: readonly { readonly key: string; readonly at: Millis }[];
  /**
   * Principals whose CloudTrail record arrived before the ledger had an entry for their deployment, oldest
   * first: applied when the entry appears, never an entry themselves (docs/reliability.md, "Who deployed").
   */
  readonly pendingPrincipals?: readonly DeploymentPrincipal[];
  /** The service settings a fast-tracked rollback changed, owed back (see SettingsRestore). */
  readonly settingsRestore?: SettingsRestore;
  /**
   * Quarantines other regions sent about this target's versions (lambda/domain/quarantine.ts), newest first:
   * a version listed here is stopped when it is deployed again in this region.
   */
  readonly quarantined?: readonly ReceivedQuarantine[];
  /** Quarantines this region owes the other regions until each has confirmed it (oldest first). */
  readonly quarantineOut?: readonly SentQuarantine[];
}

/**
 * The high-water mark of one alarm of the target. Alarm names are arbitrary text (`constructor` and
 * `__proto__` are valid CloudWatch names), so marks are read as own properties only, never inherited ones.
 */
export function alarmMark(state: Pick<TargetState, 'alarms'>, name: string): AlarmMark | undefined {
  return Object.hasOwn(state.alarms, name) ? state.alarms[name] : undefined;
}

/** The marks with `name` set to `mark`, built as own data properties (safe for any name). */
export function withAlarmMark(
  alarms: Readonly<Record<string, AlarmMark>>,
  name: string,
  mark: AlarmMark,
): Readonly<Record<string, AlarmMark>> {
  return Object.fromEntries([...Object.entries(alarms).filter(([n]) => n !== name), [name, mark]]);
}

export function emptyTargetState(targetId: string): TargetState {
  return { targetId, revision: 0, seeded: false, ledger: [], alarms: {}, handled: [], rollbackTimes: [] };
}

export type LiveDeploymentState = 'in-progress' | 'completed' | 'failed';

export interface LiveDeployment {
  readonly id: string;
  readonly version: string;
  readonly state: LiveDeploymentState;
  readonly startedAt: Millis;
  readonly completedAt?: Millis;
  /**
   * `completedAt` is when the watchdog read the finished state, not when the platform finished (a Lambda alias
   * records no times): the ledger's first observation of the same deployment is the better value, and the
   * watch window and bake are measured from that.
   */
  readonly completedAtObserved?: boolean;
  /** See LedgerEntry.artifact. */
  readonly artifact?: string;
  /** The platform created this deployment to roll another back (CodeDeploy `creator: codeDeployRollback`). */
  readonly isRollback?: boolean;
  /**
   * The watchdog decision that started this deployment, where the platform keeps a record of it (CodeDeploy:
   * the deployment's description). Proof that a rollback call went through even when its answer was lost.
   */
  readonly initiatedBy?: string;
  /** Who the platform says created it (CodeDeploy: `CodeDeploy creator: <creator>`). See LedgerEntry.deployedBy. */
  readonly deployedBy?: string;
  /**
   * What the deployment declares about the database schema, where the platform's read already carries it
   * (CodeDeploy: the deployment's description): recorded as the version's LedgerEntry.schemaFacts.
   */
  readonly declaredSchema?: Omit<SchemaFacts, 'readAt'>;
}

/** What the target's own API says right now. */
export type LiveTarget =
  | { readonly kind: 'invalid'; readonly why: string }
  | {
      readonly kind: 'ok';
      readonly currentVersion: string;
      /** The newest deployment (ECS: PRIMARY), if the service reports one. */
      readonly latest?: LiveDeployment & {
        /** Handle to stop it while in progress (ECS: the service deployment ARN). */
        readonly stopRef?: string;
        /** The version the platform restores when that deployment is stopped with rollback. */
        readonly stopRestores?: string;
        /**
         * While it is in progress the platform refuses another deployment (CodeDeploy's one active deployment
         * per group); ECS simply starts a new one.
         */
        readonly blocksNewDeployments?: boolean;
      };
      /** Older deployments the service still reports, newest first. */
      readonly previous: readonly LiveDeployment[];
      /** ECS circuit breaker / alarm rollback or CodeDeploy auto-rollback is already rolling back. */
      readonly nativeRollback: boolean;
      /**
       * What a new deployment of the target goes through (ECS services with a traffic-shifting strategy):
       * the strategy it replays and, when the platform can skip it, how to fast-track past it.
       */
      readonly redeployPlan?: RedeployPlan;
    };

/** See LiveOk.redeployPlan. */
export interface RedeployPlan {
  readonly replays: StrategyReplay;
  /** Absent when there is nothing to skip (for example BLUE_GREEN with no bake and no pause hook). */
  readonly fastTrack?: Omit<FastTrack, 'skips'>;
}

export type LiveOk = Extract<LiveTarget, { kind: 'ok' }>;

/** A decision (docs/decisions.md, "A decision") plus what the shell needs to carry it out. */
export interface Decision {
  readonly id: string;
  readonly at: Millis;
  readonly target: string;
  readonly trigger: string;
  readonly outcome: Outcome;
  readonly reason: ReasonCode;
  readonly from?: string;
  readonly to?: string;
  /** Present when outcome is `rollback`. */
  readonly action?: RollbackAction;
  /** One human sentence on why. */
  readonly detail: string;
  /** A human must step in (sent as an escalation with high severity). */
  readonly escalate: boolean;
  /** Which notification, if any, announces the decision. */
  readonly notify?: NotificationKind;
  /** The authenticated principal behind an operator's decision (manual rollback, approval). */
  readonly by?: string;
  /** Set when the transition was an operator's drill. */
  readonly drill?: { readonly id: string; readonly live: boolean; readonly alarmToDecisionMs: number };
  /** The release group whose rollback this decision is part of (README, "Release groups"). */
  readonly group?: string;
  /** Ties the decisions of one group rollback together: the same on every member's decision. */
  readonly incident?: string;
}

export type { RuntimeTarget };
