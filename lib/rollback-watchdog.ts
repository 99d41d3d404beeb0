import { createHash } from 'node:crypto';
import {
  ArnFormat,
  AspectPriority,
  Aspects,
  CfnOutput,
  CfnResource,
  CustomResource,
  Duration,
  Lazy,
  Names,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  STACK_LIMITS,
  alarmNameMatches,
  type CodeDeployGrantScope,
  type EcsGrantScope,
  type OnMemberFailure,
  CONFIG_WRITER_PROPERTY,
  CONFIG_WRITER_RESOURCE_TYPE,
  DEFAULT_AUDIT_EXPORT_PREFIX,
  DEFAULT_AUDIT_EXPORT_RETENTION_DAYS,
  DEFAULT_MAX_EVENT_AGE_MINUTES,
  DEFAULT_SWEEP_INTERVAL_MINUTES,
  DEPLOYMENT_CALLS,
  DETAIL_TYPE,
  ENV,
  EVENT_SOURCE,
  FUNCTION_TIMEOUT_SECONDS,
  KEY,
  METRICS_NAMESPACE,
  POWERTOOLS_ENV,
  QUARANTINE_DETAIL_TYPE,
  QUARANTINE_SOURCE,
  RETENTION,
  retentionDaysProblem,
  SERVICE_NAME,
  SLACK_INTERACTION_OUTPUT,
  STACK_OUTPUT,
  TABLE,
  versionBusArn,
  versionBusName,
  webhookChannelEnv,
} from '../lambda/contract';
import { AuditExportBucket } from './private/audit-export-bucket';
import { ChunkedRules } from './private/chunked-rules';
import { GrowingGrant } from './private/growing-grant';
import type { KindProtectContext, KindRoles, KindTargetRef } from './kinds/kind';
import { CDK_KINDS } from './kinds/registry';
import { HANDLER_BUNDLING, handlerCode, type HandlerEntry } from './private/handler-code';
import { Monitoring } from './private/monitoring';
import { acknowledge, nagFindingValue } from './private/nag';
import { configAsset, stageConfig } from './private/config-asset';
import { buildRuntimeConfig } from './private/runtime-config';
import { checkSweepInterval, validateWatchdog } from './private/validate';
import { resolveChannels, type NotificationChannel, type ResolvedWebhook } from './notification-channel';
import type {
  CodeDeployGroupReference,
  EcsServiceReference,
  FreezeReference,
  RollbackPolicy,
  RollbackTarget,
} from './rollback-target';

/** Who may press the Slack buttons (`slackInteraction`). */
export interface SlackInteractionOptions {
  /**
   * Slack member ids (`U…`, or `W…` on Enterprise Grid) that may press Approve rollback and Hold. User groups
   * cannot be listed: resolving their members needs a bot token, which an incoming webhook does not have.
   */
  readonly approvers: readonly string[];
}

/** An AWS Chatbot (Amazon Q Developer in chat applications) Slack channel that receives every notification. */
export interface ChatbotSlackChannelOptions {
  /**
   * The ID of the Slack workspace authorized with AWS Chatbot (its console shows it after the one-time
   * authorization of the workspace).
   */
  readonly slackWorkspaceId: string;
  /** The ID of the Slack channel (the last segment of the channel's link, e.g. `C0123ABCD`). */
  readonly slackChannelId: string;
  /**
   * Name of the channel configuration; unique in the account.
   *
   * @default - derived from the construct path
   */
  readonly configurationName?: string;
}

/** Properties of {@link RollbackWatchdog}. */
export interface RollbackWatchdogProps {
  /**
   * What to protect. More can be added with `addTarget()` before synth; at least one is required.
   *
   * @default - no targets yet; add them with `addTarget()`
   */
  readonly targets?: readonly RollbackTarget[];
  /**
   * Policy for every target that does not set a field itself.
   *
   * @default - auto mode, 15 min cooldown, 10 min bake, 60 min watch window, 2 rollbacks per 60 min,
   * 15 min approval timeout (docs/decisions.md, "Policy and its defaults")
   */
  readonly defaults?: RollbackPolicy;
  /**
   * Alarm transitions older than this when processed are skipped as `stale`. Whole minutes, more than 0.
   *
   * @default - 60 minutes
   */
  readonly maxEventAge?: Duration;
  /**
   * How often the reconcile sweep runs. It catches what lost or undelivered events hid: deployments that
   * finished unseen, and targets whose alarms are still in ALARM. Whole minutes, from 1 to 1440.
   *
   * @default - 5 minutes
   */
  readonly sweepInterval?: Duration;
  /**
   * Topic that receives every notification (AWS Chatbot custom-notification JSON). The handlers are granted
   * sns:Publish on it; if it is KMS-encrypted, grant them use of its key yourself, and let CloudWatch
   * publish to it (the dead-letter alarm notifies it).
   *
   * @default - a topic encrypted with a new customer-managed KMS key (rotation on) that CloudWatch and
   * EventBridge may use, with SSL enforced
   */
  readonly topic?: sns.ITopic;
  /**
   * Table for the watchdog's state, audit log and runtime config. A table passed in must have string keys
   * `pk` / `sk` and TTL on `expiresAt`.
   *
   * @default - an on-demand table with point-in-time recovery, AWS-managed encryption, TTL and
   * RemovalPolicy.RETAIN
   */
  readonly table?: dynamodb.ITable;
  /**
   * Email addresses subscribed to the notification topic (each must confirm the subscription).
   *
   * @default - no email subscriptions
   */
  readonly notificationEmails?: readonly string[];
  /**
   * Where notifications go, one factory per channel: `NotificationChannel.email(...)`,
   * `.chatbotSlack(...)`, `.slackWebhook(secret, { mention })`. Adds to `notificationEmails`, `chatbotSlack`
   * and `slackWebhookSecret`; at most one Chatbot channel and one Slack webhook in all.
   *
   * @default - only the channels of the single-channel props
   */
  readonly notificationChannels?: readonly NotificationChannel[];
  /**
   * Retention of the handlers' log groups.
   *
   * @default - logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Secret that holds a Slack incoming-webhook URL. A Slack notifier Lambda, subscribed to the topic, posts
   * every notification there; it may read this one secret (and decrypt it with the secret's key, if the
   * secret carries one).
   *
   * @default - no Slack webhook notifier
   */
  readonly slackWebhookSecret?: secretsmanager.ISecret;
  /**
   * Who every high-severity Slack post (escalations, failed rollbacks, approval requests, the watchdog's own
   * health alarms) mentions, in Slack's syntax: `<!subteam^S0123ABCD>` for a user group, `<@U0123ABCD>` for a
   * person, `<!here>` or `<!channel>`. Requires `slackWebhookSecret`.
   *
   * @default - no mention
   */
  readonly slackMention?: string;
  /**
   * Approve rollback / Hold buttons on the Slack messages on-call acts on (README "Approve from Slack"): the
   * stack gets a Slack interaction endpoint, a Function URL with AuthType NONE that acts only on requests
   * carrying a valid, fresh, unseen Slack signature from a listed approver. Requires `slackWebhookSecret`, which
   * must then hold JSON `{ "webhookUrl": "https://hooks.slack.com/…", "signingSecret": "…" }`.
   *
   * @default - no buttons, and no endpoint
   */
  readonly slackInteraction?: SlackInteractionOptions;
  /**
   * An AWS Chatbot Slack channel subscribed to the topic. It is notification-only: its role and its
   * guardrail policy allow reading the watchdog's dead-letter alarm and nothing else.
   *
   * @default - no Chatbot channel
   */
  readonly chatbotSlack?: ChatbotSlackChannelOptions;
  /**
   * Principals that may call the operator Function URL (`lambda:InvokeFunctionUrl`, and
   * `lambda:InvokeFunction` only through the URL), on top of whoever IAM identity policies in the account
   * already allow.
   *
   * @default - only principals whose identity policies allow it
   */
  readonly operatorPrincipals?: readonly iam.IPrincipal[];
  /**
   * Principals that may call only the read-only operator Function URL (`watchdog status` and `watchdog
   * history`), whose function can read the table and the targets and nothing else. `operatorPrincipals` may
   * call both URLs. A Function URL's IAM auth has no per-path or per-body condition, so read-only access is a
   * URL of its own, not a condition on the operator URL.
   *
   * @default - only principals whose identity policies allow it
   */
  readonly readOnlyPrincipals?: readonly iam.IPrincipal[];
  /**
   * Permissions boundary set on every IAM role the watchdog creates: the handlers', the config writer's
   * and the Chatbot channel's.
   *
   * @default - no permissions boundary
   */
  readonly permissionsBoundary?: iam.IManagedPolicy;
  /**
   * How far the IAM grants and the EventBridge rules reach. By default every protected service, deployment
   * group and alarm is named exactly, which fits about 170 ECS targets with two alarms each in one stack
   * (IAM: 10 managed policies per role). Larger fleets opt into ARN patterns: `ecs: 'clusters'` grants
   * on `service/<cluster>/*` of each protected cluster, `codeDeploy: 'applications'` on
   * `deploymentgroup:<application>/*`, and `alarmNamePatterns` on `alarm:<pattern>` for drills; the
   * rules then match the same prefixes and patterns. Rollback actions are never granted on "*".
   *
   * @default - every protected resource by its exact ARN
   */
  readonly permissions?: WatchdogPermissions;
  /**
   * Release groups: targets released together and rolled back together (README, "Release groups"). When any
   * member's alarm leads to a rollback, every member that received the same release is rolled back to its own
   * known-good version, one after another. Members are target ids; a target belongs to one group at most.
   *
   * @default - no groups: every target is rolled back on its own
   */
  readonly groups?: readonly RollbackGroup[];
  /**
   * How long each audit item (decisions, rejected events, rollback results, operator commands) stays in the
   * state table before DynamoDB's TTL deletes it. Whole days, from 1 to 3,650. A change applies to items
   * written after the deploy; items already written keep the expiry they were written with.
   *
   * @default Duration.days(90)
   */
  readonly auditRetention?: Duration;
  /**
   * Also copy every audit item to S3, one JSON object per item under a date-partitioned prefix, for
   * retention beyond the table's (README: Security → Audit retention). The table's stream feeds an exporter
   * Lambda; nothing changes on the decision path.
   *
   * @default - no export
   */
  readonly auditExport?: AuditExportOptions;
  /**
   * Every region a watchdog with this same stack name runs in, this stack's region included: literal region
   * names of one partition, each listed once. With two or more, the version quarantine is set up
   * (docs/architecture.md, "Regions"): a version rolled back (or whose deployment failed) here is kept out of
   * service in the other regions, and theirs here. The stack gets an EventBridge bus of its own named
   * `<stackName>-versions`, whose rules forward this region's quarantines and receipts to the other regions'
   * buses (same account, same stack name) and deliver theirs to the alarm handler; the stack's region must then
   * be known at synth (`env: { region }`).
   *
   * @default - this stack's region only: no version quarantine, no bus
   */
  readonly regions?: readonly string[];
}

