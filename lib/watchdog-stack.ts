import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack, Token, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  TARGET_IDENTITY_FIELDS,
  regionalConfig,
  regionsHomeFirst,
  type AuditExportConfig,
  type PolicyConfig,
  type WatchdogConfig,
} from '../lambda/contract';
import { NotificationChannel } from './notification-channel';
import { RollbackTarget, type RollbackPolicy } from './rollback-target';
import {
  RollbackWatchdog,
  type AuditExportOptions,
  type ChatbotSlackChannelOptions,
} from './rollback-watchdog';

/** Context key of the permissions boundary ARN: `cdk synth -c permissionsBoundary=arn:aws:iam::...`. */
export const PERMISSIONS_BOUNDARY_CONTEXT = 'permissionsBoundary';

/** Properties of {@link WatchdogStack}. */
export interface WatchdogStackProps extends StackProps {
  /** The contents of `watchdog.config.json`, already validated with `parseWatchdogConfig`. */
  readonly config: WatchdogConfig;
  /**
   * An AWS Chatbot Slack channel subscribed to the notification topic.
   *
   * @default - no Chatbot channel
   */
  readonly chatbotSlack?: ChatbotSlackChannelOptions;
  /**
   * Principals that may call the operator Function URL, besides those whose identity policies allow it.
   *
   * @default - only principals whose identity policies allow it
   */
  readonly operatorPrincipals?: readonly iam.IPrincipal[];
  /**
   * Principals that may call only the read-only operator Function URL (`watchdog status` and `history`).
   *
   * @default - only principals whose identity policies allow it
   */
  readonly readOnlyPrincipals?: readonly iam.IPrincipal[];
  /**
   * ARN of a managed policy set as permissions boundary on every role the watchdog creates.
   *
   * @default - the `permissionsBoundary` context value (PERMISSIONS_BOUNDARY_CONTEXT) if set, else none
   */
  readonly permissionsBoundaryArn?: string;
}

const minutes = (value: number | undefined) => (value === undefined ? undefined : Duration.minutes(value));

function toPolicy(config: PolicyConfig | undefined): RollbackPolicy | undefined {
  if (!config) return undefined;
  return {
    mode: config.mode,
    cooldown: minutes(config.cooldownMinutes),
    bake: minutes(config.bakeMinutes),
    watchWindow: minutes(config.watchWindowMinutes),
    maxRollbacks: config.maxRollbacks && {
      count: config.maxRollbacks.count,
      window: Duration.minutes(config.maxRollbacks.windowMinutes),
    },
    approvalTimeout: minutes(config.approvalTimeoutMinutes),
    approvalTimeoutAction: config.approvalTimeoutAction,
    verificationTimeout: minutes(config.verificationTimeoutMinutes),
    fastRollback: config.fastRollback,
  };
}

const days = (value: number | undefined) => (value === undefined ? undefined : Duration.days(value));

/** `auditExport` of the config file: a bucket of yours by name (its owner and key, if given), or a new one. */
function toAuditExport(
  scope: Construct,
  config: AuditExportConfig | undefined,
): AuditExportOptions | undefined {
  if (!config) return undefined;
  const { bucketName, bucketOwner, kmsKeyArn, prefix, retentionDays } = config;
  const bucket =
    bucketName === undefined
      ? undefined
      : s3.Bucket.fromBucketAttributes(scope, 'AuditExportBucket', {
          bucketName,
          account: bucketOwner,
          encryptionKey:
            kmsKeyArn === undefined ? undefined : kms.Key.fromKeyArn(scope, 'AuditExportKey', kmsKeyArn),
        });
  return { bucket, prefix, retention: days(retentionDays) };
}

/**
 * The app's stack: one {@link RollbackWatchdog} built from `watchdog.config.json`. The config is parsed
 * and validated by the caller (`bin/app.ts`), so that every problem in the file is reported at once by
 * JSON path before any construct exists.
 */
export class WatchdogStack extends Stack {
  public readonly watchdog: RollbackWatchdog;

