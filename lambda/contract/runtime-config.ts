import type { RuntimeTarget } from './targets';
import type { ApprovalTimeoutAction, Mode } from './defaults';
import type { RuntimeGroup } from './groups';

/**
 * The resolved configuration the Lambdas run with: every default applied, every duration in minutes.
 * The stack writes it as one item (KEY.config()) at deploy time, so per-target settings never go into
 * environment variables and the fleet can grow past Lambda's 4 KB environment limit. The item holds it
 * gzip-compressed (RUNTIME_CONFIG_GZIP_ATTRIBUTE): as plain JSON, 1,000 targets (about 390 KB) would
 * nearly fill DynamoDB's 400 KB item.
 */
export interface RuntimePolicy {
  readonly mode: Mode;
  readonly cooldownMinutes: number;
  readonly bakeMinutes: number;
  readonly watchWindowMinutes: number;
  readonly maxRollbacks: { readonly count: number; readonly windowMinutes: number };
  readonly approvalTimeoutMinutes: number;
  readonly approvalTimeoutAction: ApprovalTimeoutAction;
  readonly verificationTimeoutMinutes: number;
  /**
   * A rollback that redeploys onto an ECS service with a traffic-shifting strategy (BLUE_GREEN with a bake,
   * LINEAR, CANARY) skips the strategy's steps and bakes, and the service's settings are restored after it.
   * @default true (config items written before it existed have none)
   */
  readonly fastRollback?: boolean;
}

/** Optional deploy freeze: after a rollback, the pipeline stage's inbound transition is disabled until resume. */
export interface FreezeConfig {
  /** CodePipeline pipeline name. */
  readonly pipeline: string;
  /** Stage whose inbound transition is disabled. */
  readonly stage: string;
}

export interface RuntimeConfig {
  readonly schemaVersion: 1;
  /** The account and region the watchdog runs in; events from anywhere else are foreign input. */
  readonly account: string;
  readonly region: string;
  /** Alarm transitions older than this when processed are `stale`. */
  readonly maxEventAgeMinutes: number;
  /** How often the reconcile sweep runs (it catches what lost events hid). */
  readonly sweepIntervalMinutes: number;
  /**
   * Days an audit item lives in the table: the TTL the state store writes on it. Config items written before
   * this field existed have none, which means RETENTION.auditDays.
   */
  readonly auditRetentionDays?: number;
  readonly targets: readonly RuntimeTarget[];
  /**
   * Every region the config deploys a watchdog to, this one included, when there are several: a version
   * rolled back here is quarantined in the others (lambda/contract/quarantine.ts). Absent: this region only.
   */
  readonly regions?: readonly string[];
  /** Release groups (lambda/contract/groups.ts). Config items written before groups existed have none. */
  readonly groups?: readonly RuntimeGroup[];
}

export const RUNTIME_CONFIG_SCHEMA_VERSION = 1;

/**
 * Attribute of the KEY.config() item that held the RuntimeConfig as a JSON string, as stacks before the
 * compressed item wrote it. Still read, so that functions updated before the item keep working.
 */
export const RUNTIME_CONFIG_ATTRIBUTE = 'config';

/** Attribute of the KEY.config() item that holds the RuntimeConfig as gzip-compressed JSON (binary). */
export const RUNTIME_CONFIG_GZIP_ATTRIBUTE = 'configGzip';