/** {@link RollbackWatchdogProps.auditExport}. */
export interface AuditExportOptions {
  /**
   * The bucket to write to. The exporter may `s3:PutObject` under `prefix` and nothing else; writes insist
   * that the bucket's account (`bucket.env.account`) owns it. If the bucket encrypts with a KMS key the
   * construct knows (`encryptionKey`), the exporter may use it for kms:GenerateDataKey; a key it does not
   * know must allow the exporter's role itself. The bucket's own lifecycle rules decide how long objects stay.
   *
   * @default - a bucket the watchdog creates: SSE-S3, public access blocked, TLS only, versioned, server access
   * logs to a second bucket, both retained when the stack is deleted and expiring objects after `retention`
   */
  readonly bucket?: s3.IBucket;
  /**
   * Key prefix of the objects: segments of letters, digits and `!_.'()-`, each ending in "/".
   *
   * @default 'audit/'
   */
  readonly prefix?: string;
  /**
   * How long the created bucket keeps each object (and its access logs). Whole days, from 1 to 3,650. Only
   * for the bucket the watchdog creates: with `bucket`, set its lifecycle rules instead.
   *
   * @default Duration.days(365)
   */
  readonly retention?: Duration;
}

/** {@link RollbackWatchdogProps.groups}: targets released together and rolled back together. */
export interface RollbackGroup {
  /** Lowercase letters, digits and "-"; not the id of a target. */
  readonly id: string;
  /** The members' target ids (at least two). */
  readonly targets: readonly string[];
  /**
   * Every member once, in the order they are rolled back: each member's rollback call is issued after the
   * previous member's call returned.
   *
   * @default - the reverse of the order in which the members received the release
   */
  readonly rollbackOrder?: readonly string[];
  /**
   * Members that received a new version within this long of each other form one release (an explicit
   * `rollback-watchdog:release` id wins when both members declare one). Whole minutes, up to a day.
   *
   * @default Duration.minutes(30)
   */
  readonly releaseWindow?: Duration;
  /**
   * What a member's failed rollback does to the rest of the order: `stop` escalates and issues no more
   * rollbacks, `continue` goes on with the next member.
   *
   * @default 'stop'
   */
  readonly onMemberFailure?: OnMemberFailure;
}

/** {@link RollbackWatchdogProps.permissions}. */
export interface WatchdogPermissions {
  /**
   * `services`: each protected service's ARN. `clusters`: every service of each protected cluster
   * (`service/<cluster>/*` and its deployments); deployment events of the whole cluster reach the handler,
   * which ignores services it does not protect.
   *
   * @default 'services'
   */
  readonly ecs?: EcsGrantScope;
  /**
   * `deployment-groups`: each protected group's ARN. `applications`: every group of each protected
   * application (`deploymentgroup:<application>/*`).
   *
   * @default 'deployment-groups'
   */
  readonly codeDeploy?: CodeDeployGrantScope;
  /**
   * Alarm-name patterns (`*` as the only wildcard) covering the trigger alarms. Drills may set any alarm
   * they match, and state changes of any alarm they match reach the alarm handler (an alarm that guards
   * no target is decided `unknown-alarm`). Alarms no pattern matches, and names that are tokens, are still
   * named one by one. Each pattern must match at least one configured alarm.
   *
   * @default - every alarm by its name
   */
  readonly alarmNamePatterns?: readonly string[];
}

/** Lambda async invocations: retry twice, then hand the event to the on-failure destination. */
const ASYNC_RETRY_ATTEMPTS = 2;
/** Neither Lambda nor EventBridge keeps retrying an event past this; it goes to the DLQ instead. */
const MAX_DELIVERY_AGE = Duration.hours(1);
/** EventBridge → Lambda retries cover throttling of the async invoke; more than this means an outage. */
const EVENTBRIDGE_RETRY_ATTEMPTS = 8;
/** EventBridge allows this many targets per rule: the forwarding to the other regions takes a rule per five. */
const TARGETS_PER_RULE = 5;
const HANDLER_MEMORY_MB = 512;
const HANDLER_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS.event);
/**
 * The sweep reads every target with something in flight, a few at a time (SWEEP_CONCURRENCY, gentle on API
 * rate limits; 1,000 targets that all need a look take about 3 minutes), so it gets longer than the event
 * handlers; a run that still overruns is retried and the next one catches up.
 */
const SWEEP_TIMEOUT = Duration.seconds(FUNCTION_TIMEOUT_SECONDS.sweep);
/** The config writer reads one object and writes one item; CloudFormation waits for its answer. */
const CONFIG_WRITER_TIMEOUT = Duration.minutes(2);
/** The longest a message waits in SQS, so a DLQ keeps failures for two weeks of investigation. */
const DLQ_RETENTION = Duration.days(14);
/** One batch of at most AUDIT_EXPORT_BATCH_SIZE PutObject calls, a few at a time. */
const AUDIT_EXPORT_TIMEOUT = Duration.minutes(1);
const AUDIT_EXPORT_BATCH_SIZE = 100;
/**
 * A batch the exporter cannot write is retried (from its first failed record) for this long, then its record
 * range goes to the DLQ. DynamoDB Streams keeps records 24 hours: half of that leaves a working day to fix
 * the bucket without losing the automatic retry, and the other half to re-drive what was dead-lettered.
 */
const AUDIT_EXPORT_MAX_RECORD_AGE = Duration.hours(12);

/**
 * Actions the handlers are granted on Resource "*", each because AWS supports no narrower resource for it
 * (Service Authorization Reference: no resource type). Quoted in the cdk-nag acknowledgements.
 */
const STAR = {
  xray: 'xray:PutTraceSegments/PutTelemetryRecords (no resource-level permissions)',
  stopDeployment:
    'codedeploy:StopDeployment, granted only when CodeDeploy targets are configured (no resource type and ' +
    'no condition key)',
  describeTaskDefinition:
    'ecs:DescribeTaskDefinition, read-only, granted only when ECS targets are configured, for the image ' +
    'changes shown in rollback notifications (no resource type)',
  describeAlarms:
    'cloudwatch:DescribeAlarms, read-only, which returns composite alarms only when granted on "*"; ' +
    'the sweep reads the state of every trigger alarm',
  listStreams:
    "dynamodb:ListStreams (audit exporter only), which the stream's event source mapping calls and which " +
    "returns stream ARNs, never records; CDK's grantStreamRead and AWS's AWSLambdaDynamoDBExecutionRole " +
    'grant it on "*" too (reading records is granted on the table\'s stream only)',
} as const;

/** ARN wildcards of the roles that roll back, for resources whose names are not known at synth. */
const ACTING_ARN_WILDCARDS =
  'the deployments of the protected services (service-deployment/<cluster>/<service>/*), whose ids are not ' +
  "known in advance, and this account and region's deployment configs (deploymentconfig:*), one of which " +
  'CreateDeployment reads, by a name not known at synth';

/** Why a handler's role holds wildcards, for its cdk-nag acknowledgements. */
interface WildcardReasons {
  /** The actions granted on Resource "*" (values of STAR). */
  readonly starActions: readonly string[];
  /** Wildcards inside ARNs, if the role has any. */
  readonly arnWildcards?: string;
}

/** Reads of a deployment group and its deployments; all authorize against the deploymentgroup resource type. */
const CODEDEPLOY_READS = [
  'codedeploy:GetDeploymentGroup',
  'codedeploy:ListDeployments',
  'codedeploy:BatchGetDeployments',
  'codedeploy:GetDeployment',
] as const;

/**
 * Rolls ECS services and CodeDeploy deployment groups back to their last known-good version when a guarding
 * CloudWatch alarm fires after a release, and tells people (docs/architecture.md).
 *
 * Creates (or uses) a DynamoDB state table and an encrypted SNS topic; three Lambda handlers (alarm state
 * changes; ECS and CodeDeploy deployment state changes; the scheduled reconcile sweep) fed by EventBridge
 * rules on the default bus; an operator Lambda behind an IAM-authorised Function URL, which the `watchdog`
 * CLI calls for every command that changes something; optionally a Slack webhook notifier, an AWS
 * Chatbot Slack channel and an audit exporter to S3 (`auditExport`); and a dead-letter queue for events that
 * could not be delivered or processed.
 * The stack gets the outputs the CLI looks for (STACK_OUTPUT), so one stack holds one watchdog.
 * The resolved per-target config is written to the table at deploy time, so tokens (names of alarms,
 * services and deployment groups created in the same stack) work and the fleet can grow past Lambda's
 * environment-variable limit.
 *
 * @example
 * const watchdog = new RollbackWatchdog(this, 'Watchdog', {
 *   targets: [
 *     RollbackTarget.ecsService({ id: 'checkout', service, alarms: [errorsAlarm, 'checkout-p99'] }),
 *     RollbackTarget.codeDeployGroup({ id: 'payments', deploymentGroup, alarms: ['payments-errors'] }),
 *   ],
 *   notificationEmails: ['oncall@example.com'],
 * });
 */