  constructor(scope: Construct, id: string, props: WatchdogStackProps) {
    super(scope, id, props);
    const { config } = props;
    // A target that names its region belongs to that region's stack (watchdogStacks splits the config).
    const elsewhere = config.targets.filter(
      (t) => t.region !== undefined && !Token.isUnresolved(this.region) && t.region !== this.region,
    );
    if (elsewhere.length > 0) {
      this.node.addValidation({
        validate: () =>
          elsewhere.map(
            (t) =>
              `targets: ${t.id} is in ${t.region ?? ''}, not in this stack's region ${this.region}; deploy one stack per region with watchdogStacks() (the CDK app does)`,
          ),
      });
    }
    const targets = config.targets.map((target) => {
      switch (target.type) {
        case 'ecs-service':
          return RollbackTarget.ecsService({
            id: target.id,
            cluster: target.cluster,
            serviceName: target.service,
            alarms: target.alarms,
            policy: toPolicy(target),
            freeze: target.freeze,
            runbookUrl: target.runbookUrl,
          });
        case 'codedeploy':
          return RollbackTarget.codeDeployGroup({
            id: target.id,
            application: target.application,
            deploymentGroupName: target.deploymentGroup,
            alarms: target.alarms,
            policy: toPolicy(target),
            freeze: target.freeze,
            runbookUrl: target.runbookUrl,
          });
        default:
          // A kind from the registry (lambda/kinds/config-registry.ts): its identity fields as they are.
          return RollbackTarget.of(target.type, {
            id: target.id,
            resource: Object.fromEntries(
              TARGET_IDENTITY_FIELDS[target.type].map((f) => [
                f,
                String((target as unknown as Record<string, unknown>)[f]),
              ]),
            ),
            alarms: target.alarms,
            policy: toPolicy(target),
            freeze: target.freeze,
            runbookUrl: target.runbookUrl,
          });
      }
    });

    const boundaryContext: unknown = this.node.tryGetContext(PERMISSIONS_BOUNDARY_CONTEXT);
    const boundaryArn =
      props.permissionsBoundaryArn ??
      (typeof boundaryContext === 'string' && boundaryContext.length > 0 ? boundaryContext : undefined);

    const slackSecretName =
      config.notifications?.slack?.webhookSecretName ?? config.notifications?.slackWebhookSecretName;
    this.watchdog = new RollbackWatchdog(this, 'Watchdog', {
      targets,
      defaults: toPolicy(config.defaults),
      maxEventAge: minutes(config.defaults?.maxEventAgeMinutes),
      sweepInterval: minutes(config.defaults?.sweepIntervalMinutes),
      auditRetention: days(config.defaults?.auditRetentionDays),
      auditExport: toAuditExport(this, config.auditExport),
      // Every region of the config, this one included: with two or more, each stack quarantines the versions
      // the others roll back.
      regions: config.regions,
      notificationEmails: config.notifications?.emails,
      // By name: the grant covers every version of that secret (its ARN ends in a random suffix).
      slackWebhookSecret:
        slackSecretName === undefined
          ? undefined
          : secretsmanager.Secret.fromSecretNameV2(this, 'SlackWebhookSecret', slackSecretName),
      slackMention: config.notifications?.slack?.mention,
      // The config file's schema already required approvers with interactive (lambda/boundary/config-schema.ts).
      slackInteraction:
        config.notifications?.slack?.interactive === true
          ? { approvers: config.notifications.slack.approvers ?? [] }
          : undefined,
      chatbotSlack: props.chatbotSlack,
      // From the config file too; with the prop as well, synth names the two and asks to keep one.
      notificationChannels: config.notifications?.chatbotSlack
        ? [NotificationChannel.chatbotSlack(config.notifications.chatbotSlack)]
        : undefined,
      permissions: config.permissions,
      groups: config.groups?.map((g) => ({
        id: g.id,
        targets: g.targets,
        rollbackOrder: g.rollbackOrder,
        releaseWindow: minutes(g.releaseWindowMinutes),
        onMemberFailure: g.onMemberFailure,
      })),
      // From the construct props and the config file alike (the config names them by ARN).
      operatorPrincipals: principals(props.operatorPrincipals, config.operatorPrincipals),
      readOnlyPrincipals: principals(props.readOnlyPrincipals, config.readOnlyPrincipals),
      permissionsBoundary:
        boundaryArn === undefined
          ? undefined
          : iam.ManagedPolicy.fromManagedPolicyArn(this, 'PermissionsBoundary', boundaryArn),
    });
  }
}

/** The part of `config` one region's watchdog runs (see lambda/contract/config-file.ts). */
export { regionalConfig };

/**
 * The watchdog's stacks for `props.config`: one per region of `config.regions`, each in its region with that
 * region's part of the config (regionalConfig) and the same CloudFormation stack name (`props.stackName`, else
 * `id`), so that the CLI finds each by `--stack` and `--region`; construct ids are `<id>-<region>`. A config
 * without `regions` (or with one) gives one stack named `id`, as before: without `regions` it deploys to the
 * region the CDK CLI targets.
 */
export function watchdogStacks(scope: Construct, id: string, props: WatchdogStackProps): WatchdogStack[] {
  const regions = regionsHomeFirst(props.config);
  if (regions.length === 0) return [new WatchdogStack(scope, id, props)];
  return regions.map(
    (region) =>
      new WatchdogStack(scope, regions.length === 1 ? id : `${id}-${region}`, {
        ...props,
        stackName: props.stackName ?? id,
        env: { ...props.env, region },
        config: regionalConfig(props.config, region),
      }),
  );
}

/**
 * The problems a synth of this config would report beyond the config file's own schema: what one stack
 * cannot hold (managed policies per role, resources per stack), with the number and the fix. Builds the
 * stack as `cdk synth` does, without bundling (which does not change what is checked) and without writing
 * anything that stays; `watchdog validate` runs it after the schema check.
 */
export function synthProblems(config: WatchdogConfig): string[] {
  const outdir = mkdtempSync(path.join(tmpdir(), 'watchdog-validate-'));
  try {
    // The feature flag of cdk.json that changes how policies are sized and split. CDK's built-in template
    // validation (most of a small synth's time) finds nothing the construct's own validation would miss.
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-iam:minimizePolicies': true },
    });
    const stacks = watchdogStacks(app, 'RollbackWatchdog', { config });
    try {
      app.synth();
      return [];
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // `[RollbackWatchdog-eu-west-1/Watchdog] problem`: with several regions, each problem names its region.
      const lines = message
        .split('\n')
        .map((line) => {
          const m = /^\s*\[([^\]/]+)[^\]]*\]\s*(.*)$/.exec(line);
          if (!m?.[2]) return undefined;
          const stack = stacks.find((s) => s.node.id === m[1]);
          return stacks.length > 1 && stack ? `${stack.region}: ${m[2]}` : m[2];
        })
        .filter((line): line is string => line !== undefined && line.length > 0);
      return lines.length > 0 ? lines : [message];
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The principals of a prop and of the config's ARNs together; undefined when neither gives any. */
function principals(
  given: readonly iam.IPrincipal[] | undefined,
  arns: readonly string[] | undefined,
): iam.IPrincipal[] | undefined {
  const all = [...(given ?? []), ...(arns ?? []).map((arn) => new iam.ArnPrincipal(arn))];
  return all.length > 0 ? all : undefined;
}
