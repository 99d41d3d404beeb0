import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  ACCOUNT_ID_PATTERN,
  APPROVAL_TIMEOUT_ACTIONS,
  auditExportPrefixProblem,
  CODEDEPLOY_GRANT_SCOPES,
  DEFAULT_MAX_EVENT_AGE_MINUTES,
  ECS_GRANT_SCOPES,
  groupProblems,
  resolveGroup,
  MAX_RELEASE_WINDOW_MINUTES,
  ON_MEMBER_FAILURE,
  operatorUrlRegionProblem,
  partitionOf,
  REGION_PATTERN,
  alarmNamePatternProblem,
  alarmNameProblem,
  CODEDEPLOY_NAME_MAX,
  CODEPIPELINE_NAME_PATTERN,
  DEFAULT_SWEEP_INTERVAL_MINUTES,
  ECS_NAME_PATTERN,
  SWEEP_INTERVAL_LIMITS,
  DEFAULT_POLICY,
  KMS_KEY_ARN_PATTERN,
  MODES,
  RETENTION,
  retentionDaysProblem,
  retentionDaysRule,
  RUNTIME_CONFIG_SCHEMA_VERSION,
  IAM_PRINCIPAL_ARN_PATTERN,
  runbookUrlProblem,
  slackApproversProblem,
  slackMentionProblem,
  TARGET_ID_PATTERN,
  TARGET_TYPES,
  type DefaultsConfig,
  type FreezeConfig,
  type PolicyConfig,
  type RuntimeConfig,
  type RuntimePolicy,
  type RuntimeTarget,
  type TargetConfig,
  type TargetType,
  type WatchdogConfig,
} from '../contract';
import { describeValue, isRecord, jsonPath, valueAt } from './json-path';
import { CONFIG_KINDS } from '../kinds/config-registry';

/**
 * `watchdog.config.json` (README, "Configuration"): one schema for the CDK app, `watchdog validate` and
 * `watchdog simulate`. Unknown keys are errors, every problem is reported at once, and each names its
 * JSON path and what would be valid. No CDK imports: the CLI and the simulator load this too.
 */

const quoted = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

const wholeMinutes = z
  .number({ error: 'must be a whole number >= 0' })
  .int({ error: 'must be a whole number >= 0' })
  .min(0, { error: 'must be a whole number >= 0' });
const positiveMinutes = z
  .number({ error: 'must be a whole number > 0' })
  .int({ error: 'must be a whole number > 0' })
  .min(1, { error: 'must be a whole number > 0' });
const SWEEP_RANGE = `must be a whole number of minutes from ${SWEEP_INTERVAL_LIMITS.min} to ${SWEEP_INTERVAL_LIMITS.max}`;
const sweepMinutes = z
  .number({ error: SWEEP_RANGE })
  .int({ error: SWEEP_RANGE })
  .min(SWEEP_INTERVAL_LIMITS.min, { error: SWEEP_RANGE })
  .max(SWEEP_INTERVAL_LIMITS.max, { error: SWEEP_RANGE });

