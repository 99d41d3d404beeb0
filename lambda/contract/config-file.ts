import type { ApprovalTimeoutAction, Mode } from './defaults';
import type { GroupConfig } from './groups';
import type { PermissionsConfig } from './permissions';
import type { TargetConfig } from './targets';

/**
 * The shape of `watchdog.config.json` (README, "Configuration") after validation, before defaults are
 * applied. Validated by `lambda/boundary/config-schema.ts`; consumed by the CDK app (`WatchdogStack`), the
 * CLI and the simulator. Durations are whole minutes.
 */
export interface PolicyConfig {
  readonly mode?: Mode;
  readonly cooldownMinutes?: number;
  readonly bakeMinutes?: number;
  readonly watchWindowMinutes?: number;
  /** Replaces the default as a whole: both fields are required when it is given. */
  readonly maxRollbacks?: { readonly count: number; readonly windowMinutes: number };
  readonly approvalTimeoutMinutes?: number;
  readonly approvalTimeoutAction?: ApprovalTimeoutAction;
  readonly verificationTimeoutMinutes?: number;
  readonly fastRollback?: boolean;
}

/** `defaults`: every policy field, plus watchdog-wide settings that targets cannot override. */
export interface DefaultsConfig extends PolicyConfig {
  /** Alarm transitions older than this when processed are `stale`. */
  readonly maxEventAgeMinutes?: number;
  /** How often the reconcile sweep runs. */
  readonly sweepIntervalMinutes?: number;
  /** Days an audit item stays in the state table (its TTL) before DynamoDB deletes it. */
  readonly auditRetentionDays?: number;
}

export interface NotificationsConfig {
  readonly emails?: readonly string[];
  /** The same secret as `slack.webhookSecretName`, under its first name; set one of the two. */
  readonly slackWebhookSecretName?: string;
  readonly slack?: SlackConfig;
  /** An AWS Chatbot Slack channel subscribed to the topic (the same as the construct's `chatbotSlack`). */
  readonly chatbotSlack?: ChatbotSlackConfig;
}

/** The Slack workspace authorized with AWS Chatbot and the channel to post to, by id. */
export interface ChatbotSlackConfig {
  readonly slackWorkspaceId: string;
  readonly slackChannelId: string;
}

/** The Slack-webhook channel: the secret holding the incoming webhook URL, and who high-severity posts page. */
export interface SlackConfig {
  readonly webhookSecretName?: string;
  /**
   * Slack's mention syntax for a user group (`<!subteam^S0123ABCD>`), a person (`<@U0123ABCD>`), `<!here>` or
   * `<!channel>`; added to every high-severity post. Plain `@oncall` pings nobody through a webhook.
   */
  readonly mention?: string;
  /**
   * Approval requests and automatic rollbacks carry Approve rollback / Hold buttons, answered by the stack's
   * Slack interaction endpoint (README "Approve from Slack"). Needs `approvers` and a secret holding JSON
   * `{ "webhookUrl": …, "signingSecret": … }`.
   */
  readonly interactive?: boolean;
  /** Slack member ids (`U…`) who may press the buttons. */
  readonly approvers?: readonly string[];
}

/**
 * `auditExport`: audit items are also written to S3, one JSON object each. Without `bucketName` the stack
 * creates the bucket (its lifecycle keeps objects `retentionDays`); with it, the bucket is yours, and so are
 * its lifecycle rules.
 */
export interface AuditExportConfig {
  /** An existing bucket; absent: the stack creates one. */
  readonly bucketName?: string;
  /** Account that owns `bucketName` (checked on every write). Absent: the stack's account. */
  readonly bucketOwner?: string;
  /** The KMS key `bucketName` encrypts with by default, for the exporter's kms:GenerateDataKey. */
  readonly kmsKeyArn?: string;
  /** Key prefix of the objects, ending in "/". Absent: DEFAULT_AUDIT_EXPORT_PREFIX. */
  readonly prefix?: string;
  /** Days the created bucket keeps each object. Absent: DEFAULT_AUDIT_EXPORT_RETENTION_DAYS. */
  readonly retentionDays?: number;
}

export interface WatchdogConfig {
  readonly defaults?: DefaultsConfig;
  readonly targets: readonly TargetConfig[];
  /** Release groups: targets rolled back together (lambda/contract/groups.ts). */
  readonly groups?: readonly GroupConfig[];
  /**
   * The regions the watchdog runs in, one stack each (README, "Regions"). Absent: the region the CDK CLI
   * targets, in one stack named as before.
   */
  readonly regions?: readonly string[];
  /**
   * One of `regions` (default: the first): the region whose stack the app builds first, and where a scenario's
   * world and timeline entries that name no region are. Nothing leads at run time: each region's watchdog
   * decides on its own, and a version quarantine goes from whichever region rolled back to all the others.
   */
  readonly homeRegion?: string;
  readonly notifications?: NotificationsConfig;
  /** How far the IAM grants and rules reach (lambda/contract/permissions.ts). */
  readonly permissions?: PermissionsConfig;
  /** Copies of the audit items in S3 (README: Security → Audit retention). */
  readonly auditExport?: AuditExportConfig;
  /**
   * IAM ARNs (roles, users, or an account's root) that may call the operator Function URL, as the construct's
   * `operatorPrincipals`: every command, `rollback --force` included.
   */
  readonly operatorPrincipals?: readonly string[];
  /** IAM ARNs that may call the read-only operator URL only (`status`, `history`), as `readOnlyPrincipals`. */
  readonly readOnlyPrincipals?: readonly string[];
}

/**
 * The part of `config` that one region's watchdog runs: the targets in `region` (those naming it, and those
 * naming no region, which are in every region) and the groups with at least two members there. `regions` stays
 * whole: each region's watchdog quarantines versions in all the others.
 */
export function regionalConfig(config: WatchdogConfig, region: string): WatchdogConfig {
  const targets = config.targets.filter((t) => t.region === undefined || t.region === region);
  const here = new Set(targets.map((t) => t.id));
  const groups = (config.groups ?? [])
    .map((g) => ({
      ...g,
      targets: g.targets.filter((id) => here.has(id)),
      ...(g.rollbackOrder ? { rollbackOrder: g.rollbackOrder.filter((id) => here.has(id)) } : {}),
    }))
    .filter((g) => g.targets.length >= 2);
  return { ...config, targets, ...(config.groups ? { groups } : {}) };
}

/** The regions of a config with its home region first (homeRegion, else the first listed); [] without regions. */
export function regionsHomeFirst(config: Pick<WatchdogConfig, 'regions' | 'homeRegion'>): string[] {
  const regions = [...(config.regions ?? [])];
  const home = config.homeRegion ?? regions[0];
  return home === undefined ? regions : [home, ...regions.filter((r) => r !== home)];
}
