/**
 * DynamoDB single-table layout. Every item has a string partition key `pk` and sort key `sk`; items that
 * expire carry epoch seconds in `expiresAt` (the table's TTL attribute).
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
} as const;

export const KEY = {
  /**
   * Per-target state, one item, changed only by a conditional write on its revision: the known-good ledger,
   * the rollback claim (lease) and outbox, cooldown and window counters, pause, pending approval and
   * verification, the alarms' high-water marks and the handled transitions that deduplicate redeliveries.
   */
  target: (targetId: string) => ({ pk: `TARGET#${targetId}`, sk: 'STATE' }),
  /** Audit log: one item per decision or rejected event, newest last. */
  audit: (scope: string, at: string, id: string) => ({ pk: `AUDIT#${scope}`, sk: `${at}#${id}` }),
  auditPartition: (scope: string) => `AUDIT#${scope}`,
  /** The deployed runtime config (targets and policies), written by the stack at deploy time. */
  config: () => ({ pk: 'CONFIG', sk: 'CURRENT' }),
  /** Watchdog-wide pause switch. */
  globalPause: () => ({ pk: 'GLOBAL', sk: 'PAUSE' }),
  /** Something that may happen once only (a Slack request seen, a Slack action done); expires by TTL. */
  once: (key: string) => ({ pk: `ONCE#${key}`, sk: 'ONCE' }),
} as const;

/** Audit scope for events rejected before any target could be identified. */
export const REJECTED_SCOPE = '_rejected';
/** Audit scope for alarm events that guard no configured target. */
export const UNKNOWN_SCOPE = '_unknown';
/** Audit scope for operator commands on the whole watchdog (pause / resume without a target). */
export const WATCHDOG_SCOPE = '_watchdog';

export const RETENTION = {
  /**
   * How long a target's item remembers a transition it handled (alarm or deployment), so that a redelivery
   * is a `duplicate`: longer than EventBridge's 24 h retry horizon.
   */
  transitionDays: 3,
  /** The default of `auditRetentionDays` (AUDIT_RETENTION_LIMITS). */
  auditDays: 90,
} as const;