const retentionDays = (of: 'table' | 'export') =>
  z.number({ error: retentionDaysRule(of) }).check((ctx) => {
    const problem = retentionDaysProblem(ctx.value, of);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

const ECS_NAME = ECS_NAME_PATTERN;
const ecsName = (what: string) =>
  z.string({ error: `must be an ECS ${what} name` }).regex(ECS_NAME, {
    error: `must be an ECS ${what} name: 1-255 letters, digits, "-" or "_"`,
  });
const codeDeployName = (what: string) =>
  z
    .string({ error: `must be a CodeDeploy ${what} name` })
    .min(1, { error: `must be a non-empty CodeDeploy ${what} name` })
    .max(CODEDEPLOY_NAME_MAX, {
      error: `must be a CodeDeploy ${what} name of at most ${CODEDEPLOY_NAME_MAX} characters`,
    });
/**
 * CodePipeline pipeline and stage names (DisableStageTransition request parameters): 1-100 letters, digits,
 * ".", "@", "-" or "_".
 */
const codePipelineName = (what: string) =>
  z.string({ error: `must be a CodePipeline ${what} name` }).regex(CODEPIPELINE_NAME_PATTERN, {
    error: `must be a CodePipeline ${what} name: 1-100 letters, digits, ".", "@", "-" or "_"`,
  });
const nonEmptyName = (what: string) =>
  z
    .string({ error: `must be a ${what} name` })
    .min(1, { error: `must be a non-empty ${what} name` })
    .max(255, { error: `must be a ${what} name of at most 255 characters` });

const policyShape = {
  mode: z.enum(MODES, { error: `must be one of ${quoted(MODES)}` }).optional(),
  cooldownMinutes: wholeMinutes.optional(),
  bakeMinutes: wholeMinutes.optional(),
  watchWindowMinutes: wholeMinutes.optional(),
  maxRollbacks: z
    .strictObject(
      {
        count: z
          .number({ error: 'must be a whole number >= 1' })
          .int({ error: 'must be a whole number >= 1' })
          .min(1, { error: 'must be a whole number >= 1' }),
        windowMinutes: positiveMinutes,
      },
      { error: 'must be an object { "count": number, "windowMinutes": number }' },
    )
    .optional(),
  approvalTimeoutMinutes: wholeMinutes.optional(),
  approvalTimeoutAction: z
    .enum(APPROVAL_TIMEOUT_ACTIONS, { error: `must be one of ${quoted(APPROVAL_TIMEOUT_ACTIONS)}` })
    .optional(),
  verificationTimeoutMinutes: positiveMinutes.optional(),
  fastRollback: z.boolean({ error: 'must be true or false' }).optional(),
};

const freeze = z.strictObject(
  { pipeline: codePipelineName('pipeline'), stage: codePipelineName('stage') },
  { error: 'must be an object { "pipeline": string, "stage": string }' },
);

/** A string that `problem` accepts (undefined), else the issue it names. */
const checkedString = (what: string, problem: (value: string) => string | undefined) =>
  z.string({ error: `must be ${what}` }).check((ctx) => {
    const found = problem(ctx.value);
    if (found) ctx.issues.push({ code: 'custom', message: found, input: ctx.value });
  });

const principalArns = z.array(
  z.string({ error: 'must be an IAM ARN string' }).regex(IAM_PRINCIPAL_ARN_PATTERN, {
    error:
      'must be the ARN of an IAM role, user or account root, like "arn:aws:iam::123456789012:role/oncall" (an assumed-role session ARN expires with its session)',
  }),
  { error: 'must be a list of IAM ARNs' },
);

const runbookUrl = checkedString('an https URL string', runbookUrlProblem);

const targetId = z
  .string({ error: 'must be a target id string' })
  .regex(TARGET_ID_PATTERN, { error: 'must be lowercase letters, digits and "-" only ([a-z0-9-]+)' });
/**
 * CloudWatch AlarmName: 1-255 characters; we also refuse what only looks like a name (docs/reliability.md,
 * "Bounded input").
 */
const alarmName = nonEmptyName('CloudWatch alarm').check((ctx) => {
  const problem = alarmNameProblem(ctx.value);
  if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
});
const alarmList = z
  .array(alarmName, { error: 'must be a list of CloudWatch alarm names' })
  .min(1, { error: 'must list at least one alarm name' });

const regionName = z
  .string({ error: 'must be an AWS region name like "eu-west-1"' })
  .regex(REGION_PATTERN, { error: 'must be an AWS region name like "eu-west-1"' })
  .check((ctx) => {
    const problem = operatorUrlRegionProblem(ctx.value);
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });

const ecsServiceTarget = z.strictObject({
  id: targetId,
  type: z.literal('ecs-service'),
  cluster: ecsName('cluster'),
  service: ecsName('service'),
  alarms: alarmList,
  ...policyShape,
  freeze: freeze.optional(),
  runbookUrl: runbookUrl.optional(),
  region: regionName.optional(),
});

const codeDeployTarget = z.strictObject({
  id: targetId,
  type: z.literal('codedeploy'),
  application: codeDeployName('application'),
  deploymentGroup: codeDeployName('deployment group'),
  alarms: alarmList,
  ...policyShape,
  freeze: freeze.optional(),
  runbookUrl: runbookUrl.optional(),
  region: regionName.optional(),
});

const slackShape = {
  webhookSecretName: nonEmptyName('Secrets Manager secret').optional(),
  mention: checkedString('a Slack mention string', slackMentionProblem).optional(),
  interactive: z.boolean({ error: 'must be true or false' }).optional(),
  approvers: z
    .array(z.string({ error: 'must be a Slack member id string' }), {
      error: 'must be a list of Slack member ids like ["U0123ABCD"]',
    })
    .check((ctx) => {
      const problem = slackApproversProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', input: ctx.value, message: problem });
    })
    .optional(),
};
const slack = z.strictObject(slackShape, { error: 'must be an object' });

/** Slack's ids: a workspace `T…` and a channel `C…` (or `G…` for an older private channel), upper case. */
const slackId = (what: string, first: string) =>
  z.string({ error: `must be a Slack ${what} id string` }).regex(new RegExp(`^[${first}][A-Z0-9]{2,30}$`), {
    error: `must be a Slack ${what} id like "${first[0]}0123ABCD" (Slack shows it in the ${what}'s details)`,
  });
const chatbotSlackShape = {
  slackWorkspaceId: slackId('workspace', 'T'),
  slackChannelId: slackId('channel', 'CG'),
};
const chatbotSlack = z.strictObject(chatbotSlackShape, {
  error: 'must be an object { "slackWorkspaceId": string, "slackChannelId": string }',
});

/** What every target has besides the fields that name its resource. */
const commonTargetShape = {
  id: targetId,
  region: regionName.optional(),
  alarms: alarmList,
  ...policyShape,
  freeze: freeze.optional(),
  runbookUrl: runbookUrl.optional(),
};

/** The kinds that bring their own schema (lambda/kinds/config-registry.ts). */
const KIND_SCHEMAS = Object.fromEntries(
  Object.values(CONFIG_KINDS).map((kind) => [kind.type, kind.schema(commonTargetShape)]),
) as Readonly<Record<string, z.ZodObject>>;

const TARGET_SCHEMAS: Readonly<Record<string, z.ZodObject>> = {
  'ecs-service': ecsServiceTarget,
  codedeploy: codeDeployTarget,
  ...KIND_SCHEMAS,
};

const defaultsShape = {
  ...policyShape,
  maxEventAgeMinutes: positiveMinutes.optional(),
  sweepIntervalMinutes: sweepMinutes.optional(),
  auditRetentionDays: retentionDays('table').optional(),
};

/** S3 bucket names: 3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const auditExportShape = {
  bucketName: z
    .string({ error: 'must be an S3 bucket name' })
    .regex(BUCKET_NAME, { error: 'must be an S3 bucket name: 3-63 lowercase letters, digits, "." and "-"' })
    .optional(),
  bucketOwner: z
    .string({ error: 'must be a 12-digit AWS account id' })
    .regex(ACCOUNT_ID_PATTERN, { error: 'must be a 12-digit AWS account id' })
    .optional(),
  kmsKeyArn: z
    .string({ error: 'must be a KMS key ARN' })
    .regex(KMS_KEY_ARN_PATTERN, { error: 'must be a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>' })
    .optional(),
  prefix: z
    .string({ error: 'must be a key prefix string ending in "/"' })
    .check((ctx) => {
      const problem = auditExportPrefixProblem(ctx.value);
      if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
    })
    .optional(),
  retentionDays: retentionDays('export').optional(),
};
/** Settings of your own bucket and of the created one do not mix: each is refused where it would do nothing. */
const auditExport = z.strictObject(auditExportShape, { error: 'must be an object' }).check((ctx) => {
  const own = ctx.value.bucketName !== undefined;
  const misplaced = own
    ? (['retentionDays'] as const).filter((field) => ctx.value[field] !== undefined)
    : (['bucketOwner', 'kmsKeyArn'] as const).filter((field) => ctx.value[field] !== undefined);
  for (const field of misplaced) {
    ctx.issues.push({
      code: 'custom',
      path: [field],
      input: ctx.value[field],
      message: own
        ? 'applies only to the bucket the stack creates; set the lifecycle rules of your own bucket ' +
          '(bucketName) instead, or remove bucketName'
        : 'applies only to a bucket of your own: set bucketName too, or remove it',
    });
  }
});

const permissionsShape = {
  ecs: z.enum(ECS_GRANT_SCOPES, { error: `must be one of ${quoted(ECS_GRANT_SCOPES)}` }).optional(),
  codeDeploy: z
    .enum(CODEDEPLOY_GRANT_SCOPES, { error: `must be one of ${quoted(CODEDEPLOY_GRANT_SCOPES)}` })
    .optional(),
  alarmNamePatterns: z
    .array(
      z.string({ error: 'must be an alarm-name pattern string' }).check((ctx) => {
        const problem = alarmNamePatternProblem(ctx.value);
        if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
      }),
      { error: 'must be a list of alarm-name patterns' },
    )
    .optional(),
};

const RELEASE_WINDOW = `must be a whole number of minutes from 1 to ${MAX_RELEASE_WINDOW_MINUTES}`;
const groupShape = {
  id: targetId,
  targets: z
    .array(targetId, { error: 'must be a list of target ids' })
    .min(2, { error: 'must list at least two target ids: a group of one is just a target' }),
  rollbackOrder: z.array(targetId, { error: 'must be a list of target ids' }).optional(),
  releaseWindowMinutes: z
    .number({ error: RELEASE_WINDOW })
    .int({ error: RELEASE_WINDOW })
    .min(1, { error: RELEASE_WINDOW })
    .max(MAX_RELEASE_WINDOW_MINUTES, { error: RELEASE_WINDOW })
    .optional(),
  onMemberFailure: z
    .enum(ON_MEMBER_FAILURE, { error: `must be one of ${quoted(ON_MEMBER_FAILURE)}` })
    .optional(),
};
const group = z.strictObject(groupShape, { error: 'must be a group object { "id", "targets", ... }' });

const configSchema = z.strictObject(
  {
    defaults: z.strictObject(defaultsShape, { error: 'must be an object of policy defaults' }).optional(),
    targets: z
      .array(
        z.discriminatedUnion(
          'type',
          [ecsServiceTarget, codeDeployTarget, ...Object.values(KIND_SCHEMAS)] as [
            z.ZodObject,
            z.ZodObject,
            ...z.ZodObject[],
          ],
          {
            error: 'must be a target object with a "type"',
          },
        ),
        { error: 'must be a list of targets' },
      )
      .min(1, { error: 'must list at least one target' }),
    groups: z.array(group, { error: 'must be a list of release groups' }).optional(),
    regions: z
      .array(regionName, { error: 'must be a list of AWS region names' })
      .min(1, { error: 'must list at least one region' })
      .optional(),
    homeRegion: regionName.optional(),
    notifications: z
      .strictObject(
        {
          emails: z
            .array(z.email({ error: 'must be an email address' }), {
              error: 'must be a list of email addresses',
            })
            .optional(),
          slackWebhookSecretName: nonEmptyName('Secrets Manager secret').optional(),
          slack: slack.optional(),
          chatbotSlack: chatbotSlack.optional(),
        },
        { error: 'must be an object' },
      )
      .check((ctx) => {
        const old = ctx.value.slackWebhookSecretName;
        const current = ctx.value.slack?.webhookSecretName;
        if (old !== undefined && current !== undefined && old !== current)
          ctx.issues.push({
            code: 'custom',
            path: ['slack', 'webhookSecretName'],
            input: current,
            message: `names a different secret than notifications.slackWebhookSecretName (${JSON.stringify(old)}); both name the one Slack webhook secret: keep one of them`,
          });
        if (ctx.value.slack?.mention !== undefined && (current ?? old) === undefined)
          ctx.issues.push({
            code: 'custom',
            path: ['slack', 'mention'],
            input: ctx.value.slack.mention,
            message:
              'applies to the Slack webhook channel: set notifications.slack.webhookSecretName too, or remove it',
          });
        const slackSettings = ctx.value.slack;
        if (slackSettings?.interactive === true && (current ?? old) === undefined)
          ctx.issues.push({
            code: 'custom',
            path: ['slack', 'interactive'],
            input: true,
            message:
              'needs the Slack app\'s secret: set notifications.slack.webhookSecretName (JSON { "webhookUrl", "signingSecret" })',
          });
        if (slackSettings?.interactive === true && slackSettings.approvers === undefined)
          ctx.issues.push({
            code: 'custom',
            path: ['slack', 'approvers'],
            input: undefined,
            message:
              'is required with interactive: list the Slack member ids (U…) who may press Approve rollback and Hold',
          });
        if (slackSettings?.approvers !== undefined && slackSettings.interactive !== true)
          ctx.issues.push({
            code: 'custom',
            path: ['slack', 'approvers'],
            input: slackSettings.approvers,
            message: 'only applies with "interactive": true (the buttons); set it, or remove approvers',
          });
      })
      .optional(),
    permissions: z.strictObject(permissionsShape, { error: 'must be an object' }).optional(),
    operatorPrincipals: principalArns.optional(),
    readOnlyPrincipals: principalArns.optional(),
    auditExport: auditExport.optional(),
  },
  { error: 'must be a JSON object with a "targets" list' },
);

export type ParseResult = { ok: true; config: WatchdogConfig } | { ok: false; problems: string[] };

type PathSegment = PropertyKey;

/** The keys an object at `path` may have, for "unknown key" problems. */
function allowedKeys(path: readonly PathSegment[], input: unknown): string[] {
  const last = path[path.length - 1];
  if (path.length === 0) return Object.keys(configSchema.shape);
  if (last === 'maxRollbacks') return ['count', 'windowMinutes'];
  if (last === 'freeze') return Object.keys(freeze.shape);
  if (path.length === 1 && last === 'defaults') return Object.keys(defaultsShape);
  if (path.length === 1 && last === 'notifications')
    return ['emails', 'slackWebhookSecretName', 'slack', 'chatbotSlack'];
  if (path.length === 2 && path[0] === 'notifications' && last === 'chatbotSlack')
    return Object.keys(chatbotSlackShape);
  if (path.length === 2 && path[0] === 'notifications' && last === 'slack') return Object.keys(slackShape);
  if (path.length === 1 && last === 'permissions') return Object.keys(permissionsShape);
  if (path.length === 1 && last === 'auditExport') return Object.keys(auditExportShape);
  if (path.length === 2 && path[0] === 'groups') return Object.keys(groupShape);
  if (path.length === 2 && path[0] === 'targets') {
    const type = valueAt(input, [...path, 'type']);
    const schema = (typeof type === 'string' ? TARGET_SCHEMAS[type] : undefined) ?? ecsServiceTarget;
    return Object.keys(schema.shape);
  }
  return [];
}

interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

function problemsFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(issue.path, input);
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        message: `unknown key; valid keys here are ${quoted(allowed)}`,
      }));
    }
    if (issue.code === 'invalid_union' && issue.path[issue.path.length - 1] === 'type') {
      const got = valueAt(input, issue.path);
      return [
        { path: issue.path, message: `must be one of ${quoted(TARGET_TYPES)} (${describeValue(got)})` },
      ];
    }
    return [{ path: issue.path, message: `${issue.message} (${describeValue(valueAt(input, issue.path))})` }];
  });
}

