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
