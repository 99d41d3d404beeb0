import type {
  AlarmStateValue,
  MetricName,
  NotificationLink,
  OperatorCommand,
  RejectionReason,
  RuntimeConfig,
  RuntimeTarget,
  WatchdogNotification,
  QUARANTINE_DETAIL_TYPE,
  QuarantineCheckDetail,
  QuarantineDetail,
  QuarantineReceiptDetail,
} from '../contract';
import type { SlackMessage } from '../channels/slack';
import type {
  Decision,
  FastTrack,
  LiveDeployment,
  LiveTarget,
  Millis,
  Pause,
  TargetState,
  Viability,
} from '../domain';

/** The only source of time for use cases; the simulator supplies a virtual one. */
export interface Clock {
  now(): Millis;
}

export interface LoadedTargets {
  /** Targets that have a stored item; a target never seen is absent. */
  readonly targets: ReadonlyMap<string, TargetState>;
  readonly globalPause: Pause | undefined;
}

/** What the audit keeps of an alarm transition: enough for a review, never the whole event. */
export interface AuditedAlarm {
  readonly name: string;
  readonly value: string;
  readonly previous: string;
  /** When CloudWatch changed the state (not when the event arrived). */
  readonly at: Millis;
  readonly reason?: string;
  readonly threshold?: number;
  readonly datapoints?: readonly number[];
}

export type AuditEntry =
  | {
      readonly type: 'decision';
      readonly at: Millis;
      readonly decision: Decision;
      readonly requestId: string;
      /** The alarm transition decided on, when there was one: the incident report's first alarm and bands. */
      readonly alarm?: AuditedAlarm;
    }
  | {
      readonly type: 'rejected';
      readonly at: Millis;
      readonly reason: RejectionReason;
      readonly problems: readonly string[];
      readonly requestId: string;
      readonly eventId?: string;
      readonly source?: string;
      readonly detailType?: string;
      /** The raw event, truncated: enough to investigate, never a secret (events carry none). */
      readonly excerpt: string;
    }
  | {
      readonly type: 'rollback-result';
      readonly at: Millis;
      readonly target: string;
      /**
       * `rollback-verified`: every trigger alarm was OK again after the rollback completed (the moment the time to
       * recover ends).
       */
      readonly result: 'rollback-succeeded' | 'rollback-failed' | 'rollback-verified';
      readonly decisionId: string;
      readonly from: string;
      readonly to: string;
      readonly detail: string;
    }
  | {
      /** An operator command that changed something (pause, resume, approve, rollback, drill). */
      readonly type: 'operator';
      readonly at: Millis;
      /** A target id, or WATCHDOG_SCOPE for the whole watchdog. */
      readonly target: string;
      readonly command: OperatorCommand;
      /** The authenticated principal (from IAM), never a self-reported name. */
      readonly by: string;
      readonly detail: string;
      readonly requestId: string;
    };

/** Persistence of target state and the audit log (DynamoDB in production, dynalite in tests and the simulator). */
export interface StateStore {
  /** One round trip for all targets plus the global pause switch. */
  loadTargets(targetIds: readonly string[]): Promise<LoadedTargets>;
  /**
   * Writes `next` with revision `expectedRevision + 1`, only if the stored revision is still
   * `expectedRevision` (0: the item must not exist). This single conditional write is the claim.
   */
  saveTarget(next: TargetState, expectedRevision: number): Promise<TargetState | 'conflict'>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Audit entries of one scope (a target id, REJECTED_SCOPE, UNKNOWN_SCOPE or WATCHDOG_SCOPE), oldest first. */
  listAudit(
    scope: string,
    options?: { sinceMs?: Millis; limit?: number; newestFirst?: boolean },
  ): Promise<AuditEntry[]>;
  /** Sets (or with `undefined`, clears) the watchdog-wide pause. */
  setGlobalPause(pause: Pause | undefined): Promise<void>;
}

/** Answers a Slack button press through its `response_url` (Slack's, checked at the boundary). */
export interface SlackResponder {
  respond(responseUrl: string, body: Readonly<Record<string, unknown>>): Promise<void>;
}

/** Lets something happen once: the Slack endpoint's replay guard. */
export interface OnceGuard {
  /** True for the first call with `key` (until `expiresAt`), false for every later one. */
  claimOnce(key: string, expiresAt: Millis): Promise<boolean>;
}

/** Forces an alarm's state (drills). */
export interface AlarmWriter {
  setState(alarmName: string, value: AlarmStateValue, reason: string): Promise<void>;
}

/** Deploy freeze: stops the pipeline from delivering into the stage after a rollback. */
export interface PipelineFreezer {
  disable(pipeline: string, stage: string, reason: string): Promise<void>;
  enable(pipeline: string, stage: string): Promise<void>;
}

export interface ConfigSource {
  load(): Promise<RuntimeConfig>;
}