/**
 * `regions` against the targets: regions listed once, in one partition; a target's `region` one of them
 * (without `regions`, the watchdog deploys to the region the CDK CLI targets, and a target cannot name another).
 */
function regionProblems(input: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const regions = Array.isArray(input.regions)
    ? input.regions.filter((r): r is string => typeof r === 'string')
    : undefined;
  regions?.forEach((r, i) => {
    if (regions.indexOf(r) !== i) problems.push({ path: ['regions', i], message: `lists ${r} twice` });
  });
  if (typeof input.homeRegion === 'string') {
    if (regions === undefined)
      problems.push({
        path: ['homeRegion'],
        message: `needs regions: list the regions the watchdog runs in, ${input.homeRegion} among them`,
      });
    else if (!regions.includes(input.homeRegion))
      problems.push({
        path: ['regions'],
        message: `does not list the home region ${input.homeRegion} (homeRegion); add it to regions, or name one of ${quoted(regions)} as homeRegion`,
      });
  }
  const partitions = [...new Set((regions ?? []).map(partitionOf))];
  if (partitions.length > 1)
    problems.push({
      path: ['regions'],
      message: `mixes partitions (${partitions.join(', ')}); one watchdog config covers one partition: split it in one config per partition`,
    });
  if (Array.isArray(input.targets) && regions !== undefined) {
    const placed = input.targets
      .filter(isRecord)
      .map((t) => (typeof t.region === 'string' ? t.region : undefined));
    regions.forEach((r, i) => {
      if (regions.indexOf(r) === i && !placed.some((p) => p === undefined || p === r))
        problems.push({
          path: ['regions', i],
          message: `no target is in ${r} (every target names another region); remove it, or add a target without region or with "region": "${r}"`,
        });
    });
  }
  if (Array.isArray(input.targets)) {
    input.targets.forEach((t: unknown, index) => {
      if (!isRecord(t) || typeof t.region !== 'string') return;
      if (regions === undefined)
        problems.push({
          path: ['targets', index, 'region'],
          message:
            'needs regions: list the regions the watchdog runs in (without regions it runs in the region the CDK CLI targets)',
        });
      else if (!regions.includes(t.region))
        problems.push({
          path: ['targets', index, 'region'],
          message: `${t.region} is not one of regions (${quoted(regions)}); add it to regions`,
        });
    });
  }
  return problems;
}

