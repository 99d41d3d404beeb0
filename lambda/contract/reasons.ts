/** Decision outcomes (docs/decisions.md, "Outcomes"). */
export const OUTCOMES = ['rollback', 'skip', 'approval-requested', 'dry-run'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Reasons for a `rollback` (and for `dry-run` / `approval-requested`, which say what would trigger it). */
export const ROLLBACK_REASONS = [
  'alarm',
  'approved',
  'manual',
  /** Approval mode: nobody approved in time and the policy says roll back (decided by the sweep). */
  'approval-timeout',
  /** A release group's member pulled into the rollback another member's alarm started. */
  'group',
  /**
   * Another region's watchdog quarantined the version this region serves or is deploying (README, "Version
   * quarantine across regions").
   */
  'region',
] as const;
export type RollbackReason = (typeof ROLLBACK_REASONS)[number];

/**
 * Skip reasons. The first ones, up to `rate-limited`, are those of an alarm transition, in order of precedence
 * (docs/decisions.md, "Precedence of skip reasons"): when several apply, the first is reported. The rest are
 * decided elsewhere (the sweep, the claim routine, operator commands).
 */
export const SKIP_REASONS = [
  'duplicate',
  'superseded',
  'stale',
  'not-alarm-state',
  'unknown-alarm',
  'paused',
  'rollback-in-progress',
  'target-invalid',
  'native-rollback-in-progress',
  'current-is-known-good',
  'alarm-predates-deploy',
  'outside-watch-window',
  'no-known-good',
  /**
   * Known-good versions exist, but the platform says none can be deployed again: the viability preflight (ECS
   * task definition inactive or an image gone from ECR, CodeDeploy revision deleted, Lambda version deleted).
   */
  'target-version-unavailable',
  /**
   * Known-good versions exist, but none runs on the database as it is: the schema gate (a version's
   * `rollback-watchdog:schema` / `rollback-watchdog:min-compatible-schema` tags). Roll forward with a fix.
   */
  'schema-incompatible',
  'cooldown',
  'rate-limited',
  /** Approval mode: nobody approved in time and the policy says hold (decided by the sweep). */
  'approval-expired',
  /**
   * A rollback was claimed, but before it could be issued the target moved to another version (or another
   * deployment started): the claim no longer applies and nothing was done.
   */
  'target-changed',
  // Operator commands declined: each is audited with the principal, like any decision.
  /** `rollback --to` a version outside the known-good ledger, without `--force`. */
  'version-not-known-good',
  /** `rollback --to` a version the target never ran and the platform cannot resolve. */
  'version-unknown',
  /** `approve` with no pending, live approval (none proposed, expired, or the target moved on). */
  'nothing-to-approve',
  /** `rollback --to` the version the target already runs. */
  'already-current',
  /**
   * A version quarantine from another region about a version this region neither serves nor deploys: recorded,
   * so that a later deployment of it here is stopped at once.
   */
  'version-not-serving',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export type ReasonCode = RollbackReason | SkipReason;

/** Skips that a human should hear about; the rest are routine and only audited. */
export const NOTABLE_SKIPS: readonly SkipReason[] = [
  // Once per incident (redeliveries and sweeps are duplicates): on-call hears what a pause is holding back.
  'paused',
  'native-rollback-in-progress',
  'alarm-predates-deploy',
  'outside-watch-window',
  'no-known-good',
  'target-version-unavailable',
  'schema-incompatible',
  'cooldown',
  'rate-limited',
  'target-invalid',
  'target-changed',
];

/** Skips that also escalate: no automatic action will follow, a human must decide. */
export const ESCALATING_SKIPS: readonly SkipReason[] = [
  'no-known-good',
  'target-version-unavailable',
  'schema-incompatible',
  'rate-limited',
  'target-invalid',
  'approval-expired',
];

/**
 * Skips that leave the bad release serving with nothing automatic to follow: the target's deploy freeze (when it
 * has one) stops the pipeline from delivering on top of it, as after a rollback. Not in dry-run or a rehearsal.
 */
export const FREEZING_SKIPS: readonly SkipReason[] = ['schema-incompatible'];

/** Notification kinds (docs/decisions.md, "Notifications"). */
export const NOTIFICATION_KINDS = [
  'rollback-started',
  'rollback-succeeded',
  'rollback-failed',
  'rollback-skipped',
  'approval-requested',
  'escalation',
  'drill',
  /** An operator paused a target or the whole watchdog. */
  'paused',
  /** Automatic action is on again: an operator resumed, or a pause given a duration ended. */
  'resumed',
  /**
   * Something on-call should fix before it is needed, with no decision behind it: a known-good version whose
   * image or revision is gone, or about to be expired by a retention policy (the retention guard).
   */
  'warning',
  /** One message per release-group incident, listing every member's outcome (README, "Release groups"). */
  'group-rollback',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const SEVERITIES = ['info', 'warning', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Why an incoming event was rejected at the boundary (audited, never acted on). */
export const REJECTION_REASONS = [
  'malformed',
  'unsupported-detail-type',
  'foreign-account',
  'foreign-region',
  /**
   * A request to the Slack interaction endpoint without a valid, fresh, unseen Slack signature (README,
   * "Approve from Slack"): answered 401, audited without its body.
   */
  'unauthenticated',
  /** A Slack button pressed by someone who is not a listed approver: refused, audited with their Slack ids. */
  'not-authorized',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
