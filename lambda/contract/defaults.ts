/** Policy defaults (CONTRACTS.md §1); every field may be overridden per target. */
export const DEFAULT_POLICY = {
  mode: 'auto',
  cooldownMinutes: 15,
  bakeMinutes: 10,
  watchWindowMinutes: 60,
  maxRollbacks: { count: 2, windowMinutes: 60 },
  approvalTimeoutMinutes: 15,
} as const;

/** Alarm events whose state timestamp is older than this when processed are `stale`. */
export const DEFAULT_MAX_EVENT_AGE_MINUTES = 60;

/** The reconcile sweep's schedule. */
export const DEFAULT_SWEEP_INTERVAL_MINUTES = 5;

/**
 * How long a claimed rollback holds the target's lease when no completion is seen. A crashed invocation's
 * lease expires after this and the target can be acted on again.
 */
export const DEFAULT_LEASE_MINUTES = 30;

/** Versions kept in a target's known-good ledger (newest first); older entries are dropped. */
export const LEDGER_MAX_ENTRIES = 20;

export const TARGET_ID_PATTERN = /^[a-z0-9-]+$/;

export const TARGET_TYPES = ['ecs-service', 'codedeploy'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

export const MODES = ['auto', 'approval', 'dry-run'] as const;
export type Mode = (typeof MODES)[number];