/** Rules that span fields; they read the raw input so they run even when zod fails. */
function crossFieldProblems(input: unknown): Problem[] {
  if (!isRecord(input)) return [];
  const problems: Problem[] = Array.isArray(input.groups)
    ? groupProblems(
        input.groups,
        (Array.isArray(input.targets) ? input.targets : []).flatMap((t: unknown) =>
          isRecord(t) && typeof t.id === 'string' ? [t.id] : [],
        ),
      ).map((p) => ({ path: ['groups', ...p.path], message: p.message }))
    : [];
  problems.push(...regionProblems(input));
  if (!Array.isArray(input.targets)) return problems;
  // A target without `region` is in every region the watchdog runs in: ids and resources are unique per region.
  const firstIndexOfId = new Map<string, { index: number; region: string | undefined }[]>();
  const firstOfResource = new Map<string, { index: number; region: string | undefined }[]>();
  const clash = (
    seen: Map<string, { index: number; region: string | undefined }[]>,
    key: string,
    index: number,
    region: string | undefined,
  ): number | undefined => {
    const earlier = seen.get(key) ?? [];
    const first = earlier.find((e) => e.region === undefined || region === undefined || e.region === region);
    seen.set(key, [...earlier, { index, region }]);
    return first?.index;
  };
  input.targets.forEach((target: unknown, index) => {
    if (!isRecord(target)) return;
    const region = typeof target.region === 'string' ? target.region : undefined;

    const resource = resourceOf(target);
    if (resource) {
      const first = clash(firstOfResource, resource.key, index, region);
      if (first !== undefined)
        problems.push({
          path: ['targets', index, resource.field],
          message: `${resource.what} is already the target $.targets[${first}]; two targets for one ${resource.kind} would act on it twice. Keep one target and list every alarm there`,
        });
    }

    if (typeof target.id === 'string') {
      const first = clash(firstIndexOfId, target.id, index, region);
      if (first !== undefined)
        problems.push({
          path: ['targets', index, 'id'],
          message: `duplicate target id ${JSON.stringify(target.id)} (also $.targets[${first}].id); ids must be unique${
            Array.isArray(input.regions)
              ? ' in each region (the same id in two regions, each target naming its region, is one service in both)'
              : ''
          }`,
        });
    }
    if (Array.isArray(target.alarms)) {
      const seen = new Map<unknown, number>();
      target.alarms.forEach((alarm: unknown, alarmIndex) => {
        const first = seen.get(alarm);
        if (first === undefined) seen.set(alarm, alarmIndex);
        else
          problems.push({
            path: ['targets', index, 'alarms', alarmIndex],
            message: `duplicate alarm ${JSON.stringify(alarm)} (also $.targets[${index}].alarms[${first}])`,
          });
      });
    }
  });
  return problems;
}

