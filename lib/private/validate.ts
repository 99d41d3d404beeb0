import { Stack, Token, type Duration } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import {
  alarmNameMatches,
  alarmNamePatternProblem,
  auditExportPrefixProblem,
  retentionDaysProblem,
  alarmNameProblem,
  CODEDEPLOY_GRANT_SCOPES,
  ECS_GRANT_SCOPES,
  groupProblems,
  MAX_RELEASE_WINDOW_MINUTES,
  ON_MEMBER_FAILURE,
  type PermissionsConfig,
  APPROVAL_TIMEOUT_ACTIONS,
  CODEDEPLOY_NAME_MAX,
  CODEPIPELINE_NAME_PATTERN,
  ECS_NAME_PATTERN,
  chatbotRegionProblem,
  MODES,
  operatorUrlRegionProblem,
  partitionOf,
  REGION_PATTERN,
  SWEEP_INTERVAL_LIMITS,
  slackApproversProblem,
  slackMentionProblem,
  TARGET_ID_PATTERN,
} from '../../lambda/contract';
import type { FreezeReference, RollbackPolicy, RollbackTarget } from '../rollback-target';
import type { RollbackGroup } from '../rollback-watchdog';

const ECS_NAME = ECS_NAME_PATTERN;
/**
 * CodePipeline pipeline and stage names (DisableStageTransition request parameters). The same rule as the
 * config file's (lambda/boundary/config-schema.ts), which lib/ may not import.
 */
const CODEPIPELINE_NAME = CODEPIPELINE_NAME_PATTERN;
/** Slack workspace and channel IDs as AWS Chatbot accepts them. */
const SLACK_ID = /^[A-Za-z0-9]{1,255}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SWEEP_MINUTES = SWEEP_INTERVAL_LIMITS;

export interface WatchdogSettings {
  /** The watchdog: where a pipeline construct's account and region are compared with its own. */
  readonly scope: IConstruct;
  readonly targets: readonly RollbackTarget[];
  readonly defaults?: RollbackPolicy;
  readonly maxEventAge?: Duration;
  readonly sweepInterval?: Duration;
  readonly notificationEmails?: readonly string[];
  readonly chatbotSlack?: { readonly slackWorkspaceId: string; readonly slackChannelId: string };
  readonly slackWebhookSecret?: unknown;
  readonly slackMention?: string;
  readonly slackInteraction?: { readonly approvers: readonly string[] };
  readonly permissions?: PermissionsConfig;
  readonly groups?: readonly RollbackGroup[];
  readonly auditRetention?: Duration;
  readonly auditExport?: {
    readonly bucket?: unknown;
    readonly prefix?: string;
    readonly retention?: Duration;
  };
  readonly regions?: readonly string[];
}

function checkDuration(where: string, value: Duration | undefined, positive: boolean): string[] {
  if (value === undefined) return [];
  if (value.isUnresolved()) return [`${where}: must be a literal Duration, not a token`];
  const minutes = value.toMinutes({ integral: false });
  if (!Number.isInteger(minutes))
    return [`${where}: must be a whole number of minutes (got ${value.toHumanString()})`];
  if (positive && minutes <= 0)
    return [`${where}: must be more than 0 minutes (got ${value.toHumanString()})`];
  return [];
}

/** Problems with the sweep interval; `[]` for a literal whole number of minutes from 1 to 1440. */
export function checkSweepInterval(value: Duration | undefined): string[] {
  const where = 'sweepInterval';
  const problems = checkDuration(where, value, true);
  if (value === undefined || problems.length > 0) return problems;
  const minutes = value.toMinutes();
  if (minutes < SWEEP_MINUTES.min || minutes > SWEEP_MINUTES.max)
    return [
      `${where}: must be from ${SWEEP_MINUTES.min} to ${SWEEP_MINUTES.max} minutes (got ${value.toHumanString()})`,
    ];
  return [];
}

/** Problems with a retention in whole days (the table's audit TTL, or the export bucket's lifecycle). */
function checkRetention(where: string, value: Duration | undefined, of: 'table' | 'export'): string[] {
  if (value === undefined) return [];
  if (value.isUnresolved()) return [`${where}: must be a literal Duration, not a token`];
  const problem = retentionDaysProblem(value.toDays({ integral: false }), of);
  return problem ? [`${where}: ${problem} (got ${value.toHumanString()})`] : [];
}