export class RollbackWatchdog extends Construct {
  /** The state table (created or passed in). */
  public readonly stateTable: dynamodb.ITable;
  /** The notification topic (created or passed in). */
  public readonly notificationTopic: sns.ITopic;
  /** The customer-managed key of the notification topic; undefined when a topic was passed in. */
  public readonly topicKey?: kms.IKey;
  /** Handles `CloudWatch Alarm State Change` events of the trigger alarms. */
  public readonly alarmHandler: lambda.IFunction;
  /** Handles `ECS Deployment State Change` and `CodeDeploy Deployment State-change Notification` events. */
  public readonly deploymentHandler: lambda.IFunction;
  /** The reconcile sweep, run on a schedule (`sweepInterval`). */
  public readonly sweepHandler: lambda.IFunction;
  /** Runs the `watchdog` CLI's commands (status, history, pause, resume, approve, rollback, drill). */
  public readonly operatorFunction: lambda.IFunction;
  /** The operator function's URL (AWS_IAM auth): requests are SigV4-signed, the audit names the signer. */
  public readonly operatorUrl: lambda.IFunctionUrl;
  /**
   * Serves `watchdog status` and `watchdog history` only, with a role that can read the table and the targets
   * and nothing else; the CLI sends those two commands here when the stack has it.
   */
  public readonly operatorReadFunction: lambda.IFunction;
  /** The read-only operator function's URL (AWS_IAM auth). */
  public readonly operatorReadUrl: lambda.IFunctionUrl;
  /** Posts every notification to the Slack webhook; undefined without `slackWebhookSecret`. */
  public readonly slackNotifier?: lambda.IFunction;
  /** The webhook forwarders, by channel name (`slack`: `slackNotifier`); one per configured webhook channel. */
  public readonly webhookNotifiers: Readonly<Record<string, lambda.IFunction>>;
  /** The Slack interaction endpoint's function; undefined without `slackInteraction`. */
  public readonly slackInteractionFunction?: lambda.IFunction;
  /** The Slack app's Request URL (stack output `SlackInteractionUrl`); undefined without `slackInteraction`. */
  public readonly slackInteractionUrl?: lambda.IFunctionUrl;
  /** The AWS Chatbot Slack channel; undefined without `chatbotSlack`. */
  public readonly slackChannel?: chatbot.ISlackChannelConfiguration;
  /**
   * Writes the runtime config item at deploy time (a custom resource), from the config's S3 asset.
   */
  public readonly configWriterFunction: lambda.IFunction;
  /** Receives events that EventBridge could not deliver and invocations that failed every retry. */
  public readonly deadLetterQueue: sqs.IQueue;
  /**
   * The watchdog's dashboard: rollbacks, skips, detection-to-action and time-to-recovery per target (the
   * first MAX_TARGET_ROWS targets get a row each, every target is on the fleet graphs), failure counters,
   * the functions and the DLQ.
   */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Where audit items are exported (created or passed in); undefined without `auditExport`. */
  public readonly auditExportBucket?: s3.IBucket;
  /** Copies audit items from the table's stream to `auditExportBucket`; undefined without `auditExport`. */
  public readonly auditExporter?: lambda.IFunction;
  /**
   * The version bus of the quarantine across regions (`versionBusName(stackName)`), on which the handlers put
   * their quarantines, receipts and checks; undefined unless `regions` lists two or more.
   */
  public readonly versionBus?: events.IEventBus;

  private readonly targets: RollbackTarget[] = [];
  private readonly groups: readonly RollbackGroup[];
  private readonly defaults?: RollbackPolicy;
  private readonly maxEventAge?: Duration;
  private readonly auditRetention?: Duration;
  /** `regions` when it sets up the version quarantine (two or more), else undefined. */
  private readonly quarantineRegions?: readonly string[];
  private readonly sweepIntervalMinutes: number;
  private readonly alarmRules: ChunkedRules;
  private readonly ecsDeploymentRules: ChunkedRules;
  private readonly codeDeployRules: ChunkedRules;
  /** CloudTrail records of the calls that deploy protected services and groups: who deployed. */
  private readonly ecsCallRules: ChunkedRules;
  private readonly codeDeployCallRules: ChunkedRules;
  /** Roles of the functions that act (alarm handler, sweep, operator); the deployment handler only reads. */
  private readonly actingRoles: readonly iam.Role[];
  /** Roles that read the targets and never change them: the deployment handler and the read-only operator. */
  private readonly readingRoles: readonly iam.Role[];
  /** The operator's role: the only one that may set alarms (drills). */
  private readonly operatorRole: iam.Role;
  /** `slackInteraction` is set: the Slack notifier adds the buttons. */
  private readonly slackInteractive: boolean;
  /** Roles of every function that announces rollbacks (with the task definitions' image changes). */
  private readonly announcingRoles: readonly iam.Role[];
  private readonly grants: {
    readonly ecsServices: GrowingGrant;
    readonly ecsServiceDeployments: GrowingGrant;
    readonly ecsReads: GrowingGrant;
    readonly codeDeployGroups: GrowingGrant;
    readonly codeDeployApplications: GrowingGrant;
    readonly codeDeployStop: GrowingGrant;
    readonly codeDeployConfigs: GrowingGrant;
    readonly codeDeployReads: GrowingGrant;
    readonly ecsTaskDefinitions: GrowingGrant;
    readonly ecsServiceRevisions: GrowingGrant;
    readonly ecrImages: GrowingGrant;
    readonly drillAlarms: GrowingGrant;
    readonly freezeStages: GrowingGrant;
    readonly operatorFreezeStages: GrowingGrant;
  };
  private readonly deadLetterAlarm: cloudwatch.IAlarm;
  private readonly monitoring: Monitoring;
  private acknowledgedDeploymentConfigs = false;
  /** Problems found while building, reported with the validation of the props. */
  private readonly constructionProblems: string[] = [];
  private readonly permissions: WatchdogPermissions;
  /** The kinds' protect context, made on first use (protectKindTarget). */
  private kindContextValue: KindProtectContext | undefined;
  /** Creates the `index`-th rule of a family that routes to the deployment handler. */
  private readonly newDeploymentRule: (
    id: string,
    description: string,
    pattern: events.EventPattern,
  ) => (index: number) => events.Rule;
  /** The functions a kind's environment variables go to (every handler that runs a kind's adapters). */
  private readonly kindEnvironmentTargets: readonly lambda.Function[];
  /** Clusters and applications whose wildcard ARNs have been acknowledged to cdk-nag already. */
  private readonly acknowledgedPatterns = new Set<string>();
  /** Every role the watchdog created, with a label for problems about its size. */
  private readonly createdRoles: { readonly label: string; readonly role: iam.Role }[] = [];

  constructor(scope: Construct, id: string, props: RollbackWatchdogProps = {}) {
    super(scope, id);
    this.defaults = props.defaults;
    this.groups = props.groups ?? [];
    this.permissions = props.permissions ?? {};
    this.maxEventAge = props.maxEventAge;
    this.auditRetention = props.auditRetention;
    // One region (or none) is today's watchdog: nothing of the quarantine exists, not even the config field.
    this.quarantineRegions = (props.regions?.length ?? 0) >= 2 ? props.regions : undefined;
    const channels = resolveChannels(props);
    this.constructionProblems.push(...channels.problems);
    // An invalid interval fails validation at synth; until then the schedule must still be constructible.
    const sweepInterval =
      props.sweepInterval && checkSweepInterval(props.sweepInterval).length === 0
        ? props.sweepInterval
        : Duration.minutes(DEFAULT_SWEEP_INTERVAL_MINUTES);
    this.sweepIntervalMinutes = sweepInterval.toMinutes();
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;

    this.stateTable = props.table ?? this.createTable(props.auditExport !== undefined);
    if (props.topic) {
      this.notificationTopic = props.topic;
    } else {
      const key = this.createTopicKey();
      this.topicKey = key;
      const topic = new sns.Topic(this, 'NotificationTopic', {
        displayName: 'Rollback Watchdog',
        masterKey: key,
        enforceSSL: true,
      });
      // The explicit topic policy (for enforceSSL) replaces SNS's default one, which is what let CloudWatch
      // alarm actions in this account publish; say so again, for this account's alarms only.
      const stack = Stack.of(this);
      topic.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowThisAccountsAlarmsToPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [topic.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: {
              'aws:SourceArn': stack.formatArn({
                service: 'cloudwatch',
                resource: 'alarm',
                resourceName: '*',
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            },
          },
        }),
      );
      this.notificationTopic = topic;
    }