/** Reads and changes one kind of target (ECS service, CodeDeploy group). */
export interface Deployer {
  /** Terminal problems (missing, inactive, access denied) come back as `{ kind: 'invalid' }`. */
  inspect(target: RuntimeTarget): Promise<LiveTarget>;
  /** Stops an in-progress deployment and lets the platform roll it back. */
  stop(target: RuntimeTarget, deploymentRef: string): Promise<ActionResult>;
  /**
   * Deploys `version` again; `artifact` is the ledger's record of how it was deployed (CodeDeploy revision).
   * `decisionId` is recorded with the deployment where the platform keeps such a record (CodeDeploy's
   * description), so that a later read recognises it as this decision's (`LiveDeployment.initiatedBy`).
   */
  redeploy(
    target: RuntimeTarget,
    version: string,
    artifact?: string,
    decisionId?: string,
    fastTrack?: FastTrack,
  ): Promise<ActionResult>;
  /**
   * Puts back the settings a fast-tracked redeploy changed (`restore`, as this deployer's inspect serialised
   * them in `LiveOk.redeployPlan`), without starting a deployment. Idempotent. Leaves settings that someone
   * else changed meanwhile alone (`changed`). Only for deployers whose inspect offers a fast track.
   */
  restoreSettings?(target: RuntimeTarget, restore: string): Promise<SettingsRestoreOutcome>;
  /**
   * Stops the in-progress deployment without the platform's own rollback, then deploys `version` (only for
   * platforms that run one deployment at a time, whose live view sets `blocksNewDeployments`).
   */
  replace?(
    target: RuntimeTarget,
    deploymentRef: string,
    version: string,
    artifact?: string,
    decisionId?: string,
  ): Promise<ActionResult>;
  /**
   * Deployments that succeeded since `sinceMs`, newest first and bounded, where the live view shows only the
   * latest (CodeDeploy): read once, when a target is seen for the first time, to seed the known-good ledger.
   * Optional: platforms whose live view lists their previous deployments need no history.
   */
  history?(target: RuntimeTarget, sinceMs: Millis): Promise<LiveDeployment[]>;
  /**
   * Human lines on what differs between two versions, for notifications only (ECS: the container images,
   * `web: …/web:1.5.0 → …/web:1.4.2`). Never throws: anything it cannot read gives fewer lines. Optional,
   * because not every platform can say more than the version names.
   */
  describeChange?(target: RuntimeTarget, from: string, to: string): Promise<string[]>;
  /**
   * What a version declares about the database schema (ECS: its task definition's tags), for the schema gate.
   * Read off the alarm path, once per version. Unusable values come back in `problems`, never as a throw; a
   * version that cannot be read throws (retryable or not, as the platform answered).
   */
  versionFacts?(target: RuntimeTarget, version: string): Promise<VersionFacts>;
  /**
   * Whether `version` can still be deployed again (the viability preflight, lambda/domain/viability.ts): ECS,
   * its task definition is ACTIVE and every image it names is still in ECR; CodeDeploy, its revision is still
   * registered (and its S3 object there). `known` is what the ledger holds about the version: its artifact and
   * the previous check's `recheck`, with which a re-check can skip reads (the alarm path re-checks with it, all
   * calls concurrent). What could not be checked (an image outside ECR, a denied read) is reported in
   * `unchecked` and does not make the version unrunnable; a failure that may pass throws, to be checked again.
   */
  viability?(
    target: RuntimeTarget,
    version: string,
    known: { readonly artifact?: string; readonly recheck?: string },
  ): Promise<Omit<Viability, 'checkedAt'>>;
  /**
   * The retention guard: which of these versions' images are gone or due to be expired by their repository's
   * lifecycle policy (ECS: ECR's `GetLifecyclePolicy`, evaluated against `DescribeImages`). Versions at no
   * risk are left out. Read on the sweep only. `recheck` is each version's stored Viability.recheck.
   */
  retentionRisks?(
    target: RuntimeTarget,
    versions: readonly { readonly version: string; readonly recheck?: string }[],
  ): Promise<RetentionRisk[]>;
}

/** See Deployer.retentionRisks. */
export interface RetentionRisk {
  readonly version: string;
  /** `gone`: already deleted; `expiring`: eligible now (ECR expires it within a day); `at-risk`: soon. */
  readonly risk: 'gone' | 'expiring' | 'at-risk';
  /** One sentence per image at risk, naming the repository, the rule and when. */
  readonly details: readonly string[];
}

/** See Deployer.versionFacts and lambda/domain/schema.ts. */
export interface VersionFacts {
  readonly schema?: number;
  readonly minCompatibleSchema?: number;
  /** The declared release id (`rollback-watchdog:release`), for release groups. */
  readonly release?: string;
  readonly problems?: readonly string[];
}

/**
 * What the use cases need to know about a target's kind besides its Deployer (docs/architecture.md, "Target
 * kinds"), answered by the kind registry: the use cases never name a kind.
 */