/** The mention is written into the Slack notifier's environment, so it must be literal and Slack's syntax. */
function checkSlackMention(settings: WatchdogSettings): string[] {
  const mention = settings.slackMention;
  if (mention === undefined) return [];
  if (Token.isUnresolved(mention)) return ['slackMention: must be a literal string, not a token'];
  const problem = slackMentionProblem(mention);
  if (problem) return [`slackMention: ${problem} (got ${JSON.stringify(mention)})`];
  if (settings.slackWebhookSecret === undefined)
    return ['slackMention: applies to the Slack webhook notifier: set slackWebhookSecret too, or remove it'];
  return [];
}

/** The buttons need the Slack app's secret, and a list of who may press them: literal member ids. */
function checkSlackInteraction(settings: WatchdogSettings): string[] {
  const interaction = settings.slackInteraction;
  if (interaction === undefined) return [];
  const problems: string[] = [];
  if (settings.slackWebhookSecret === undefined)
    problems.push(
      'slackInteraction: needs the Slack app\'s secret: set slackWebhookSecret too (JSON { "webhookUrl", "signingSecret" }), or remove slackInteraction',
    );
  const approvers = interaction.approvers;
  if (approvers.some((a) => Token.isUnresolved(a)))
    problems.push('slackInteraction.approvers: must be literal Slack member ids, not tokens');
  else {
    const problem = slackApproversProblem(approvers);
    if (problem) problems.push(`slackInteraction.approvers: ${problem}`);
  }
  return problems;
}

function checkAuditExport(auditExport: WatchdogSettings['auditExport']): string[] {
  if (!auditExport) return [];
  const problems: string[] = [];
  const { bucket, prefix, retention } = auditExport;
  if (prefix !== undefined) {
    const problem = Token.isUnresolved(prefix)
      ? 'must be a literal string, not a token'
      : auditExportPrefixProblem(prefix);
    if (problem) problems.push(`auditExport.prefix: ${problem} (got ${JSON.stringify(prefix)})`);
  }
  if (bucket !== undefined && retention !== undefined)
    problems.push(
      'auditExport.retention: applies only to the bucket the watchdog creates; set the lifecycle rules of ' +
        `the bucket you pass in (auditExport.bucket) instead (got ${retention.toHumanString()})`,
    );
  else problems.push(...checkRetention('auditExport.retention', retention, 'export'));
  return problems;
}

function checkPolicy(where: string, policy: RollbackPolicy | undefined): string[] {
  if (!policy) return [];
  const problems: string[] = [];
  const oneOf = (field: string, value: string | undefined, valid: readonly string[]) => {
    if (value !== undefined && !valid.includes(value))
      problems.push(
        `${where}.${field}: must be one of ${valid.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(value)})`,
      );
  };
  oneOf('mode', policy.mode, MODES);
  oneOf('approvalTimeoutAction', policy.approvalTimeoutAction, APPROVAL_TIMEOUT_ACTIONS);
  problems.push(
    ...checkDuration(`${where}.cooldown`, policy.cooldown, false),
    ...checkDuration(`${where}.bake`, policy.bake, false),
    ...checkDuration(`${where}.watchWindow`, policy.watchWindow, false),
    ...checkDuration(`${where}.approvalTimeout`, policy.approvalTimeout, false),
    ...checkDuration(`${where}.verificationTimeout`, policy.verificationTimeout, true),
  );
  if (policy.maxRollbacks) {
    const { count, window } = policy.maxRollbacks;
    if (Token.isUnresolved(count) || !Number.isInteger(count) || count < 1)
      problems.push(`${where}.maxRollbacks.count: must be a whole number >= 1 (got ${count})`);
    problems.push(...checkDuration(`${where}.maxRollbacks.window`, window, true));
  }
  return problems;
}

function checkEcsName(where: string, value: string, what: string): string[] {
  if (Token.isUnresolved(value) || ECS_NAME.test(value)) return [];
  return [
    `${where}: must be an ECS ${what} name: 1-255 letters, digits, "-" or "_" (got ${JSON.stringify(value)})`,
  ];
}

function checkCodeDeployName(where: string, value: string, what: string): string[] {
  if (Token.isUnresolved(value) || (value.length > 0 && value.length <= CODEDEPLOY_NAME_MAX)) return [];
  return [
    `${where}: must be a CodeDeploy ${what} name of 1-${CODEDEPLOY_NAME_MAX} characters (got ${JSON.stringify(value)})`,
  ];
}