    const dlq = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DLQ_RETENTION,
    });
    acknowledge(
      dlq,
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is the dead-letter queue of the EventBridge targets and Lambda on-failure destinations.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself the dead-letter queue; redriving it elsewhere would only move the problem.',
      },
    );
    this.deadLetterQueue = dlq;
    this.deadLetterAlarm = this.alarmOnDeadLetters(dlq);
    // The only queue: EventBridge targets, Lambda on-failure destinations and SNS subscriptions all
    // dead-letter into it, so its one alarm covers every dead letter.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      topic: this.notificationTopic,
      deadLetterQueue: dlq,
    });
    this.dashboard = this.monitoring.dashboard;

    for (const email of channels.emails) {
      this.notificationTopic.addSubscription(
        new subscriptions.EmailSubscription(email, { deadLetterQueue: dlq }),
      );
    }

    const configVersion = Lazy.string({ produce: () => this.configVersion() });
    const busName = this.quarantineRegions ? versionBusName(Stack.of(this).stackName) : undefined;
    const environment = this.handlerEnvironment(configVersion, busName);
    const alarm = this.createHandler('AlarmHandler', 'on-alarm', logRetention, environment, {
      starActions: [STAR.xray, STAR.stopDeployment, STAR.describeTaskDefinition],
      arnWildcards: ACTING_ARN_WILDCARDS,
    });
    const deployment = this.createHandler('DeploymentHandler', 'on-deployment', logRetention, environment, {
      starActions: [STAR.xray, STAR.describeTaskDefinition],
    });
    const sweep = this.createHandler(
      'SweepHandler',
      'on-sweep',
      logRetention,
      environment,
      {
        starActions: [STAR.xray, STAR.stopDeployment, STAR.describeTaskDefinition, STAR.describeAlarms],
        arnWildcards: ACTING_ARN_WILDCARDS,
      },
      SWEEP_TIMEOUT,
    );
    const operator = this.createHandler(
      'OperatorHandler',
      'on-operator',
      logRetention,
      environment,
      {
        starActions: [STAR.xray, STAR.stopDeployment, STAR.describeTaskDefinition],
        arnWildcards: ACTING_ARN_WILDCARDS,
      },
      Duration.seconds(FUNCTION_TIMEOUT_SECONDS.operator),
      'url',
    );
    // The same bundle as the operator, its read-only export: status and history, and a role that only reads.
    const reader = this.createHandler(
      'OperatorReadHandler',
      'on-operator',
      logRetention,
      environment,
      { starActions: [STAR.xray] },
      Duration.seconds(FUNCTION_TIMEOUT_SECONDS.operator),
      'url',
      'readOnlyHandler',
    );
    this.slackInteractive = props.slackInteraction !== undefined && slackSecretOf(channels) !== undefined;
    // Only with slackInteraction: the endpoint Slack's button presses reach. It acts for people like the
    // operator (approve, pause), so it gets the operator's rollback permissions.
    const slackSecret = slackSecretOf(channels);
    const slackAct =
      props.slackInteraction && slackSecret
        ? this.createHandler(
            'SlackInteractionHandler',
            'on-slack-interaction',
            logRetention,
            {
              ...environment,
              [ENV.slackSecretArn]: slackSecret.secretArn,
              [ENV.slackApprovers]: props.slackInteraction.approvers.join(','),
            },
            {
              starActions: [STAR.xray, STAR.stopDeployment, STAR.describeTaskDefinition],
              arnWildcards: ACTING_ARN_WILDCARDS,
            },
            Duration.seconds(FUNCTION_TIMEOUT_SECONDS.operator),
            'url',
          )
        : undefined;
    this.alarmHandler = alarm.fn;
    this.deploymentHandler = deployment.fn;
    this.sweepHandler = sweep.fn;
    this.operatorFunction = operator.fn;
    this.actingRoles = [alarm.role, sweep.role, operator.role, ...(slackAct ? [slackAct.role] : [])];
    this.operatorRole = operator.role;
    this.kindEnvironmentTargets = [
      alarm.fn,
      deployment.fn,
      sweep.fn,
      operator.fn,
      reader.fn,
      ...(slackAct ? [slackAct.fn] : []),
    ];
    this.readingRoles = [deployment.role, reader.role];
    this.announcingRoles = [
      alarm.role,
      deployment.role,
      sweep.role,
      operator.role,
      ...(slackAct ? [slackAct.role] : []),
    ];

    // Resources grow with addTarget(). The sweep acts like the alarm handler (it finishes what lost events
    // left undone) and the operator acts for people (manual rollback, approve), so all three get the same
    // rollback permissions; the deployment handler only reads.
    const acting = this.actingRoles;
    this.grants = {
      ecsServices: new GrowingGrant(acting, [
        'ecs:DescribeServices',
        'ecs:UpdateService',
        'ecs:ListServiceDeployments',
        'ecs:StopServiceDeployment',
      ]),
      // StopServiceDeployment authorizes against both the service and the service-deployment resource
      // types, so it needs both ARNs.
      ecsServiceDeployments: new GrowingGrant(acting, ['ecs:StopServiceDeployment']),
      // The deployment handler and the read-only operator (status) read services and never change them.
      ecsReads: new GrowingGrant(this.readingRoles, ['ecs:DescribeServices', 'ecs:ListServiceDeployments']),
      // All of these authorize against the deploymentgroup resource type (Service Authorization Reference).
      codeDeployGroups: new GrowingGrant(acting, [...CODEDEPLOY_READS, 'codedeploy:CreateDeployment']),
      // CreateDeployment also needs GetApplicationRevision on the application (CodeDeploy permissions
      // reference, footnote 1): the known-good revision was registered when it was first deployed. The
      // viability preflight reads it too (is the revision still registered?), from the acting roles and from
      // the deployment handler, which checks the known-good revisions when a release starts.
      codeDeployApplications: new GrowingGrant(
        [...acting, deployment.role],
        ['codedeploy:GetApplicationRevision'],
      ),
      // The Service Authorization Reference lists no resource type and no condition key for StopDeployment
      // (the CodeDeploy permissions reference names the deployment group, which awsdocs/aws-codedeploy-user-
      // guide#18 reports as wrong), so a grant scoped to the groups would be denied: "*" is the narrowest
      // grant that works.
      codeDeployStop: new GrowingGrant(acting, ['codedeploy:StopDeployment']),
      // ...and GetDeploymentConfig on the deployment config the group (or the deployment) uses, which is
      // not known at synth.
      codeDeployConfigs: new GrowingGrant(acting, ['codedeploy:GetDeploymentConfig']),
      codeDeployReads: new GrowingGrant(this.readingRoles, CODEDEPLOY_READS),
      // Rollback notifications show the container images that change. The Service Authorization Reference
      // lists no resource type for DescribeTaskDefinition, so a grant on task-definition ARNs would be
      // denied: "*" is the narrowest grant that works. Read-only, and only with ECS targets.
      ecsTaskDefinitions: new GrowingGrant(this.announcingRoles, ['ecs:DescribeTaskDefinition']),
      // ...with the image digests ECS resolved, which it records on service revisions. DescribeServiceRevisions
      // authorizes against the service-revision resource type (service-revision/<cluster>/<service>/<id>). One
      // ARN per protected cluster rather than per service: read-only, and exact per-service ARNs would push the
      // operator role past IAM's 10 managed policies within the exact-grant fleet the README promises. The
      // announcing roles already list service deployments (ecs:ListServiceDeployments, granted above).
      ecsServiceRevisions: new GrowingGrant(this.announcingRoles, ['ecs:DescribeServiceRevisions']),
      // The viability preflight and the retention guard read whether a known-good task definition's images are
      // still in ECR, and the repository's lifecycle policy. Read-only; the repositories are named by the task
      // definitions, not the config, so the grant is every repository of the stack's account and region.
      ecrImages: new GrowingGrant(this.announcingRoles, ['ecr:DescribeImages', 'ecr:GetLifecyclePolicy']),
      // Drills force a trigger alarm to ALARM; only the operator does that, and only to configured alarms.
      drillAlarms: new GrowingGrant([operator.role], ['cloudwatch:SetAlarmState']),
      // Freezes follow automatic rollbacks (alarm handler, sweep); the operator also lifts them (resume).
      // Both actions authorize against the stage resource type, <pipeline>/<stage> (Service Authorization
      // Reference; CodePipeline user guide, identity-based policy example 2).
      freezeStages: new GrowingGrant([alarm.role, sweep.role], ['codepipeline:DisableStageTransition']),
      operatorFreezeStages: new GrowingGrant(
        [operator.role, ...(slackAct ? [slackAct.role] : [])],
        ['codepipeline:DisableStageTransition', 'codepipeline:EnableStageTransition'],
      ),
    };
    // Composite alarms are only visible to DescribeAlarms on "*" (docs/architecture.md, "AWS behaviour it
    // relies on").
    sweep.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ['*'] }),
    );
    for (const { fn, role } of [alarm, deployment, sweep, operator, ...(slackAct ? [slackAct] : [])]) {
      this.stateTable.grantReadWriteData(fn);
      this.notificationTopic.grantPublish(fn);
      if (this.topicKey) {
        acknowledge(role, {
          id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
          reason:
            'Publishing to the KMS-encrypted topic needs kms:GenerateDataKey* on its key; the grant is ' +
            'scoped to that one key.',
        });
      }
    }

    // AWS_IAM, never NONE: every request is SigV4-signed, and the audit records who signed it.
    this.operatorUrl = operator.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    this.operatorReadFunction = reader.fn;
    this.stateTable.grantReadData(reader.fn);
    this.operatorReadUrl = reader.fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    for (const principal of props.operatorPrincipals ?? []) {
      this.operatorUrl.grantInvokeUrl(principal);
      this.operatorReadUrl.grantInvokeUrl(principal);
    }
    for (const principal of props.readOnlyPrincipals ?? []) this.operatorReadUrl.grantInvokeUrl(principal);
    if (slackAct && slackSecret) {
      const { url } = this.exposeSlackInteraction(slackAct, slackSecret);
      this.slackInteractionFunction = slackAct.fn;
      this.slackInteractionUrl = url;
    }

    const webhookNotifiers: Record<string, lambda.IFunction> = {};
    for (const webhook of channels.webhooks) {
      webhookNotifiers[webhook.channel] = this.createWebhookNotifier(webhook, logRetention);
    }
    this.webhookNotifiers = webhookNotifiers;
    this.slackNotifier = webhookNotifiers['slack'];
    if (channels.chatbotSlack) this.slackChannel = this.createSlackChannel(channels.chatbotSlack);

    if (props.auditExport) {
      const exported = this.exportAudit(props.auditExport, logRetention);
      this.auditExportBucket = exported.bucket;
      this.auditExporter = exported.fn;
    }

    const { fn: configWriterFunction, resource: configWriter } = this.writeRuntimeConfig(logRetention);
    this.configWriterFunction = configWriterFunction;
    // Functions first, then the item: a function is never older than the item format it reads.
    configWriter.node.addDependency(alarm.fn, deployment.fn, sweep.fn, operator.fn, reader.fn);
    const watched: [string, lambda.IFunction | undefined][] = [
      ['alarm handler', alarm.fn],
      ['deployment handler', deployment.fn],
      ['sweep', sweep.fn],
      ['operator', operator.fn],
      ['read-only operator', reader.fn],
      ...channels.webhooks.map((w): [string, lambda.IFunction | undefined] => [
        `${w.label} notifier`,
        webhookNotifiers[w.channel],
      ]),
      ['config writer', configWriterFunction],
    ];
    for (const [label, fn] of watched) if (fn) this.monitoring.watchFunction(label, fn);
    if (this.auditExporter) this.monitoring.watchAuditExport('audit exporter', this.auditExporter);
    this.monitoring.watchReporting();
    this.monitoring.addFleetSection();

    this.addStackOutputs();

    // Every rule's target dead-letters into the queue, and one queue policy statement lets all of them do
    // so (SQS allows 20 statements per policy; CDK would add one per rule).
    const rules: events.Rule[] = [];
    dlq.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowTheWatchdogRulesToDeadLetter',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [dlq.queueArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': Lazy.list({ produce: () => rules.map((r) => r.ruleArn) }) },
        },
      }),
    );
    const deliver = (fn: lambda.IFunction): events.IRuleTarget => {
      const target = new eventTargets.LambdaFunction(fn, {
        maxEventAge: MAX_DELIVERY_AGE,
        retryAttempts: EVENTBRIDGE_RETRY_ATTEMPTS,
      });
      return {
        bind: (rule, id) => ({ ...target.bind(rule, id), deadLetterConfig: { arn: dlq.queueArn } }),
      };
    };
    const newRule =
      (
        baseId: string,
        description: string,
        pattern: events.EventPattern,
        fn: lambda.IFunction,
        eventBus?: events.IEventBus,
      ) =>
      (index: number) => {
        const rule = new events.Rule(this, index === 0 ? baseId : `${baseId}${index + 1}`, {
          description,
          eventBus,
          // Each rule its own copy: merging values into a nested `detail` would otherwise grow every rule's.
          eventPattern: structuredClone(pattern),
          targets: [deliver(fn)],
        });
        // The handlers read the config item; rules go live only once it has been written.
        rule.node.addDependency(configWriter);
        this.monitoring.watchRule(rule);
        rules.push(rule);
        return rule;
      };
    this.newDeploymentRule = (id, description, pattern) => newRule(id, description, pattern, deployment.fn);
    const alarmPattern = { source: [EVENT_SOURCE.cloudwatch], detailType: [DETAIL_TYPE.alarmStateChange] };
    this.alarmRules = new ChunkedRules(
      this,
      newRule('AlarmRule', 'Rollback Watchdog: state changes of trigger alarms', alarmPattern, alarm.fn),
      JSON.stringify({ ...alarmPattern, detail: { alarmName: [] } }).length,
      (alarmName) => ({ detail: { alarmName: [alarmName] } }),
    );
    const ecsDeploymentPattern = {
      source: [EVENT_SOURCE.ecs],
      detailType: [DETAIL_TYPE.ecsDeploymentStateChange],
    };
    this.ecsDeploymentRules = new ChunkedRules(
      this,
      newRule(
        'DeploymentRule',
        'Rollback Watchdog: deployment state changes of protected ECS services',
        ecsDeploymentPattern,
        deployment.fn,
      ),
      JSON.stringify({ ...ecsDeploymentPattern, resources: [] }).length,
      (serviceArn) => ({ resources: [serviceArn] }),
    );
    // The event's resources hold the application and the deployment group ARN; the group is enough.
    const codeDeployPattern = {
      source: [EVENT_SOURCE.codedeploy],
      detailType: [DETAIL_TYPE.codeDeployStateChange],
    };
    this.codeDeployRules = new ChunkedRules(
      this,
      newRule(
        'CodeDeployRule',
        'Rollback Watchdog: state changes of deployments to protected CodeDeploy deployment groups',
        codeDeployPattern,
        deployment.fn,
      ),
      JSON.stringify({ ...codeDeployPattern, resources: [] }).length,
      (deploymentGroupArn) => ({ resources: [deploymentGroupArn] }),
    );
    // Who deployed: the CloudTrail records of the calls that start deployments, which EventBridge receives only
    // when the account has a trail (README, "Who deployed"). Failed calls deploy nothing and are not delivered.
    const ecsCallPattern = {
      source: [EVENT_SOURCE.ecs],
      detailType: [DETAIL_TYPE.cloudTrailApiCall],
      detail: {
        eventSource: [DEPLOYMENT_CALLS.ecs.eventSource],
        eventName: [...DEPLOYMENT_CALLS.ecs.eventNames],
        errorCode: events.Match.doesNotExist(),
      },
    };
    this.ecsCallRules = new ChunkedRules(
      this,
      newRule(
        'EcsDeploymentCallRule',
        'Rollback Watchdog: CloudTrail records of the calls that deploy protected ECS services',
        ecsCallPattern,
        deployment.fn,
      ),
      JSON.stringify({
        ...ecsCallPattern,
        detail: { ...ecsCallPattern.detail, responseElements: { service: { serviceArn: [] } } },
      }).length,
      (serviceArn) => ({ detail: { responseElements: { service: { serviceArn: [serviceArn] } } } }),
    );
    const codeDeployCallPattern = {
      source: [EVENT_SOURCE.codedeploy],
      detailType: [DETAIL_TYPE.cloudTrailApiCall],
      detail: {
        eventSource: [DEPLOYMENT_CALLS.codedeploy.eventSource],
        eventName: [...DEPLOYMENT_CALLS.codedeploy.eventNames],
        errorCode: events.Match.doesNotExist(),
      },
    };
    // The application is enough to keep other teams' deployments out; the handler matches the group.
    this.codeDeployCallRules = new ChunkedRules(
      this,
      newRule(
        'CodeDeployDeploymentCallRule',
        'Rollback Watchdog: CloudTrail records of the calls that deploy to protected CodeDeploy deployment groups',
        codeDeployCallPattern,
        deployment.fn,
      ),
      JSON.stringify({
        ...codeDeployCallPattern,
        detail: { ...codeDeployCallPattern.detail, requestParameters: { applicationName: [] } },
      }).length,
      (applicationName) => ({ detail: { requestParameters: { applicationName: [applicationName] } } }),
    );
    const sweepRule = new events.Rule(this, 'SweepSchedule', {
      description: 'Rollback Watchdog: runs the reconcile sweep',
      schedule: events.Schedule.rate(sweepInterval),
      targets: [deliver(sweep.fn)],
    });
    sweepRule.node.addDependency(configWriter);
    this.monitoring.watchRule(sweepRule);
    rules.push(sweepRule);

    if (this.quarantineRegions && busName !== undefined) {
      this.versionBus = this.createVersionBus({
        busName,
        regions: this.quarantineRegions,
        // The deployment handler only reads, but it asks the alarm handler to check a quarantined version.
        publishers: [alarm.role, sweep.role, operator.role, deployment.role],
        receiver: (id, description, pattern, bus) => newRule(id, description, pattern, alarm.fn, bus)(0),
        rules,
      });
    }

    if (props.permissionsBoundary) iam.PermissionsBoundary.of(this).apply(props.permissionsBoundary);

    this.node.addValidation({
      validate: () => [
        ...validateWatchdog({
          scope: this,
          targets: this.targets,
          defaults: this.defaults,
          maxEventAge: this.maxEventAge,
          sweepInterval: props.sweepInterval,
          notificationEmails: channels.emails,
          chatbotSlack: channels.chatbotSlack,
          slackWebhookSecret: channels.slackWebhookSecret,
          slackMention: channels.slackMention,
          ...(props.slackInteraction ? { slackInteraction: props.slackInteraction } : {}),
          permissions: props.permissions,
          groups: this.groups,
          auditRetention: props.auditRetention,
          auditExport: props.auditExport,
          regions: props.regions,
        }),
        ...this.constructionProblems,
        ...this.stackLimitProblems(),
      ],
    });

    for (const target of props.targets ?? []) this.addTarget(target);
  }

  /** Protects one more target. Call before the app is synthesized. */
  public addTarget(target: RollbackTarget): void {
    this.targets.push(target);
    this.monitoring.addTarget(target.id);
    for (const alarmName of target.alarmNames) this.protectAlarm(alarmName);
    if (target.codeDeployGroup) this.protectCodeDeployGroup(target.codeDeployGroup);
    else if (target.ecsService) this.protectEcsService(target.id, target.ecsService);
    else if (target.resource) this.protectKindTarget(target, target.resource);
    if (target.freeze) this.allowFreeze(target.freeze);
  }

  /**
   * The alarm's state changes reach the alarm handler, and drills may set it: by the first alarm-name
   * pattern that covers it (one rule entry and one grant for many alarms), else by its name.
   */
  private protectAlarm(alarmName: string): void {
    const pattern = Token.isUnresolved(alarmName)
      ? undefined
      : this.permissions.alarmNamePatterns?.find((p) => alarmNameMatches(p, alarmName));
    const alarmArn = (name: string) =>
      Stack.of(this).formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    if (pattern === undefined) {
      this.alarmRules.add(alarmName);
      this.grants.drillAlarms.add(alarmArn(alarmName));
      return;
    }
    // {"wildcard":"..."} around the pattern.
    this.alarmRules.add(`wildcard:${pattern}`, {
      pattern: { detail: { alarmName: events.Match.wildcard(pattern) } },
      extraChars: 14,
    });
    this.grants.drillAlarms.add(alarmArn(pattern));
    this.acknowledgePattern(`alarm:${pattern}`, [this.operatorRole], {
      id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, alarmArn(pattern))}]`,
      reason:
        `Drills may set the alarms that match ${JSON.stringify(pattern)}, a pattern the watchdog's ` +
        'configuration opts into (permissions.alarmNamePatterns) to cover its trigger alarms; ' +
        'cloudwatch:SetAlarmState only, and only for the operator function.',
    });
  }

  /** The stage ARN, arn:<partition>:codepipeline:<region>:<account>:<pipeline>/<stage>. */
  private allowFreeze({ pipelineName, stageName }: FreezeReference): void {
    const stageArn = Stack.of(this).formatArn({
      service: 'codepipeline',
      resource: pipelineName,
      resourceName: stageName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.grants.freezeStages.add(stageArn);
    this.grants.operatorFreezeStages.add(stageArn);
  }

  private protectEcsService(id: string, { clusterName, serviceName }: EcsServiceReference): void {
    const stack = Stack.of(this);
    const byCluster = this.permissions.ecs === 'clusters';
    const service = (resource: string, resourceName: string) =>
      stack.formatArn({ service: 'ecs', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const serviceArn = service('service', byCluster ? `${clusterName}/*` : `${clusterName}/${serviceName}`);
    const serviceDeployments = service(
      'service-deployment',
      byCluster ? `${clusterName}/*` : `${clusterName}/${serviceName}/*`,
    );
    this.grants.ecsServices.add(serviceArn);
    this.grants.ecsServiceDeployments.add(serviceDeployments);
    this.grants.ecsReads.add(serviceArn);
    this.grants.ecsTaskDefinitions.add('*');
    const serviceRevisions = service('service-revision', `${clusterName}/*`);
    this.grants.ecsServiceRevisions.add(serviceRevisions);
    const repositories = stack.formatArn({
      service: 'ecr',
      resource: 'repository',
      resourceName: '*',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.grants.ecrImages.add(repositories);
    this.acknowledgePattern('ecr-repositories', this.announcingRoles, {
      id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, repositories)}]`,
      reason:
        'The viability preflight and the retention guard check that the images of known-good task ' +
        'definitions are still in ECR (ecr:DescribeImages, ecr:GetLifecyclePolicy, read-only); the ' +
        "repositories are named by the task definitions, not known at synth: this account's and region's only.",
    });
    this.acknowledgePattern(`ecs-revisions:${clusterName}`, this.announcingRoles, {
      id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, serviceRevisions)}]`,
      reason:
        `Rollback notifications show the image digests ECS resolved, which it records on service revisions; ` +
        `their ids are not known in advance. ecs:DescribeServiceRevisions only (read-only), on the revisions ` +
        `of cluster ${clusterName}, one of the clusters of the protected services.`,
    });
    if (byCluster) {
      const reason =
        `The watchdog's configuration opts into grants by cluster (permissions.ecs "clusters"): the ` +
        `services of cluster ${clusterName} and their deployments, whose ids are not known in advance. ` +
        'Only the ECS actions a rollback needs; no other cluster.';
      this.acknowledgePattern(`ecs:${clusterName}`, [...this.actingRoles, ...this.readingRoles], {
        id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, serviceArn)}]`,
        reason,
      });
      this.acknowledgePattern(`ecs-deployments:${clusterName}`, this.actingRoles, {
        id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, serviceDeployments)}]`,
        reason,
      });
      // Deployment events of the whole cluster; the handler ignores the services it does not protect.
      const prefix = service('service', `${clusterName}/`);
      this.ecsDeploymentRules.add(`prefix:${prefix}`, {
        pattern: { resources: events.Match.prefix(prefix) },
        extraChars: 12,
      });
      this.ecsCallRules.add(`prefix:${prefix}`, {
        pattern: { detail: { responseElements: { service: { serviceArn: events.Match.prefix(prefix) } } } },
        extraChars: 12,
      });
      return;
    }
    this.acknowledgeOnActingRoles({
      id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, serviceDeployments)}]`,
      reason:
        `Stopping or describing a deployment of ${id} needs its service-deployment ARN, whose last ` +
        'segment is the id of a deployment that does not exist yet; the wildcard covers only that segment.',
    });
    this.ecsDeploymentRules.add(serviceArn);
    this.ecsCallRules.add(serviceArn);
  }

  /** A target of a kind from the registry (lib/kinds/registry.ts): the kind adds its grants and rules. */
  private protectKindTarget(target: RollbackTarget, resource: Readonly<Record<string, string>>): void {
    const kind = CDK_KINDS[target.type];
    if (!kind) {
      this.constructionProblems.push(
        `${target.id}: target type ${target.type} is not supported by this construct (lib/kinds/registry.ts)`,
      );
      return;
    }
    const ref: KindTargetRef = { id: target.id, type: target.type, resource };
    for (const problem of kind.problems?.(ref) ?? [])
      this.constructionProblems.push(`${target.id}: ${problem}`);
    kind.protect(this.kindContext, ref);
  }

  /** What a kind's `protect` works with: grants and rules that grow with the targets, shared per key. */
  private get kindContext(): KindProtectContext {
    if (this.kindContextValue) return this.kindContextValue;
    const stack = Stack.of(this);
    const roles = (which: KindRoles): readonly iam.Role[] =>
      which === 'acting' ? this.actingRoles : which === 'reading' ? this.readingRoles : this.announcingRoles;
    const grants = new Map<string, GrowingGrant>();
    const rules = new Map<string, ChunkedRules>();
    const once = new Set<string>();
    this.kindContextValue = {
      scope: this,
      permissions: this.permissions,
      arn: ({ service, resource, resourceName, sep }) =>
        stack.formatArn({
          service,
          resource,
          ...(resourceName !== undefined ? { resourceName } : {}),
          arnFormat: sep === '/' ? ArnFormat.SLASH_RESOURCE_NAME : ArnFormat.COLON_RESOURCE_NAME,
        }),
      grant: (key, which, actions, resource) => {
        const id = `${key}|${which}|${actions.join(',')}`;
        let grant = grants.get(id);
        if (!grant) {
          grant = new GrowingGrant(roles(which), actions);
          grants.set(id, grant);
        }
        grant.add(resource);
      },
      route: (rule, value, matcher) => {
        let chunked = rules.get(rule.id);
        if (!chunked) {
          chunked = new ChunkedRules(
            this,
            this.newDeploymentRule(rule.id, rule.description, rule.pattern),
            rule.baseChars,
            (v) => rule.patternFor(v),
          );
          rules.set(rule.id, chunked);
        }
        chunked.add(value, matcher);
      },
      once: (key, build) => {
        if (once.has(key)) return;
        once.add(key);
        build(this);
      },
      environment: (name, value) => {
        for (const fn of this.kindEnvironmentTargets) fn.addEnvironment(name, value);
      },
      acknowledge: (key, which, finding) => this.acknowledgePattern(`kind:${key}`, roles(which), finding),
    };
    return this.kindContextValue;
  }

  /** Acknowledges a wildcard finding once per pattern (ids are exact, reasons name the opt-in). */
  private acknowledgePattern(
    key: string,
    roles: readonly iam.Role[],
    acknowledgement: { readonly id: string; readonly reason: string },
  ): void {
    if (this.acknowledgedPatterns.has(key)) return;
    this.acknowledgedPatterns.add(key);
    for (const role of roles) acknowledge(role, acknowledgement);
  }

  private protectCodeDeployGroup({ applicationName, deploymentGroupName }: CodeDeployGroupReference): void {
    const stack = Stack.of(this);
    const byApplication = this.permissions.codeDeploy === 'applications';
    const group = (name: string) =>
      stack.formatArn({
        service: 'codedeploy',
        resource: 'deploymentgroup',
        resourceName: `${applicationName}/${name}`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    const groupArn = group(byApplication ? '*' : deploymentGroupName);
    const applicationArn = stack.formatArn({
      service: 'codedeploy',
      resource: 'application',
      resourceName: applicationName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const anyDeploymentConfig = stack.formatArn({
      service: 'codedeploy',
      resource: 'deploymentconfig',
      resourceName: '*',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.grants.codeDeployGroups.add(groupArn);
    this.grants.codeDeployApplications.add(applicationArn);
    this.grants.codeDeployStop.add('*');
    this.grants.codeDeployConfigs.add(anyDeploymentConfig);
    this.grants.codeDeployReads.add(groupArn);
    if (!this.acknowledgedDeploymentConfigs) {
      this.acknowledgedDeploymentConfigs = true;
      this.acknowledgeOnActingRoles({
        id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, anyDeploymentConfig)}]`,
        reason:
          'CreateDeployment needs codedeploy:GetDeploymentConfig on the deployment config the group or the ' +
          "deployment uses, which is not known at synth; the grant is read-only and covers this account's " +
          'deployment configs in this region only.',
      });
    }
    if (byApplication) {
      this.acknowledgePattern(`codedeploy:${applicationName}`, [...this.actingRoles, ...this.readingRoles], {
        id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, groupArn)}]`,
        reason:
          `The watchdog's configuration opts into grants by application (permissions.codeDeploy ` +
          `"applications"): the deployment groups of application ${applicationName}, and only the ` +
          'CodeDeploy actions a rollback needs.',
      });
      const prefix = group('');
      this.codeDeployRules.add(`prefix:${prefix}`, {
        pattern: { resources: events.Match.prefix(prefix) },
        extraChars: 12,
      });
      this.codeDeployCallRules.add(applicationName);
      return;
    }
    this.codeDeployRules.add(groupArn);
    this.codeDeployCallRules.add(applicationName);
  }

  /**
   * What CloudFormation and IAM would refuse at deploy time although synth succeeds (CDK only warns): a role
   * with more managed policies than IAM attaches, a template with more resources than one stack holds.
   * Runs after the roles have split their policies.
   */
  private stackLimitProblems(): string[] {
    const problems: string[] = [];
    const targets = this.targets.length;
    const fix =
      'grant by pattern (permissions: ecs "clusters", codeDeploy "applications", alarmNamePatterns) or ' +
      'split the fleet across stacks, one config file and stack name each (README: Deploy, Fleet size)';
    for (const { label, role } of this.createdRoles) {
      const managed = role.node.children.filter((c) => c instanceof iam.ManagedPolicy).length;
      if (managed > STACK_LIMITS.managedPoliciesPerRole) {
        problems.push(
          `targets: ${targets} targets need ${managed} managed policies on the ${label} role, but IAM ` +
            `attaches at most ${STACK_LIMITS.managedPoliciesPerRole} to a role; ${fix}`,
        );
      }
    }
    const resources = Stack.of(this)
      .node.findAll()
      .filter((c) => CfnResource.isCfnResource(c)).length;
    if (resources > STACK_LIMITS.resourcesPerStack) {
      problems.push(
        `targets: ${targets} targets make ${resources} resources in stack ${Stack.of(this).stackName}, but ` +
          `CloudFormation allows ${STACK_LIMITS.resourcesPerStack}; ${fix}`,
      );
    }
    return problems;
  }

  private acknowledgeOnActingRoles(acknowledgement: { readonly id: string; readonly reason: string }): void {
    for (const role of this.actingRoles) acknowledge(role, acknowledgement);
  }

  private createTable(exportsAudit: boolean): dynamodb.Table {
    return new dynamodb.Table(this, 'StateTable', {
      // Only for the audit export: the stream is read asynchronously, so writes do not wait for it.
      stream: exportsAudit ? dynamodb.StreamViewType.NEW_IMAGE : undefined,
      partitionKey: { name: TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE.ttlAttribute,
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // The audit log and the known-good ledger outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  private createTopicKey(): kms.Key {
    const key = new kms.Key(this, 'TopicKey', {
      description: 'Rollback Watchdog: encrypts the notification topic',
      enableKeyRotation: true,
    });
    // CloudWatch alarm actions and EventBridge publish to the topic; with the AWS-managed SNS key they
    // cannot, so the topic uses this key and lets both services use it (docs/architecture.md, "AWS behaviour
    // it relies on").
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAndEventBridgeToPublishToTheTopic',
        principals: [
          new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
          new iam.ServicePrincipal('events.amazonaws.com'),
        ],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    return key;
  }

  /**
   * The version quarantine across regions (lambda/contract/quarantine.ts): the stack's version bus, which the
   * publishers may put events on; rules forwarding this region's quarantines and receipts to the other
   * regions' buses, five targets a rule; and the rules delivering what concerns this region to the alarm
   * handler: quarantines and receipts from the other regions, and this region's own checks. No handler calls
   * another region: only these rules cross, with EventBridge's own retries (24 hours for a bus target) and the
   * DLQ after them.
   */
  private createVersionBus(input: {
    readonly busName: string;
    readonly regions: readonly string[];
    readonly publishers: readonly iam.Role[];
    /** A rule on `bus` that delivers to the alarm handler like the watchdog's other rules (`newRule`). */
    readonly receiver: (
      id: string,
      description: string,
      pattern: events.EventPattern,
      bus: events.IEventBus,
    ) => events.Rule;
    /** The rules the DLQ's policy lets dead-letter; the forwarding rules join them. */
    readonly rules: events.Rule[];
  }): events.EventBus {
    const stack = Stack.of(this);
    const here = stack.region;
    const bus = new events.EventBus(this, 'VersionBus', {
      eventBusName: input.busName,
      description: 'Rollback Watchdog: version quarantines between the regions of this stack name',
    });
    for (const role of input.publishers) bus.grantPutEventsTo(role);
    const carried = [QUARANTINE_DETAIL_TYPE.quarantine, QUARANTINE_DETAIL_TYPE.receipt];

    // With the stack's region a token (which validation reports) no listed region can be told from this one,
    // and a region that is a token (reported too) cannot name a construct: neither is forwarded to.
    const others = Token.isUnresolved(here)
      ? []
      : [...new Set(input.regions)].filter((r) => r !== here && !Token.isUnresolved(r));
    if (others.length > 0) {
      const arnOf = (region: string) =>
        versionBusArn(stack.partition, region, stack.account, stack.stackName);
      // Same account: the other buses need no resource policy, the role's identity policy is what allows it.
      const role = new iam.Role(this, 'VersionForwardingRole', {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
        description: "Rollback Watchdog: forwards this region's version quarantines to the other regions",
        inlinePolicies: {
          PutOnTheOtherRegionsVersionBuses: new iam.PolicyDocument({
            statements: [
              new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: others.map(arnOf) }),
            ],
          }),
        },
      });
      // Each event-bus target would add a statement for its own bus; the one above already names them all.
      const targetRole = role.withoutPolicyUpdates();
      const forwardTo = (region: string): events.IRuleTarget => {
        // Retries are not configurable for a bus target (EventBridge retries it for 24 hours); what still
        // fails goes to the DLQ, whose one policy statement covers every rule (AllowTheWatchdogRulesToDeadLetter).
        const target = new eventTargets.EventBus(
          events.EventBus.fromEventBusArn(this, `PeerVersionBus-${region}`, arnOf(region)),
          { role: targetRole },
        );
        return {
          bind: (rule, id) => ({
            ...target.bind(rule, id),
            deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
          }),
        };
      };
      for (let start = 0; start < others.length; start += TARGETS_PER_RULE) {
        const index = start / TARGETS_PER_RULE;
        const regions = others.slice(start, start + TARGETS_PER_RULE);
        const rule = new events.Rule(
          this,
          index === 0 ? 'VersionForwardRule' : `VersionForwardRule${index + 1}`,
          {
            eventBus: bus,
            description: `Rollback Watchdog: forwards this region's version quarantines and receipts to ${regions.join(', ')}`,
            // Only what this region's handlers put on the bus: an event forwarded here names its origin region
            // in `from`, so it is never forwarded again.
            eventPattern: { source: [QUARANTINE_SOURCE], detailType: carried, detail: { from: [here] } },
            targets: regions.map(forwardTo),
          },
        );
        this.monitoring.watchRule(rule);
        input.rules.push(rule);
      }
    }

    input.receiver(
      'VersionQuarantineRule',
      'Rollback Watchdog: version quarantines and receipts from the other regions',
      {
        source: [QUARANTINE_SOURCE],
        detailType: carried,
        detail: { from: [{ 'anything-but': here }] },
      },
      bus,
    );
    input.receiver(
      'VersionCheckRule',
      "Rollback Watchdog: this region's checks of quarantined versions seen deploying",
      { source: [QUARANTINE_SOURCE], detailType: [QUARANTINE_DETAIL_TYPE.check], detail: { from: [here] } },
      bus,
    );
    return bus;
  }

  /** Any message in the DLQ is an event the watchdog never acted on: someone must look. */
  private alarmOnDeadLetters(dlq: sqs.Queue): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription:
        'Rollback Watchdog: events or invocations failed and are waiting in the dead-letter queue',
      metric: dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const action = new cloudwatchActions.SnsAction(this.notificationTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    return alarm;
  }

  /**
   * The Slack interaction endpoint's URL and what only it needs: the one secret (webhook URL and signing
   * secret), and invoking itself asynchronously (the press is acknowledged within Slack's 3 seconds and
   * carried out by the next invocation, not retried: a failure goes to the DLQ, and the presser is told).
   */
  private exposeSlackInteraction(
    handler: { fn: lambda.Function; role: iam.Role },
    secret: secretsmanager.ISecret,
  ): { url: lambda.IFunctionUrl } {
    const { fn, role } = handler;
    secret.grantRead(fn);
    fn.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });
    // A policy of its own, not the role's default policy, which the function depends on: the statement names
    // the function's ARN, and the function must not wait for a policy that waits for it.
    new iam.Policy(this, 'SlackInteractionSelfInvoke', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
      ],
    });
    // NONE, unlike the operator URLs: Slack cannot sign AWS requests. What stands in for IAM is the Slack
    // signature, its age and the replay guard, checked before anything else (lambda/handlers/slack-interaction.ts).
    const url = fn.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    acknowledge(url, {
      id: 'LambdaFunctionUrlAuth',
      reason: SLACK_URL_REASON,
    });
    new CfnOutput(Stack.of(this), SLACK_INTERACTION_OUTPUT, {
      value: url.url,
      description:
        "Rollback Watchdog Slack interaction endpoint: the Slack app's Interactivity Request URL (AuthType NONE, Slack-signed requests only)",
    });
    return { url };
  }

  /**
   * A webhook channel's forwarder (`SlackNotifier` for Slack): subscribed to the topic, it renders for the
   * channel its environment names and reads the webhook URL from the one secret it may read. SNS retries
   * delivery and then dead-letters it; the function's own failures go to its on-failure destination. Both land
   * in the DLQ.
   */
  private createWebhookNotifier(
    webhook: ResolvedWebhook,
    logRetention: logs.RetentionDays,
  ): lambda.IFunction {
    const { secret, mention } = webhook;
    const env = webhookChannelEnv(webhook.channel);
    const interactive = webhook.channel === 'slack' && this.slackInteractive;
    const { fn } = this.createHandler(
      `${webhook.id}Notifier`,
      'on-webhook',
      logRetention,
      {
        [ENV.webhookChannel]: webhook.channel,
        [env.secretArn]: secret.secretArn,
        [ENV.stackName]: Stack.of(this).stackName,
        ...(mention !== undefined ? { [env.mention]: mention } : {}),
        ...(interactive ? { [ENV.slackInteractive]: 'true' } : {}),
        [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
        [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
      },
      { starActions: [STAR.xray] },
    );
    // GetSecretValue and DescribeSecret on this secret only; with a customer-managed key, kms:Decrypt on that
    // key through Secrets Manager only (kms:ViaService).
    secret.grantRead(fn);
    this.notificationTopic.addSubscription(
      new subscriptions.LambdaSubscription(fn, { deadLetterQueue: this.deadLetterQueue }),
    );
    return fn;
  }

  /**
   * A notification-only Chatbot channel. Chatbot's default guardrail is AdministratorAccess; here the channel
   * role and the guardrail both allow one read: the dead-letter alarm, the only native CloudWatch alarm
   * notification on the topic (every other message is a self-contained custom notification).
   */
  private createSlackChannel(options: ChatbotSlackChannelOptions): chatbot.SlackChannelConfiguration {
    const readDeadLetterAlarm = () =>
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [this.deadLetterAlarm.alarmArn],
      });
    const role = new iam.Role(this, 'SlackChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: 'Rollback Watchdog: AWS Chatbot channel role (notifications only, read-only)',
    });
    role.addToPrincipalPolicy(readDeadLetterAlarm());
    const guardrail = new iam.ManagedPolicy(this, 'SlackChannelGuardrail', {
      description: 'Rollback Watchdog: the most any member of the Chatbot channel may do (read-only)',
      statements: [readDeadLetterAlarm()],
    });
    return new chatbot.SlackChannelConfiguration(this, 'SlackChannel', {
      slackChannelConfigurationName:
        options.configurationName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      slackWorkspaceId: options.slackWorkspaceId,
      slackChannelId: options.slackChannelId,
      role,
      guardrailPolicies: [guardrail],
      notificationTopics: [this.notificationTopic],
    });
  }

  /**
   * The outputs the `watchdog` CLI reads (STACK_OUTPUT), at the top of the stack so that their keys are
   * exactly those names. A second watchdog in the same stack would need the same keys: that is a problem
   * reported at synth, not a silent overwrite.
   */
  private addStackOutputs(): void {
    const stack = Stack.of(this);
    const outputs: Record<string, { value: string; description: string }> = {
      [STACK_OUTPUT.operatorUrl]: {
        value: this.operatorUrl.url,
        description: 'Rollback Watchdog operator Function URL (AWS_IAM auth), called by the watchdog CLI',
      },
      [STACK_OUTPUT.operatorFunctionName]: {
        value: this.operatorFunction.functionName,
        description: 'Rollback Watchdog operator function',
      },
      [STACK_OUTPUT.operatorReadUrl]: {
        value: this.operatorReadUrl.url,
        description:
          'Rollback Watchdog read-only operator Function URL (AWS_IAM auth): watchdog status and history',
      },
      [STACK_OUTPUT.operatorReadFunctionName]: {
        value: this.operatorReadFunction.functionName,
        description: 'Rollback Watchdog read-only operator function',
      },
      [STACK_OUTPUT.tableName]: {
        value: this.stateTable.tableName,
        description: 'Rollback Watchdog state table (state, audit log, runtime config)',
      },
      [STACK_OUTPUT.topicArn]: {
        value: this.notificationTopic.topicArn,
        description: 'Rollback Watchdog notification topic',
      },
    };
    for (const [id, props] of Object.entries(outputs)) {
      if (stack.node.tryFindChild(id)) {
        this.constructionProblems.push(
          `stack output ${id}: ${stack.node.path} already has a construct with this id; one RollbackWatchdog ` +
            'per stack, since the watchdog CLI finds it by these outputs',
        );
      } else {
        new CfnOutput(stack, id, props);
      }
    }
  }

  /**
   * What every handler that reads the state table and publishes to the topic is told; with the version
   * quarantine, the name of the bus they put its events on.
   */
  private handlerEnvironment(configVersion: string, versionBus: string | undefined): Record<string, string> {
    return {
      [ENV.tableName]: this.stateTable.tableName,
      [ENV.topicArn]: this.notificationTopic.topicArn,
      [ENV.stackName]: Stack.of(this).stackName,
      [ENV.configVersion]: configVersion,
      ...(versionBus !== undefined ? { [ENV.versionBusName]: versionBus } : {}),
      [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
      [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
      // Stack traces in the logs point at the TypeScript sources through the bundled source map.
      NODE_OPTIONS: '--enable-source-maps',
    };
  }

  /**
   * One function with the settings every handler shares: Node 22 on arm64, tracing, its own log group and
   * role, the SDK bundled in; invoked asynchronously, two retries then the DLQ as on-failure destination and a
   * bounded event age. A `stream` function is only invoked by its event source mapping, which has its own
   * retries and on-failure destination.
   */
  private createHandler(
    id: string,
    entry: HandlerEntry,
    logRetention: logs.RetentionDays,
    environment: Record<string, string>,
    wildcardReasons: WildcardReasons,
    timeout: Duration = HANDLER_TIMEOUT,
    /**
     * How Lambda calls it: events (async, retried, failures to the DLQ), a stream event source mapping, or a
     * Function URL (synchronous: the caller gets the error, so there is nothing to retry or dead-letter).
     */
    invocation: 'async' | 'stream' | 'url' = 'async',
    /** The export of the entry that Lambda calls: one bundle can serve two functions. */
    exportName = 'handler',
  ): { fn: lambda.Function; role: iam.Role } {
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logRetention });
    // An explicit role instead of AWSLambdaBasicExecutionRole: log writes scoped to this log group only.
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.createdRoles.push({ label: id, role });
    logGroup.grantWrite(role);
    const settings = {
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: HANDLER_MEMORY_MB,
      timeout,
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      ...(invocation === 'async'
        ? {
            retryAttempts: ASYNC_RETRY_ATTEMPTS,
            maxEventAge: MAX_DELIVERY_AGE,
            onFailure: new destinations.SqsDestination(this.deadLetterQueue),
          }
        : {}),
      environment,
    };
    const code = handlerCode(entry);
    // Installed from npm: the bundles `npm pack` built, so synth needs neither esbuild nor the handlers'
    // dependencies. In a checkout: the TypeScript sources, bundled at synth with the local esbuild.
    const fn =
      code.kind === 'prebuilt'
        ? new lambda.Function(this, id, {
            ...settings,
            code: lambda.Code.fromAsset(code.directory),
            // The export of index.js (BUNDLE_FILE), as NodejsFunction names it too.
            handler: `index.${exportName}`,
          })
        : new nodejs.NodejsFunction(this, id, {
            ...settings,
            entry: code.entry,
            handler: exportName,
            bundling: { ...HANDLER_BUNDLING, forceDockerBundling: false },
          });
    const { starActions, arnWildcards } = wildcardReasons;
    const star = `Resource "*" only for actions that support no narrower resource: ${starActions.join('; ')}.`;
    acknowledge(
      role,
      { id: 'AwsSolutions-IAM5[Resource::*]', reason: star },
      {
        id: 'Serverless-LambdaStarPermissions',
        reason: arnWildcards ? `${star} The only other wildcards are ${arnWildcards}.` : star,
      },
    );
    const pinnedRuntime =
      'nodejs22.x is the runtime the handlers are bundled for (esbuild target node22) and tested on; ' +
      'it is a supported runtime and moves with the toolchain, not with each new release.';
    acknowledge(
      fn,
      { id: 'AwsSolutions-L1', reason: pinnedRuntime },
      { id: 'Serverless-LambdaLatestVersion', reason: pinnedRuntime },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          invocation === 'async'
            ? 'Failed asynchronous invocations go to an on-failure destination (the same queue), which ' +
              'records the error with the event; a function DLQ as well would store every failure twice.'
            : 'Only its stream event source mapping invokes it, whose on-failure destination is the ' +
              "watchdog's DLQ; a function DLQ applies to asynchronous invocations, which it never gets.",
      },
    );
    return { fn, role };
  }

  /**
   * The audit export: the table's stream, filtered to inserted audit items, feeds an exporter that writes one
   * object per item. The decision path never waits for it. A batch that fails is retried from its first failed
   * record until AUDIT_EXPORT_MAX_RECORD_AGE, then its record range is dead-lettered; object keys are derived
   * from the item, so a retried write replaces the object with the same content instead of adding a copy.
   */
  private exportAudit(
    options: AuditExportOptions,
    logRetention: logs.RetentionDays,
  ): { bucket: s3.IBucket; fn: lambda.IFunction } {
    const prefix = options.prefix ?? DEFAULT_AUDIT_EXPORT_PREFIX;
    // Invalid settings fail validation at synth; until then the bucket must still be constructible.
    const days =
      options.retention && !options.retention.isUnresolved()
        ? options.retention.toDays({ integral: false })
        : DEFAULT_AUDIT_EXPORT_RETENTION_DAYS;
    const bucket =
      options.bucket ??
      new AuditExportBucket(this, 'AuditExport', {
        retentionDays: retentionDaysProblem(days, 'export') ? DEFAULT_AUDIT_EXPORT_RETENTION_DAYS : days,
      }).bucket;
    const { fn, role } = this.createHandler(
      'AuditExporter',
      'on-audit-export',
      logRetention,
      {
        [ENV.auditExportBucket]: bucket.bucketName,
        [ENV.auditExportPrefix]: prefix,
        [ENV.auditExportBucketOwner]: bucket.env.account,
        [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
        [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
      },
      { starActions: [STAR.xray, STAR.listStreams] },
      AUDIT_EXPORT_TIMEOUT,
      'stream',
    );
    // PutObject under the prefix, nothing else: no reads, no deletes, no other keys.
    const objects = bucket.arnForObjects(`${prefix}*`);
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
    bucket.encryptionKey?.grant(fn, 'kms:GenerateDataKey');
    acknowledge(role, {
      id: `AwsSolutions-IAM5[Resource::${nagFindingValue(this, objects)}]`,
      reason:
        `The exporter writes one object per audit item under ${prefix}, with keys made from each item; ` +
        's3:PutObject only, and only under that prefix.',
    });
    if (!this.stateTable.tableStreamArn) {
      this.constructionProblems.push(
        'auditExport: the table passed in (table) has no stream to export from; create it with ' +
          'stream: dynamodb.StreamViewType.NEW_IMAGE (or NEW_AND_OLD_IMAGES) and pass its tableStreamArn, or ' +
          'let the watchdog create its table',
      );
      return { bucket, fn };
    }
    fn.addEventSource(
      new eventSources.DynamoEventSource(this.stateTable, {
        // The stream is created with the mapping: from its start, so nothing written in between is missed.
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: AUDIT_EXPORT_BATCH_SIZE,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        maxRecordAge: AUDIT_EXPORT_MAX_RECORD_AGE,
        onFailure: new eventSources.SqsDlq(this.deadLetterQueue),
        // Audit items are only ever inserted (appendAudit's condition); state and config writes and TTL
        // deletions never invoke the exporter.
        filters: [
          lambda.FilterCriteria.filter({
            // Typed `any` by aws-cdk-lib; it is the filter `["INSERT"]`.
            eventName: lambda.FilterRule.isEqual('INSERT') as unknown,
            dynamodb: {
              NewImage: {
                [TABLE.partitionKey]: { S: lambda.FilterRule.beginsWith(KEY.auditPartition('')) },
              },
            },
          }),
        ],
      }),
    );
    return { bucket, fn };
  }

  private runtimeConfig() {
    const stack = Stack.of(this);
    return buildRuntimeConfig({
      account: stack.account,
      region: stack.region,
      maxEventAgeMinutes: this.maxEventAge?.toMinutes({ integral: false }) ?? DEFAULT_MAX_EVENT_AGE_MINUTES,
      sweepIntervalMinutes: this.sweepIntervalMinutes,
      // Not integral, like maxEventAge: validation, not a conversion error, reports a fractional retention.
      auditRetentionDays: this.auditRetention?.toDays({ integral: false }) ?? RETENTION.auditDays,
      defaults: this.defaults,
      targets: this.targets,
      regions: this.quarantineRegions,
      groups: this.groups,
    });
  }

  /**
   * Hash of the config as the template carries it (tokens as CloudFormation references), set on the
   * handlers so that a deploy changing only the config still replaces warm containers.
   */
  private configVersion(): string {
    const unresolved = JSON.stringify(Stack.of(this).resolve(this.runtimeConfig()));
    return createHash('sha256').update(unresolved).digest('hex').slice(0, 16);
  }

  /**
   * The config writer: a custom resource whose function reads the resolved RuntimeConfig from an S3 asset
   * and writes it as the KEY.config() item on every deploy that changes it. The asset is staged once every
   * target is known (an aspect, before the roles' policies are sized), so targets added with addTarget()
   * are in it; deploy-time values travel as `Substitutions` (lib/private/config-asset.ts).
   */
  private writeRuntimeConfig(logRetention: logs.RetentionDays): {
    fn: lambda.IFunction;
    resource: CustomResource;
  } {
    const { fn } = this.createHandler(
      'ConfigWriter',
      'on-config-write',
      logRetention,
      {
        [POWERTOOLS_ENV.serviceName]: SERVICE_NAME,
        [POWERTOOLS_ENV.metricsNamespace]: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
      },
      { starActions: [STAR.xray] },
      CONFIG_WRITER_TIMEOUT,
    );
    // PutItem of the one item, nothing else on the table.
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:PutItem'], resources: [this.stateTable.tableArn] }),
    );
    this.stateTable.encryptionKey?.grantEncrypt(fn);
    let asset: s3assets.Asset | undefined;
    let substitutions: readonly unknown[] = [];
    const staged = (): s3assets.Asset => {
      if (!asset) throw new Error('the runtime config asset is staged by an aspect before synthesis');
      return asset;
    };
    Aspects.of(this).add(
      {
        visit: (node) => {
          if (node !== this || asset) return;
          const config = stageConfig(this, this.runtimeConfig());
          substitutions = config.substitutions;
          asset = configAsset(this, 'RuntimeConfigAsset', config);
          // GetObject of this one object (the asset's key is its content hash).
          fn.addToRolePolicy(
            new iam.PolicyStatement({
              actions: ['s3:GetObject'],
              resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
            }),
          );
        },
      },
      // Before the roles split their policies (default priority), so the grant above is sized with them.
      { priority: AspectPriority.MUTATING },
    );
    const resource = new CustomResource(this, 'RuntimeConfig', {
      serviceToken: fn.functionArn,
      resourceType: CONFIG_WRITER_RESOURCE_TYPE,
      properties: {
        [CONFIG_WRITER_PROPERTY.bucket]: Lazy.string({ produce: () => staged().s3BucketName }),
        [CONFIG_WRITER_PROPERTY.key]: Lazy.string({ produce: () => staged().s3ObjectKey }),
        [CONFIG_WRITER_PROPERTY.tableName]: this.stateTable.tableName,
        [CONFIG_WRITER_PROPERTY.substitutions]: Lazy.any({ produce: () => substitutions }),
      },
    });
    return { fn, resource };
  }
}

/** The Slack webhook channel's secret, when there is one. */
function slackSecretOf(channels: {
  readonly webhooks: readonly ResolvedWebhook[];
}): secretsmanager.ISecret | undefined {
  return channels.webhooks.find((w) => w.channel === 'slack')?.secret;
}

/** Why the Slack interaction endpoint's URL has no IAM auth, for cdk-nag and reviewers. */
const SLACK_URL_REASON =
  'Slack cannot sign AWS requests, so the Slack interaction URL has AuthType NONE. It is created only with ' +
  'slackInteraction. Every request must carry a valid X-Slack-Signature (HMAC-SHA256 of v0:timestamp:body under ' +
  "the app's signing secret), a timestamp within 5 minutes and a trigger_id never seen before (a conditional " +
  'write in the state table); anything else is answered 401, changes nothing and is audited without its body. ' +
  'A verified press can only approve a rollback the watchdog proposed or pause a target, and only for a listed ' +
  'approver.';