/** The ECS service or CodeDeploy deployment group a raw target names, when it names one. */
function resourceOf(
  target: Record<string, unknown>,
): { key: string; field: string; what: string; kind: string } | undefined {
  const { type } = target;
  if (type === 'ecs-service' && typeof target.cluster === 'string' && typeof target.service === 'string') {
    return {
      key: `ecs\u0000${target.cluster}\u0000${target.service}`,
      field: 'service',
      what: `ECS service ${target.service} in cluster ${target.cluster}`,
      kind: 'service',
    };
  }
  if (
    type === 'codedeploy' &&
    typeof target.application === 'string' &&
    typeof target.deploymentGroup === 'string'
  ) {
    return {
      key: `codedeploy\u0000${target.application}\u0000${target.deploymentGroup}`,
      field: 'deploymentGroup',
      what: `CodeDeploy deployment group ${target.deploymentGroup} of application ${target.application}`,
      kind: 'deployment group',
    };
  }
  const kind = typeof type === 'string' ? CONFIG_KINDS[type as TargetType] : undefined;
  const found = kind?.resourceOf(target);
  return found && { ...found, kind: found.what };
}

/** Top-level problems first, then target by target, group by group, then notifications; ties keep discovery order. */
function rank(path: readonly PathSegment[]): [number, number] {
  if (path[0] === 'targets' && typeof path[1] === 'number') return [1, path[1]];
  if (path[0] === 'groups' && typeof path[1] === 'number') return [2, path[1]];
  if (path[0] === 'notifications') return [3, 0];
  return [0, 0];
}