function checkResource(where: string, target: RollbackTarget): string[] {
  const { ecsService, codeDeployGroup } = target;
  if (codeDeployGroup) {
    return [
      ...checkCodeDeployName(`${where}.application`, codeDeployGroup.applicationName, 'application'),
      ...checkCodeDeployName(
        `${where}.deploymentGroupName`,
        codeDeployGroup.deploymentGroupName,
        'deployment group',
      ),
    ];
  }
  if (ecsService) {
    return [
      ...checkEcsName(`${where}.cluster`, ecsService.clusterName, 'cluster'),
      ...checkEcsName(`${where}.serviceName`, ecsService.serviceName, 'service'),
    ];
  }
  // A kind from the registry: every identity field present (its kind checks the rest when it protects it).
  return Object.entries(target.resource ?? {})
    .filter(([, value]) => value === '')
    .map(([field]) => `${where}.resource.${field}: must be a non-empty name`);
}

function checkCodePipelineName(where: string, value: string, what: string): string[] {
  if (Token.isUnresolved(value) || CODEPIPELINE_NAME.test(value)) return [];
  return [
    `${where}: must be a CodePipeline ${what} name: 1-100 letters, digits, ".", "@", "-" or "_" (got ${JSON.stringify(value)})`,
  ];
}

/** The runtime freezes by pipeline name, in its own account and region: a pipeline elsewhere cannot work. */
function checkFreeze(scope: IConstruct, where: string, freeze: FreezeReference): string[] {
  const problems = [
    ...checkCodePipelineName(`${where}.pipeline`, freeze.pipelineName, 'pipeline'),
    ...checkCodePipelineName(`${where}.stage`, freeze.stageName, 'stage'),
  ];
  if (freeze.pipeline) {
    const stack = Stack.of(scope);
    const differs = (theirs: string, ours: string) =>
      !Token.isUnresolved(theirs) && !Token.isUnresolved(ours) && theirs !== ours;
    const { account, region } = freeze.pipeline.env;
    if (differs(account, stack.account) || differs(region, stack.region))
      problems.push(
        `${where}.pipeline: must be in the watchdog's account and region (${stack.account}/${stack.region}); ` +
          `the pipeline is in ${account}/${region}`,
      );
  }
  return problems;
}

function checkTarget(scope: IConstruct, where: string, target: RollbackTarget): string[] {
  const problems = target.problems.map((p) => `${where}: ${p}`);
  if (Token.isUnresolved(target.id)) problems.push(`${where}.id: must be a literal string, not a token`);
  else if (!TARGET_ID_PATTERN.test(target.id))
    problems.push(
      `${where}.id: must be lowercase letters, digits and "-" only ([a-z0-9-]+) (got ${JSON.stringify(target.id)})`,
    );
  // Names are only checked once the factory options made sense: a missing name is reported once, as such.
  if (target.problems.length === 0) problems.push(...checkResource(where, target));
  if (target.alarmNames.length === 0) problems.push(`${where}.alarms: must list at least one alarm`);
  target.alarmNames.forEach((name, i) => {
    if (Token.isUnresolved(name)) return;
    const problem =
      name.length === 0 || name.length > 255
        ? 'must be an alarm name of 1-255 characters'
        : alarmNameProblem(name);
    if (problem) problems.push(`${where}.alarms[${i}]: ${problem} (got ${JSON.stringify(name)})`);
  });
  problems.push(...checkPolicy(`${where}.policy`, target.policy));
  if (target.freeze) problems.push(...checkFreeze(scope, `${where}.freeze`, target.freeze));
  return problems;
}

/**
 * Every problem with the watchdog's settings, each prefixed with the prop path it concerns. Empty when
 * valid. Negative durations need no check: `Duration` refuses to construct them.
 */
