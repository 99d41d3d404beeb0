/** Environment variable names read by the Lambda functions and set by the CDK construct. Defined only here. */
export const ENV = {
  /** Name of the DynamoDB state table. */
  tableName: 'WATCHDOG_TABLE_NAME',
  /** ARN of the SNS notification topic. */
  topicArn: 'WATCHDOG_TOPIC_ARN',
  /**
   * Hash of the deployed runtime config. It changes whenever the config changes, so a deploy that only
   * changes the config still replaces warm Lambda containers (which cache the config item).
   */
  configVersion: 'WATCHDOG_CONFIG_VERSION',
  /** Name of the stack, used in CLI hints inside notifications. */
  stackName: 'WATCHDOG_STACK_NAME',
  /**
   * The webhook channel a forwarder renders for, by its name in lambda/channels/registry.ts (`slack`); its
   * secret and mention are in the variables `webhookChannelEnv(name)` names (webhook forwarders only).
   */
  webhookChannel: 'WATCHDOG_WEBHOOK_CHANNEL',
  /**
   * ARN of the Secrets Manager secret holding the Slack incoming-webhook URL: `webhookChannelEnv('slack')`.
   */
  slackSecretArn: 'WATCHDOG_SLACK_SECRET_ARN',
  /** Who high-severity Slack posts mention (`<!subteam^…>`); unset: nobody. `webhookChannelEnv('slack')`. */
  slackMention: 'WATCHDOG_SLACK_MENTION',
  /**
   * `true` on the Slack forwarder when `slack.interactive` is configured: approval requests and automatic
   * rollbacks carry Approve / Hold buttons (lambda/contract/slack-interaction.ts).
   */
  slackInteractive: 'WATCHDOG_SLACK_INTERACTIVE',
  /** The Slack interaction endpoint's approvers: member ids, comma-separated. */
  slackApprovers: 'WATCHDOG_SLACK_APPROVERS',
  /**
   * Name of the stack's version bus (lambda/contract/quarantine.ts): set only when the config lists more than
   * one region; unset, nothing is published to other regions.
   */
  versionBusName: 'WATCHDOG_VERSION_BUS_NAME',
  /** Bucket the audit exporter writes to (audit exporter only). */
  auditExportBucket: 'WATCHDOG_AUDIT_EXPORT_BUCKET',
  /** Key prefix of the exported audit objects, ending in "/" (audit exporter only). */
  auditExportPrefix: 'WATCHDOG_AUDIT_EXPORT_PREFIX',
  /** Account that must own the export bucket (S3 ExpectedBucketOwner; audit exporter only). */
  auditExportBucketOwner: 'WATCHDOG_AUDIT_EXPORT_BUCKET_OWNER',
} as const;

/**
 * A webhook channel's name: lower-case letters, digits and single hyphens, starting with a letter. It names
 * the channel's environment variables and its forwarder's construct ids, so it must stay this simple.
 */
export const WEBHOOK_CHANNEL_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * The variables that give a webhook forwarder its channel's secret and mention: `WATCHDOG_<NAME>_SECRET_ARN`
 * (the ARN of the secret holding the webhook URL) and `WATCHDOG_<NAME>_MENTION` (who high-severity posts
 * mention; unset: nobody), the name upper-cased with `_` for `-`. For `slack` these are ENV.slackSecretArn
 * and ENV.slackMention.
 */
export function webhookChannelEnv(channel: string): { readonly secretArn: string; readonly mention: string } {
  const prefix = `WATCHDOG_${channel.toUpperCase().replace(/-/g, '_')}`;
  return { secretArn: `${prefix}_SECRET_ARN`, mention: `${prefix}_MENTION` };
}

/** CloudFormation outputs of the stack, read by the CLI to find a deployed watchdog. */
export const STACK_OUTPUT = {
  operatorUrl: 'OperatorUrl',
  operatorFunctionName: 'OperatorFunctionName',
  /** The read-only operator function's URL: `status`, `history` and `report` (OPERATOR_READ_COMMANDS). */
  operatorReadUrl: 'OperatorReadUrl',
  operatorReadFunctionName: 'OperatorReadFunctionName',
  tableName: 'StateTableName',
  topicArn: 'NotificationTopicArn',
} as const;

/**
 * The Slack app's Interactivity Request URL, an output only with `slack.interactive` (the CLI never reads it;
 * STACK_OUTPUT lists the outputs every watchdog stack has).
 */
export const SLACK_INTERACTION_OUTPUT = 'SlackInteractionUrl';

/** Powertools reads these itself; the construct sets them. */
export const POWERTOOLS_ENV = {
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  logLevel: 'POWERTOOLS_LOG_LEVEL',
} as const;

export const METRICS_NAMESPACE = 'RollbackWatchdog';
export const SERVICE_NAME = 'rollback-watchdog';