/**
 * Validates a parsed `watchdog.config.json`. Never throws: every problem is returned, each as
 * `$.json.path: what is wrong and what would be valid (got value)`.
 */
export function parseWatchdogConfig(input: unknown): ParseResult {
  const result = configSchema.safeParse(input);
  const problems = [
    ...(result.success ? [] : problemsFromIssues(result.error.issues, input)),
    ...crossFieldProblems(input),
  ];
  if (result.success && problems.length === 0)
    return { ok: true, config: result.data as unknown as WatchdogConfig };
  // Stable sort: problems of one target stay together, in the order zod and the cross-field rules found them.
  const ordered = problems
    .map((p, i) => ({ p, i, r: rank(p.path) }))
    .sort((x, y) => x.r[0] - y.r[0] || x.r[1] - y.r[1] || x.i - y.i);
  return { ok: false, problems: ordered.map(({ p }) => `${jsonPath(p.path)}: ${p.message}`) };
}

/** Reads and validates a config file; a missing file or invalid JSON is reported like any other problem. */
export function readConfigFile(path: string): ParseResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(err)})`;
    return { ok: false, problems: [`${path}: ${why}`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`${path}: not valid JSON (${(err as Error).message})`] };
  }
  return parseWatchdogConfig(json);
}

function resolvePolicy(...layers: readonly (PolicyConfig | undefined)[]): RuntimePolicy {
  return layers.reduce<RuntimePolicy>(
    (acc, layer) => ({
      mode: layer?.mode ?? acc.mode,
      cooldownMinutes: layer?.cooldownMinutes ?? acc.cooldownMinutes,
      bakeMinutes: layer?.bakeMinutes ?? acc.bakeMinutes,
      watchWindowMinutes: layer?.watchWindowMinutes ?? acc.watchWindowMinutes,
      maxRollbacks: layer?.maxRollbacks ?? acc.maxRollbacks,
      approvalTimeoutMinutes: layer?.approvalTimeoutMinutes ?? acc.approvalTimeoutMinutes,
      approvalTimeoutAction: layer?.approvalTimeoutAction ?? acc.approvalTimeoutAction,
      verificationTimeoutMinutes: layer?.verificationTimeoutMinutes ?? acc.verificationTimeoutMinutes,
      fastRollback: layer?.fastRollback ?? acc.fastRollback,
    }),
    DEFAULT_POLICY,
  );
}

/** `{ freeze }` when the target has one, `{}` otherwise: an absent freeze stays absent in the item. */
const freezeOf = (target: TargetConfig): { freeze?: FreezeConfig } =>
  target.freeze ? { freeze: { pipeline: target.freeze.pipeline, stage: target.freeze.stage } } : {};

function resolveTarget(target: TargetConfig, defaults: DefaultsConfig | undefined): RuntimeTarget {
  switch (target.type) {
    case 'ecs-service':
      return {
        id: target.id,
        type: target.type,
        cluster: target.cluster,
        service: target.service,
        alarms: [...target.alarms],
        policy: resolvePolicy(defaults, target),
        ...freezeOf(target),
        ...(target.runbookUrl !== undefined ? { runbookUrl: target.runbookUrl } : {}),
      };
    case 'codedeploy':
      return {
        id: target.id,
        type: target.type,
        application: target.application,
        deploymentGroup: target.deploymentGroup,
        alarms: [...target.alarms],
        policy: resolvePolicy(defaults, target),
        ...freezeOf(target),
        ...(target.runbookUrl !== undefined ? { runbookUrl: target.runbookUrl } : {}),
      };
    default: {
      const kind = CONFIG_KINDS[target.type];
      if (!kind) throw new Error(`target ${target.id}: no config kind for type ${target.type}`);
      return kind.resolve(target, {
        id: target.id,
        alarms: [...target.alarms],
        policy: resolvePolicy(defaults, target),
        ...freezeOf(target),
        ...(target.runbookUrl !== undefined ? { runbookUrl: target.runbookUrl } : {}),
      });
    }
  }
}

/**
 * The config the Lambdas run with: DEFAULT_POLICY, then `defaults`, then each target's own fields.
 * `config` must come from a successful parseWatchdogConfig.
 */
export function resolveRuntimeConfig(
  config: WatchdogConfig,
  env: { readonly account: string; readonly region: string },
): RuntimeConfig {
  return {
    schemaVersion: RUNTIME_CONFIG_SCHEMA_VERSION,
    account: env.account,
    region: env.region,
    maxEventAgeMinutes: config.defaults?.maxEventAgeMinutes ?? DEFAULT_MAX_EVENT_AGE_MINUTES,
    sweepIntervalMinutes: config.defaults?.sweepIntervalMinutes ?? DEFAULT_SWEEP_INTERVAL_MINUTES,
    auditRetentionDays: config.defaults?.auditRetentionDays ?? RETENTION.auditDays,
    targets: config.targets.map((t) => resolveTarget(t, config.defaults)),
    ...(config.groups?.length ? { groups: config.groups.map(resolveGroup) } : {}),
    // Several regions: each quarantines the versions it rolls back in the others (README, "Regions").
    ...((config.regions?.length ?? 0) > 1 ? { regions: [...(config.regions ?? [])] } : {}),
  };
}