export function validateWatchdog(settings: WatchdogSettings): string[] {
  const problems: string[] = [];
  // An environment-agnostic stack (region a token) is checked where it is deployed: bin/app.ts checks the
  // region the CDK CLI targets, and `watchdog validate --region` the operator's.
  const region = Stack.of(settings.scope).region;
  if (!Token.isUnresolved(region)) {
    const regionProblem = operatorUrlRegionProblem(region);
    if (regionProblem) problems.push(regionProblem);
    const chatbotProblem = settings.chatbotSlack ? chatbotRegionProblem(region) : undefined;
    if (chatbotProblem) problems.push(chatbotProblem);
  }
  if (settings.targets.length === 0)
    problems.push('targets: at least one target is required (pass targets or call addTarget())');

  const firstIndexOfId = new Map<string, number>();
  const firstOfResource = new Map<string, number>();
  settings.targets.forEach((target, i) => {
    const where = `targets[${i}]`;
    problems.push(...checkTarget(settings.scope, where, target));
    const resource = resourceOf(target);
    if (resource) {
      const first = firstOfResource.get(resource.key);
      if (first === undefined) firstOfResource.set(resource.key, i);
      else
        problems.push(
          `${where}: ${resource.what} is already the target targets[${first}]; two targets for one ${resource.kind} would act on it twice. Keep one target and list every alarm there`,
        );
    }
    const first = firstIndexOfId.get(target.id);
    if (first === undefined) firstIndexOfId.set(target.id, i);
    else
      problems.push(
        `${where}.id: duplicate target id ${JSON.stringify(target.id)} (also targets[${first}]); ids must be unique`,
      );
  });

  problems.push(...checkPolicy('defaults', settings.defaults));
  problems.push(...checkDuration('maxEventAge', settings.maxEventAge, true));
  problems.push(...checkSweepInterval(settings.sweepInterval));
  problems.push(...checkRetention('auditRetention', settings.auditRetention, 'table'));
  problems.push(...checkAuditExport(settings.auditExport));
  settings.notificationEmails?.forEach((email, i) => {
    if (!Token.isUnresolved(email) && !EMAIL.test(email))
      problems.push(`notificationEmails[${i}]: must be an email address (got ${JSON.stringify(email)})`);
  });
  problems.push(...checkSlackMention(settings));
  problems.push(...checkSlackInteraction(settings));
  problems.push(...checkPermissions(settings.permissions, settings.targets));
  problems.push(...checkGroups(settings.groups ?? [], settings.targets));
  problems.push(...checkRegions(settings.scope, settings.regions));
  if (settings.chatbotSlack) {
    for (const field of ['slackWorkspaceId', 'slackChannelId'] as const) {
      const value = settings.chatbotSlack[field];
      if (!Token.isUnresolved(value) && !SLACK_ID.test(value))
        problems.push(
          `chatbotSlack.${field}: must be a Slack ID of letters and digits, like "C0123ABCD" (got ${JSON.stringify(value)})`,
        );
    }
  }
  return problems;
}

/**
 * `regions`: literal region names, each once, of one partition, this stack's region among them. Two or more
 * set up the version quarantine, whose rules name this region and whose forwarding names the others, so the
 * stack's region must then be known at synth.
 */
function checkRegions(scope: IConstruct, regions: readonly string[] | undefined): string[] {
  if (regions === undefined || regions.length === 0) return [];
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  regions.forEach((region, i) => {
    const where = `regions[${i}]`;
    if (Token.isUnresolved(region)) {
      problems.push(`${where}: must be a literal region name, not a token`);
      return;
    }
    if (!REGION_PATTERN.test(region)) {
      problems.push(`${where}: must be a region name like "eu-west-1" (got ${JSON.stringify(region)})`);
      return;
    }
    const first = firstIndex.get(region);
    if (first === undefined) firstIndex.set(region, i);
    else problems.push(`${where}: lists ${region} twice (also regions[${first}]); list each region once`);
  });
  const listed = [...firstIndex.keys()];
  const partitions = [...new Set(listed.map(partitionOf))];
  if (partitions.length > 1)
    problems.push(
      `regions: mixes partitions (${partitions.join(', ')}); the watchdogs of one version quarantine forward to ` +
        'each other within one account and partition: list the regions of one partition only, and give each ' +
        'partition a watchdog (and a regions list) of its own',
    );
  const here = Stack.of(scope).region;
  const quoted = listed.map((r) => JSON.stringify(r)).join(', ');
  if (Token.isUnresolved(here)) {
    if (regions.length >= 2)
      problems.push(
        `regions: the version quarantine across regions (two or more regions) needs the stack's region at ` +
          `synth, but this stack is environment-agnostic: give the stack env: { region } with one of ${quoted} ` +
          '(watchdogStacks() does, one stack per region)',
      );
  } else if (!firstIndex.has(here)) {
    problems.push(
      `regions: does not list this stack's region ${here} (got ${quoted}); list every region a watchdog ` +
        `with this stack name runs in, ${here} included`,
    );
  }
  return problems;
}

