/**
 * Policy defaults (docs/decisions.md, "Policy and its defaults"); every field may be overridden per target.
 */
export const DEFAULT_POLICY = {
  mode: 'auto',
  cooldownMinutes: 15,
  bakeMinutes: 10,
  watchWindowMinutes: 60,
  maxRollbacks: { count: 2, windowMinutes: 60 },
  approvalTimeoutMinutes: 15,
  /** What happens when nobody approves in time: `hold` (do nothing, say so) or `rollback`. */
  approvalTimeoutAction: 'hold',
  /** After a rollback completes, its trigger alarms must be back to OK within this time, or it escalates. */
  verificationTimeoutMinutes: 15,
  /**
   * A rollback of a completed release on an ECS service with a traffic-shifting strategy goes to the known-good
   * task definition at once instead of replaying every step and bake (docs/decisions.md, "Fast-tracked rollback").
   */
  fastRollback: true,
} as const;

export const APPROVAL_TIMEOUT_ACTIONS = ['hold', 'rollback'] as const;
export type ApprovalTimeoutAction = (typeof APPROVAL_TIMEOUT_ACTIONS)[number];

/** Alarm events whose state timestamp is older than this when processed are `stale`. */
export const DEFAULT_MAX_EVENT_AGE_MINUTES = 60;

/** The reconcile sweep's schedule. */
export const DEFAULT_SWEEP_INTERVAL_MINUTES = 5;
/** The sweep runs at least once a day and at most once a minute (EventBridge's finest rate). */
export const SWEEP_INTERVAL_LIMITS = { min: 1, max: 1440 } as const;

/** Names as ECS accepts them: up to 255 letters, digits, hyphens and underscores. */
export const ECS_NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;
/** CodePipeline pipeline and stage names. */
export const CODEPIPELINE_NAME_PATTERN = /^[A-Za-z0-9.@_-]{1,100}$/;
/** CodeDeploy application and deployment group names are at most 100 characters. */
export const CODEDEPLOY_NAME_MAX = 100;

/**
 * How long a claimed rollback holds the target's lease when no completion is seen. A crashed invocation's
 * lease expires after this and the target can be acted on again.
 */
export const DEFAULT_LEASE_MINUTES = 30;

/** Versions kept in a target's known-good ledger (newest first); older entries are dropped. */
export const LEDGER_MAX_ENTRIES = 20;

export const TARGET_ID_PATTERN = /^[a-z0-9-]+$/;

export const MODES = ['auto', 'approval', 'dry-run'] as const;
export type Mode = (typeof MODES)[number];

/**
 * The functions' timeouts, shared by the construct (which sets them) and the runtime (which stamps a claim with
 * the moment its invocation is certainly over: claimed at + its function's timeout).
 */
export const FUNCTION_TIMEOUT_SECONDS = {
  /** The alarm and deployment handlers. */
  event: 30,
  /** The operator function behind the CLI (a Function URL answers within its timeout or not at all). */
  operator: 30,
  /** The reconcile sweep, which reads many targets. */
  sweep: 300,
} as const;

/** Issued rollbacks whose report is still owed, kept per target; more means reporting has been down for long. */
export const OUTBOX_MAX_ENTRIES = 10;

/** A drill intent that no forced transition has consumed is forgotten after this (a later ALARM is real). */
export const DRILL_TTL_MINUTES = 5;

/**
 * ECS's own defaults for LINEAR and CANARY deployments (API reference, LinearConfiguration and
 * CanaryConfiguration), which apply when a service's configuration leaves them out.
 */
export const ECS_LINEAR_DEFAULTS = { stepPercent: 10, stepBakeMinutes: 6 } as const;
export const ECS_CANARY_DEFAULTS = { canaryPercent: 5, canaryBakeMinutes: 10 } as const;

/**
 * Where a version declares the database schema it migrates to (or needs) and the oldest application schema
 * that still runs once its migration has run: ECS task definition tags (docs/decisions.md, "Before it acts").
 */
export const SCHEMA_TAG = 'rollback-watchdog:schema';
export const MIN_COMPATIBLE_SCHEMA_TAG = 'rollback-watchdog:min-compatible-schema';