export interface KindFacts {
  /** Console links about the target for its messages (after the runbook and the alarm). */
  readonly consoleLinks: (
    target: RuntimeTarget,
    region: string,
    deploymentRef?: string,
  ) => NotificationLink[];
  /** The sweep reads the live target every run, even with nothing firing or pending. */
  readonly alwaysInspect: (target: RuntimeTarget) => boolean;
  /** A version can be deployed again only with the ledger's artifact for it (CodeDeploy revisions). */
  readonly redeployNeedsArtifact: (target: RuntimeTarget) => boolean;
}

/** What restoreSettings found: it put them back, they were back already, or someone else changed them since. */
export type SettingsRestoreOutcome =
  | { readonly status: 'restored' | 'already-restored'; readonly detail: string }
  | { readonly status: 'changed'; readonly detail: string };

export type ActionResult =
  | { readonly status: 'issued'; readonly deploymentRef?: string }
  /** The deployment to stop had already finished or was already stopping (ECS ConflictException). */
  | { readonly status: 'already-finished'; readonly detail: string }
  /** Another deployment is already active, so a new one cannot start (CodeDeploy DeploymentLimitExceeded). */
  | { readonly status: 'busy'; readonly detail: string };

/** The current state of a CloudWatch alarm, as DescribeAlarms reports it. */
export interface AlarmSnapshot {
  readonly name: string;
  readonly arn: string;
  readonly value: AlarmStateValue;
  /** When the alarm last changed state (StateTransitionedTimestamp, else StateUpdatedTimestamp). */
  readonly since: Millis;
  readonly reason: string;
  readonly reasonData: string | undefined;
}

/** Reads alarm states for the reconcile sweep (alarm events fire only on transitions and can be lost). */
export interface AlarmReader {
  /** Alarms that do not exist are absent from the result. Metric and composite alarms alike. */
  describe(names: readonly string[]): Promise<AlarmSnapshot[]>;
}

/** The on-call message as a typed value; the channels (lambda/channels) render it. */
export type Notification = WatchdogNotification;

export interface Notifier {
  publish(notification: Notification): Promise<void>;
}

/** One event for the version bus (lambda/contract/quarantine.ts). */
export type VersionBusEvent =
  | { readonly detailType: typeof QUARANTINE_DETAIL_TYPE.quarantine; readonly detail: QuarantineDetail }
  | { readonly detailType: typeof QUARANTINE_DETAIL_TYPE.receipt; readonly detail: QuarantineReceiptDetail }
  | { readonly detailType: typeof QUARANTINE_DETAIL_TYPE.check; readonly detail: QuarantineCheckDetail };

/**
 * The stack's own version bus: its rules carry quarantines and receipts to the other regions and checks to the
 * acting handler. `put` throws unless EventBridge accepted every event (its adapter retries throttling itself).
 */
export interface VersionBus {
  /** This watchdog's region (the `from` of what it puts). */
  readonly region: string;
  /** Every other region of the config: the ones a quarantine must reach. */
  readonly peers: readonly string[];
  put(events: readonly VersionBusEvent[]): Promise<void>;
}

/**
 * Posts one rendered message, a JSON body, to a webhook channel (lambda/channels/registry.ts). Throws when it
 * could not be delivered after the adapter's own bounded retries; the error never carries the webhook URL.
 */
export interface WebhookPoster {
  post(body: unknown): Promise<void>;
}

/** A WebhookPoster for the Slack incoming webhook, which takes Block Kit messages. */
export interface ChatNotifier {
  post(message: SlackMessage): Promise<void>;
}

export type { SlackBlock, SlackButton, SlackMessage, SlackMrkdwn, SlackPlainText } from '../channels/slack';

/**
 * Where exported audit items go (S3). `put` writes one object, replacing any object with the same key, and
 * throws when it could not; the exporter then retries the item from the stream.
 */
export interface AuditArchive {
  put(key: string, body: string): Promise<void>;
}

/** Reads the config asset the stack uploaded. */
export interface AssetReader {
  readText(bucket: string, key: string): Promise<string>;
}

/** Writes the runtime config item (KEY.config()) of a state table. */
export interface RuntimeConfigWriter {
  write(tableName: string, config: RuntimeConfig): Promise<void>;
}

/** The body CloudFormation expects at a custom resource's ResponseURL. */
export interface CustomResourceResponse {
  readonly Status: 'SUCCESS' | 'FAILED';
  readonly Reason?: string;
  readonly PhysicalResourceId: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
}

/** Delivers a custom resource's response to CloudFormation. */
export interface ResponseSender {
  send(responseUrl: string, response: CustomResourceResponse): Promise<void>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured logs and EMF metrics; never given a secret. */
export interface Telemetry {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
  count(metric: MetricName, value?: number, dimensions?: Record<string, string>): void;
  /** Emit buffered metrics (end of invocation). */
  flush(): void;
}