/** Release groups: the checks the config file gets (groupProblems), at prop paths, and the window's range. */
function checkGroups(groups: readonly RollbackGroup[], targets: readonly RollbackTarget[]): string[] {
  const problems = groupProblems(
    groups,
    targets.map((t) => t.id),
  ).map(
    (p) => `groups${p.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}: ${p.message}`,
  );
  groups.forEach((g, i) => {
    const where = `groups[${i}]`;
    if (!TARGET_ID_PATTERN.test(g.id))
      problems.push(
        `${where}.id: must be lowercase letters, digits and "-" only ([a-z0-9-]+) (got ${JSON.stringify(g.id)})`,
      );
    if (g.targets.length < 2)
      problems.push(`${where}.targets: must list at least two target ids: a group of one is just a target`);
    if (g.releaseWindow) {
      const m = g.releaseWindow.toMinutes({ integral: false });
      if (!Number.isInteger(m) || m < 1 || m > MAX_RELEASE_WINDOW_MINUTES)
        problems.push(
          `${where}.releaseWindow: must be whole minutes from 1 to ${MAX_RELEASE_WINDOW_MINUTES} (got ${g.releaseWindow.toHumanString()})`,
        );
    }
    if (g.onMemberFailure !== undefined && !ON_MEMBER_FAILURE.includes(g.onMemberFailure))
      problems.push(
        `${where}.onMemberFailure: must be one of ${ON_MEMBER_FAILURE.join(', ')} (got ${JSON.stringify(g.onMemberFailure)})`,
      );
  });
  return problems;
}

/** The service or group a target names, when its names are literal (tokens are compared at deploy). */
function resourceOf(target: RollbackTarget): { key: string; what: string; kind: string } | undefined {
  const ecs = target.ecsService;
  if (
    ecs &&
    !Token.isUnresolved(ecs.clusterName) &&
    !Token.isUnresolved(ecs.serviceName) &&
    ecs.serviceName
  ) {
    return {
      key: `ecs\u0000${ecs.clusterName}\u0000${ecs.serviceName}`,
      what: `ECS service ${ecs.serviceName} in cluster ${ecs.clusterName}`,
      kind: 'service',
    };
  }
  const group = target.codeDeployGroup;
  if (
    group &&
    !Token.isUnresolved(group.applicationName) &&
    !Token.isUnresolved(group.deploymentGroupName) &&
    group.deploymentGroupName
  ) {
    return {
      key: `codedeploy\u0000${group.applicationName}\u0000${group.deploymentGroupName}`,
      what: `CodeDeploy deployment group ${group.deploymentGroupName} of application ${group.applicationName}`,
      kind: 'deployment group',
    };
  }
  const resource = target.resource;
  if (resource && Object.values(resource).every((v) => v !== '' && !Token.isUnresolved(v))) {
    const fields = Object.entries(resource);
    return {
      key: [target.type, ...fields.map(([, v]) => v)].join('\u0000'),
      what: `${target.type} ${fields.map(([f, v]) => `${f} ${v}`).join(', ')}`,
      kind: 'resource',
    };
  }
  return undefined;
}

/** Scopes must be known values; each alarm-name pattern must be usable and cover a configured alarm. */
function checkPermissions(
  permissions: PermissionsConfig | undefined,
  targets: readonly RollbackTarget[],
): string[] {
  if (!permissions) return [];
  const problems: string[] = [];
  const oneOf = (field: string, value: string | undefined, valid: readonly string[]) => {
    if (value !== undefined && !valid.includes(value))
      problems.push(
        `permissions.${field}: must be one of ${valid.map((v) => JSON.stringify(v)).join(', ')} (got ${JSON.stringify(value)})`,
      );
  };
  oneOf('ecs', permissions.ecs, ECS_GRANT_SCOPES);
  oneOf('codeDeploy', permissions.codeDeploy, CODEDEPLOY_GRANT_SCOPES);
  const alarms = targets.flatMap((t) => t.alarmNames).filter((name) => !Token.isUnresolved(name));
  (permissions.alarmNamePatterns ?? []).forEach((pattern, i) => {
    const where = `permissions.alarmNamePatterns[${i}]`;
    const problem = Token.isUnresolved(pattern)
      ? 'must be a literal string, not a token'
      : alarmNamePatternProblem(pattern);
    if (problem) problems.push(`${where}: ${problem} (got ${JSON.stringify(pattern)})`);
    else if (!alarms.some((name) => alarmNameMatches(pattern, name)))
      problems.push(
        `${where}: matches none of the configured alarms (got ${JSON.stringify(pattern)}); fix it or remove it`,
      );
  });
  return problems;
}
