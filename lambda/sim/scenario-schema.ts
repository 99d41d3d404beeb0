import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseWatchdogConfig } from '../boundary/config-schema';
import { CODEPIPELINE_NAME_PATTERN, REGION_PATTERN } from '../contract';
import { describeValue, isRecord, jsonPath, valueAt } from '../boundary/json-path';
import {
  ALARM_STATE,
  NOTIFICATION_KINDS,
  OUTCOMES,
  ROLLBACK_REASONS,
  SKIP_REASONS,
  type WatchdogConfig,
} from '../contract';
import { parseIsoTimestamp } from '../boundary/duration';
import { parseOperatorCommandLine } from '../boundary/operator-command-line';
import {
  ECS_CANARY_DEFAULTS,
  ECS_LINEAR_DEFAULTS,
  ECS_SIM_STRATEGIES,
  LOSABLE_CODEDEPLOY_STATES,
  MUTATING_APIS,
  isMutatingApi,
  type PipelineSpec,
  type Scenario,
  type TimelineAction,
  type TimelineEntry,
} from './scenario';
import { TIME_SPEC_HELP, iso, parseOffset, resolveTimeSpec } from './time';
import { splitRevisionLabel } from './world/codedeploy';
import { ECS_TAG_LIMITS, versionTags } from './world/ecs';
import { allSimKinds } from '../kinds/sim-registry';
import { SIM_REGION } from './world/account';

/**
 * The scenario file format (docs/architecture.md, "Scenario files"). Strict like the config: an unknown field
 * is an error, and every problem is reported at once as `$.json.path: what is wrong and what would be valid
 * (got value)`. Structure is checked by zod; references between sections (targets, alarms, times) by
 * `crossProblems`, which reads the raw input so both kinds are reported together even when the structure is
 * broken.
 */

export type ScenarioParseResult = { ok: true; scenario: Scenario } | { ok: false; problems: string[] };

const quoted = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

const ALARM_STATES = [ALARM_STATE.ok, ALARM_STATE.alarm, ALARM_STATE.insufficientData] as const;
const REASONS = [...ROLLBACK_REASONS, ...SKIP_REASONS] as const;
const DEPLOYMENT_STATUSES = ['in-progress', 'completed', 'failed'] as const;
/** `family:revision`, the form DescribeServices reports once the ARN prefix is dropped. */
const TASK_DEFINITION = /^[A-Za-z0-9_-]{1,255}:[1-9]\d*$/;
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/**
 * The simulated account deploys a CodeDeploy version `name@rev` as the GitHub revision `name` at commit
 * `rev`: the label the watchdog's adapter gives that revision back.
 */
const REVISION_LABEL_HELP =
  'a CodeDeploy revision label "name@rev", like "payments@r7" (deployed as the GitHub revision "name" at commit "rev")';
const isRevisionLabel = (v: string): boolean => splitRevisionLabel(v) !== undefined;

const isTimeSpec = (v: string): boolean => parseOffset(v) !== undefined || parseIsoTimestamp(v) !== undefined;
const timeSpec = z
  .string({ error: `must be ${TIME_SPEC_HELP}` })
  .refine(isTimeSpec, { error: `must be ${TIME_SPEC_HELP}` });
const isoTimestamp = z
  .string({ error: 'must be an ISO timestamp with a zone, like "2026-03-01T10:00:00Z"' })
  .refine((v) => parseIsoTimestamp(v) !== undefined, {
    error: 'must be an ISO timestamp with a zone, like "2026-03-01T10:00:00Z"',
  });
const text = (what: string) =>
  z
    .string({ error: `must be ${what} (a non-empty string)` })
    .min(1, { error: `must be ${what} (a non-empty string)` });
const wholeNumber = (min: number, what: string) =>
  z
    .number({ error: `must be ${what}` })
    .int({ error: `must be ${what}` })
    .min(min, { error: `must be ${what}` });
const rolloutSeconds = wholeNumber(1, 'a whole number of seconds > 0').default(120);
const deliveries = wholeNumber(1, 'a whole number of deliveries >= 1');
/** A region of a scenario with several (config `regions`); checked against the config by scenarioProblems. */
const simRegion = z
  .string({ error: 'must be an AWS region name such as eu-west-1' })
  .regex(REGION_PATTERN, { error: 'must be an AWS region name such as eu-west-1' });
const count = wholeNumber(0, 'a whole number >= 0');
const alarmState = z.enum(ALARM_STATES, { error: `must be one of ${quoted(ALARM_STATES)}` });
const ecsName = (what: string) =>
  z.string({ error: `must be an ECS ${what} name` }).regex(ECS_NAME, {
    error: `must be an ECS ${what} name: 1-255 letters, digits, "-" or "_"`,
  });

const ecsBakeMinutes = z
  .number({ error: 'must be a whole number of minutes from 0 to 1440' })
  .int({ error: 'must be a whole number of minutes from 0 to 1440' })
  .min(0, { error: 'must be a whole number of minutes from 0 to 1440' })
  .max(1440, { error: 'must be a whole number of minutes from 0 to 1440' });
const percent = (min: number, what: string) =>
  z
    .number({ error: `must be ${what}` })
    .min(min, { error: `must be ${what}` })
    .max(100, { error: `must be ${what}` })
    .refine((v) => Math.abs(v * 10 - Math.round(v * 10)) < 1e-9, {
      error: `must be ${what}, in steps of 0.1`,
    });
const ecsServiceSchema = z.strictObject(
  {
    cluster: ecsName('cluster'),
    service: ecsName('service'),
    region: simRegion.optional(),
    taskDefinition: z
      .string({ error: 'must be a task definition "family:revision"' })
      .regex(TASK_DEFINITION, {
        error: 'must be a task definition "family:revision", like "checkout:41"',
      }),
    rolloutSeconds,
    strategy: z
      .enum(ECS_SIM_STRATEGIES, { error: `must be one of ${quoted(ECS_SIM_STRATEGIES)}` })
      .default('ROLLING'),
    bakeTimeInMinutes: ecsBakeMinutes.default(0),
    linear: z
      .strictObject(
        {
          stepPercent: percent(3, 'a share of traffic from 3 to 100 percent').default(
            ECS_LINEAR_DEFAULTS.stepPercent,
          ),
          stepBakeMinutes: ecsBakeMinutes.default(ECS_LINEAR_DEFAULTS.stepBakeMinutes),
        },
        { error: 'must be an object { "stepPercent"?, "stepBakeMinutes"? }' },
      )
      .default(ECS_LINEAR_DEFAULTS),
    canary: z
      .strictObject(
        {
          canaryPercent: percent(0.1, 'a share of traffic from 0.1 to 100 percent').default(
            ECS_CANARY_DEFAULTS.canaryPercent,
          ),
          canaryBakeMinutes: ecsBakeMinutes.default(ECS_CANARY_DEFAULTS.canaryBakeMinutes),
        },
        { error: 'must be an object { "canaryPercent"?, "canaryBakeMinutes"? }' },
      )
      .default(ECS_CANARY_DEFAULTS),
  },
  {
    error:
      'must be an object { "cluster", "service", "taskDefinition", "region"?, "rolloutSeconds"?, "strategy"?, "bakeTimeInMinutes"?, "linear"?, "canary"? }',
  },
);

const codeDeployGroupSchema = z.strictObject(
  {
    application: text('a CodeDeploy application name'),
    deploymentGroup: text('a CodeDeploy deployment group name'),
    region: simRegion.optional(),
    revision: z
      .string({ error: `must be ${REVISION_LABEL_HELP}` })
      .refine(isRevisionLabel, { error: `must be ${REVISION_LABEL_HELP}` }),
    rolloutSeconds,
    lostEvents: z
      .array(
        z.enum(LOSABLE_CODEDEPLOY_STATES, {
          error: `must be one of ${quoted(LOSABLE_CODEDEPLOY_STATES)}`,
        }),
        { error: `must be a list of event states, any of ${quoted(LOSABLE_CODEDEPLOY_STATES)}` },
      )
      .default([]),
  },
  {
    error:
      'must be an object { "application", "deploymentGroup", "revision", "rolloutSeconds"?, "lostEvents"? }',
  },
);

const alarmSchema = z.strictObject(
  {
    name: text('an alarm name'),
    watches: text('a target id').optional(),
    region: simRegion.optional(),
    delaySeconds: wholeNumber(0, 'a whole number of seconds >= 0').default(60),
    state: alarmState.default(ALARM_STATE.ok),
    deliveries: deliveries.default(1),
  },
  { error: 'must be an object { "name", "watches"?, "region"?, "delaySeconds"?, "state"?, "deliveries"? }' },
);

/**
 * Several regions (config `regions`): how the version bus carries a quarantine between region worlds, and when
 * a region cannot be reached (README, "Simulator: several regions").
 */
const crossRegionSchema = z.strictObject(
  {
    delaySeconds: wholeNumber(0, 'a whole number of seconds >= 0').default(1),
    deliveries: deliveries.default(1),
  },
  { error: 'must be an object { "delaySeconds"?, "deliveries"? }' },
);

const outageSchema = z.strictObject(
  { region: simRegion, from: timeSpec, until: timeSpec },
  { error: 'must be an object { "region", "from", "until" }' },
);

const versionList = z.array(text('a version'), { error: 'must be a list of versions' }).default([]);

const schemaLevel = wholeNumber(0, 'a schema level: a whole number >= 0');
/**
 * One entry of `world.versions`. Tag keys and the number of tags are checked by `versionProblems`, which can
 * name the key itself and count the tags the schema levels add.
 */
const versionSchema = z.strictObject(
  {
    schema: schemaLevel.optional(),
    minCompatibleSchema: schemaLevel.optional(),
    tags: z
      .record(
        z.string(),
        z.string({ error: 'must be a tag value (a string)' }).max(ECS_TAG_LIMITS.valueLength, {
          error: `must be a tag value of at most ${ECS_TAG_LIMITS.valueLength} characters, ECS's limit`,
        }),
        { error: 'must map tag keys to string values' },
      )
      .default({}),
  },
  { error: 'must be an object { "schema"?, "minCompatibleSchema"?, "tags"? }' },
);

/** An AWS API (`service:Operation`, as `calls` names them) and an error name (`AccessDeniedException`). */
const API = /^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/;
const ERROR_NAME = /^[A-Z][A-Za-z0-9]*(Exception|Error|Fault)$/;
const faultSchema = z.strictObject(
  {
    api: z.string({ error: 'must be an API like "ecs:UpdateService"' }).regex(API, {
      error: 'must be an API like "ecs:UpdateService" (service:Operation)',
    }),
    target: text('a target id').optional(),
    error: z.string({ error: 'must be an error name like "AccessDeniedException"' }).regex(ERROR_NAME, {
      error: 'must be an error name like "AccessDeniedException" (ending in Exception, Error or Fault)',
    }),
    message: text('an error message').optional(),
  },
  { error: 'must be an object { "api", "error", "target"?, "message"? }' },
);

const pipelineName = (what: string) =>
  z.string({ error: `must be a CodePipeline ${what} name` }).regex(CODEPIPELINE_NAME_PATTERN, {
    error: `must be a CodePipeline ${what} name: 1-100 letters, digits, ".", "@", "-" or "_"`,
  });

const pipelineSchema = z.strictObject(
  {
    name: pipelineName('pipeline'),
    stages: z
      .array(pipelineName('stage'), { error: 'must be a list of stage names' })
      .min(1, { error: 'must be a non-empty list of stage names, like ["Source", "Build", "Prod"]' }),
  },
  { error: 'must be an object { "name", "stages" }' },
);

const worldSchema = z
  .strictObject(
    {
      ecsServices: z.array(ecsServiceSchema, { error: 'must be a list of ECS services' }).default([]),
      codeDeployGroups: z
        .array(codeDeployGroupSchema, { error: 'must be a list of CodeDeploy deployment groups' })
        .default([]),
      alarms: z.array(alarmSchema, { error: 'must be a list of alarms' }).default([]),
      badVersions: versionList,
      failingVersions: versionList,
      unavailableVersions: versionList,
      faults: z.array(faultSchema, { error: 'must be a list of faults' }).default([]),
      crossRegion: crossRegionSchema.default({ delaySeconds: 1, deliveries: 1 }),
      outages: z.array(outageSchema, { error: 'must be a list of region outages' }).default([]),
      versions: z
        .record(z.string(), versionSchema, {
          error: 'must map versions to { "schema"?, "minCompatibleSchema"?, "tags"? }',
        })
        .default({}),
      // Absent: derived from the config's freeze entries (see resolveScenario).
      pipelines: z.array(pipelineSchema, { error: 'must be a list of CodePipeline pipelines' }).optional(),
      ...Object.fromEntries(
        allSimKinds().map((k) => [
          k.worldKey,
          z.array(k.entrySchema, { error: `must be a list of ${k.worldKey} entries` }).default([]),
        ]),
      ),
    },
    { error: 'must be an object describing the simulated account' },
  )
  .default({
    ecsServices: [],
    codeDeployGroups: [],
    alarms: [],
    badVersions: [],
    failingVersions: [],
    unavailableVersions: [],
    faults: [],
    crossRegion: { delaySeconds: 1, deliveries: 1 },
    outages: [],
    versions: {},
  });

const TIMELINE_ACTIONS = ['deploy', 'alarm', 'event', 'command'] as const;

const timelineEntrySchema = z.strictObject(
  {
    at: timeSpec,
    deploy: z
      .strictObject(
        {
          target: text('a target id'),
          version: text('a version'),
          by: text('a principal ARN').optional(),
          region: simRegion.optional(),
        },
        { error: 'must be an object { "target", "version", "by"?, "region"? }' },
      )
      .optional(),
    alarm: z
      .strictObject(
        {
          name: text('an alarm name'),
          state: alarmState,
          reason: z.string({ error: 'must be a string' }).optional(),
          deliveries: deliveries.optional(),
          region: simRegion.optional(),
        },
        { error: 'must be an object { "name", "state", "reason"?, "deliveries"?, "region"? }' },
      )
      .optional(),
    // Anything at all: malformed input is what this entry exists to deliver.
    event: z.unknown().optional(),
    command: z
      .array(text('a command-line argument'), { error: 'must be the command as a list of arguments' })
      .min(1, { error: 'must be the command as a non-empty list of arguments, like ["pause", "checkout"]' })
      .optional(),
    /** The region whose watchdog a `command` goes to. @default the home region */
    region: simRegion.optional(),
  },
  { error: `must be an object { "at", and one of ${quoted(TIMELINE_ACTIONS)} }` },
);

const decisionExpectationSchema = z.strictObject(
  {
    at: timeSpec.optional(),
    target: text('a target id').optional(),
    trigger: text('an alarm name').optional(),
    outcome: z.enum(OUTCOMES, { error: `must be one of ${quoted(OUTCOMES)}` }).optional(),
    reason: z.enum(REASONS, { error: `must be one of ${quoted(REASONS)}` }).optional(),
    from: text('a version').optional(),
    to: text('a version').optional(),
    by: text('a principal').optional(),
    group: text('a release group id').optional(),
    region: simRegion.optional(),
    count: count.default(1),
  },
  { error: 'must be an object of decision fields to match, plus "count"' },
);

const notificationExpectationSchema = z.strictObject(
  {
    at: timeSpec.optional(),
    kind: z.enum(NOTIFICATION_KINDS, { error: `must be one of ${quoted(NOTIFICATION_KINDS)}` }).optional(),
    target: text('a target id').optional(),
    title: z.string({ error: 'must be a string' }).optional(),
    region: simRegion.optional(),
    count: count.default(1),
  },
  { error: 'must be an object of notification fields to match, plus "count"' },
);

const ledgerExpectationSchema = z.strictObject(
  {
    target: text('a target id').optional(),
    version: text('a version').optional(),
    status: z
      .enum(DEPLOYMENT_STATUSES, { error: `must be one of ${quoted(DEPLOYMENT_STATUSES)}` })
      .optional(),
    deployedBy: text('a principal').optional(),
    count: count.default(1),
  },
  { error: 'must be an object of ledger entry fields to match, plus "count"' },
);

const expectSchema = z.strictObject(
  {
    calls: z.record(z.string(), count, { error: 'must map AWS API names to call counts' }).optional(),
    final: z.record(z.string(), text('a version'), { error: 'must map target ids to versions' }).optional(),
    decisions: z
      .array(decisionExpectationSchema, { error: 'must be a list of decisions to match' })
      .optional(),
    notifications: z
      .array(notificationExpectationSchema, { error: 'must be a list of notifications to match' })
      .optional(),
    alarms: z.record(z.string(), alarmState, { error: 'must map alarm names to states' }).optional(),
    ledger: z
      .array(ledgerExpectationSchema, { error: 'must be a list of ledger entries to match' })
      .optional(),
  },
  {
    error: 'must be an object { "calls"?, "final"?, "decisions"?, "notifications"?, "alarms"?, "ledger"? }',
  },
);

const scenarioSchema = z.strictObject(
  {
    name: text('the scenario name'),
    description: z.string({ error: 'must be a string' }).optional(),
    start: isoTimestamp,
    // Validated by the config file's own schema, so the two can never drift apart.
    config: z.unknown().optional(),
    world: worldSchema,
    timeline: z.array(timelineEntrySchema, { error: 'must be a list of timeline entries' }).default([]),
    until: timeSpec,
    expect: expectSchema.optional(),
  },
  { error: 'must be a JSON object (a scenario)' },
);

type ParsedScenario = z.output<typeof scenarioSchema>;

type PathSegment = string | number;

interface Problem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Already a full `$.path: message` line (the config schema's own problems, re-rooted under `$.config`). */
  readonly formatted?: boolean;
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

type AnySchema = z.core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap();
  return s;
}

/** The fields an object at `path` may have, read off the schema itself so the list cannot go stale. */
function allowedKeys(path: readonly PropertyKey[]): string[] {
  let s = unwrap(scenarioSchema);
  for (const seg of path) {
    if (s instanceof z.ZodObject && typeof seg === 'string') {
      const next = (s.shape as Record<string, AnySchema | undefined>)[seg];
      if (!next) return [];
      s = unwrap(next);
    } else if (s instanceof z.ZodArray) s = unwrap(s.element);
    else if (s instanceof z.ZodRecord) s = unwrap(s.valueType);
    else return [];
  }
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

function problemsFromIssues(issues: readonly z.core.$ZodIssue[], input: unknown): Problem[] {
  return issues.flatMap((issue): Problem[] => {
    const path = issue.path.map((seg) => (typeof seg === 'number' ? seg : String(seg)));
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(path);
      return issue.keys.map((key) => ({
        path: [...path, key],
        message: `unknown key; valid keys here are ${quoted(allowed)}`,
      }));
    }
    return [{ path, message: `${issue.message} (${describeValue(valueAt(input, path))})` }];
  });
}

interface TargetRef {
  readonly index: number;
  readonly type: unknown;
  readonly raw: Record<string, unknown>;
}

/** Rules that span sections. They read the raw input defensively and skip values zod already rejects. */
function crossProblems(input: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  const add = (path: PathSegment[], message: string) => problems.push({ path, message });

  const startMs = typeof input.start === 'string' ? parseIsoTimestamp(input.start) : undefined;
  const resolve = (v: unknown): number | undefined =>
    typeof v === 'string' && startMs !== undefined ? resolveTimeSpec(v, startMs) : undefined;
  const untilMs = resolve(input.until);
  if (startMs !== undefined && untilMs !== undefined && untilMs <= startMs) {
    add(['until'], `must be after start (${iso(startMs)}) (${describeValue(input.until)})`);
  }

  const config = isRecord(input.config) ? input.config : {};
  // Without a target list the config schema already reports the problem; every reference would repeat it.
  const targetsKnown = Array.isArray(config.targets);
  const targets = new Map<string, TargetRef>();
  asList(config.targets).forEach((t, index) => {
    if (isRecord(t) && typeof t.id === 'string' && !targets.has(t.id))
      targets.set(t.id, { index, type: t.type, raw: t });
  });
  const targetIds = [...targets.keys()];
  const unknownTarget = (id: string) =>
    targetIds.length === 0
      ? `unknown target ${JSON.stringify(id)}: $.config.targets defines none`
      : `unknown target ${JSON.stringify(id)}; expected one of $.config.targets ids ${quoted(targetIds)}`;

  const world = isRecord(input.world) ? input.world : {};
  // Several regions: each world entry is in one (default: the home region), each target in its own or in all.
  const configRegions = asList(config.regions).filter((r): r is string => typeof r === 'string');
  const home = str(config.homeRegion) ?? configRegions[0] ?? SIM_REGION;
  const known = configRegions.length > 0 ? configRegions : [home];
  const regionOf = (r: unknown): string => (typeof r === 'string' ? r : home);
  const checkRegion = (path: Parameters<typeof add>[0], r: unknown) => {
    if (typeof r === 'string' && !known.includes(r))
      add(
        path,
        configRegions.length > 0
          ? `${r} is not one of $.config.regions (${quoted(configRegions)})`
          : `${r} is not the simulated region ${home}; list the regions in $.config.regions to simulate several`,
      );
  };
  const targetRegions = (raw: Record<string, unknown>): string[] =>
    typeof raw.region === 'string' ? [raw.region] : known;
  const at = (r: string) => (known.length > 1 ? ` in ${r}` : '');
  asList(world.outages).forEach((o, i) => {
    if (isRecord(o)) checkRegion(['world', 'outages', i, 'region'], o.region);
  });
  asList(world.faults).forEach((f, i) => {
    const target = isRecord(f) ? str(f.target) : undefined;
    if (targetsKnown && target !== undefined && target !== '' && !targets.has(target))
      add(['world', 'faults', i, 'target'], unknownTarget(target));
  });
  const worldAlarms = new Set<string>();
  const regionalAlarms = new Set<string>();
  asList(world.alarms).forEach((a, i) => {
    if (!isRecord(a)) return;
    checkRegion(['world', 'alarms', i, 'region'], a.region);
    const name = str(a.name);
    if (name !== undefined) {
      const key = `${regionOf(a.region)}|${name}`;
      if (regionalAlarms.has(key))
        add(
          ['world', 'alarms', i, 'name'],
          `duplicate alarm ${JSON.stringify(name)}${at(regionOf(a.region))}; names must be unique${known.length > 1 ? ' per region' : ''}`,
        );
      regionalAlarms.add(key);
      worldAlarms.add(name);
    }
    const watches = str(a.watches);
    if (targetsKnown && watches !== undefined && watches !== '' && !targets.has(watches)) {
      add(['world', 'alarms', i, 'watches'], unknownTarget(watches));
    }
  });
  const unknownAlarm = (name: string) =>
    worldAlarms.size === 0
      ? `unknown alarm ${JSON.stringify(name)}: $.world.alarms defines none`
      : `unknown alarm ${JSON.stringify(name)}; expected one of $.world.alarms names ${quoted([...worldAlarms])}`;

  asList(world.pipelines).forEach((p, i) => {
    if (!isRecord(p)) return;
    const name = str(p.name);
    if (name !== undefined) {
      const first = asList(world.pipelines).findIndex((q) => isRecord(q) && q.name === name);
      if (first < i)
        add(
          ['world', 'pipelines', i, 'name'],
          `duplicate pipeline ${JSON.stringify(name)}; names must be unique`,
        );
    }
    const stages = asList(p.stages);
    stages.forEach((stage, j) => {
      if (typeof stage === 'string' && stages.indexOf(stage) < j)
        add(
          ['world', 'pipelines', i, 'stages', j],
          `duplicate stage ${JSON.stringify(stage)}; stage names are unique within a pipeline`,
        );
    });
  });

  problems.push(...versionProblems(world.versions));

  const services = new Set<string>();
  asList(world.ecsServices).forEach((s, i) => {
    if (!isRecord(s) || typeof s.cluster !== 'string' || typeof s.service !== 'string') return;
    checkRegion(['world', 'ecsServices', i, 'region'], s.region);
    const key = `${regionOf(s.region)}|${s.cluster}/${s.service}`;
    if (services.has(key))
      add(
        ['world', 'ecsServices', i],
        `duplicate ECS service ${s.cluster}/${s.service}${at(regionOf(s.region))}`,
      );
    services.add(key);
  });
  const groups = new Set<string>();
  asList(world.codeDeployGroups).forEach((g, i) => {
    if (!isRecord(g) || typeof g.application !== 'string' || typeof g.deploymentGroup !== 'string') return;
    checkRegion(['world', 'codeDeployGroups', i, 'region'], g.region);
    const key = `${regionOf(g.region)}|${g.application}/${g.deploymentGroup}`;
    if (groups.has(key))
      add(
        ['world', 'codeDeployGroups', i],
        `duplicate CodeDeploy deployment group ${g.application}/${g.deploymentGroup}${at(regionOf(g.region))}`,
      );
    groups.add(key);
  });

  // The kinds that bring their own world: one entry per resource, and one for every target of the kind.
  const kindResources = new Map<string, Set<string>>();
  for (const kind of allSimKinds()) {
    const seen = new Set<string>();
    kindResources.set(kind.type, seen);
    asList(world[kind.worldKey]).forEach((raw, i) => {
      const parsed = kind.entrySchema.safeParse(raw);
      if (!parsed.success) return;
      const resource = kind.entryResource(parsed.data);
      if (seen.has(resource)) add(['world', kind.worldKey, i], `duplicate entry ${resource}`);
      seen.add(resource);
    });
  }

  for (const { index, type, raw } of targets.values()) {
    const simKind = allSimKinds().find((k) => k.type === type);
    const resources = simKind && kindResources.get(simKind.type);
    if (simKind && resources) {
      const target = raw as unknown as Parameters<typeof simKind.targetResource>[0];
      let resource: string | undefined;
      try {
        resource = simKind.targetResource(target);
      } catch {
        resource = undefined;
      }
      if (resource !== undefined && !resources.has(resource))
        add(['config', 'targets', index], simKind.missingEntry(target));
    }
    if (type === 'ecs-service' && typeof raw.cluster === 'string' && typeof raw.service === 'string') {
      const key = `${raw.cluster}/${raw.service}`;
      for (const r of targetRegions(raw)) {
        if (!services.has(`${r}|${key}`)) {
          add(
            ['config', 'targets', index],
            `no ECS service ${key}${at(r)} in $.world.ecsServices; add { "cluster": ${JSON.stringify(raw.cluster)}, "service": ${JSON.stringify(raw.service)}, "taskDefinition": "<family>:<revision>"${known.length > 1 ? `, "region": "${r}"` : ''} }`,
          );
        }
      }
    }
    if (
      type === 'codedeploy' &&
      typeof raw.application === 'string' &&
      typeof raw.deploymentGroup === 'string'
    ) {
      const key = `${raw.application}/${raw.deploymentGroup}`;
      for (const r of targetRegions(raw)) {
        if (!groups.has(`${r}|${key}`)) {
          add(
            ['config', 'targets', index],
            `no CodeDeploy deployment group ${key}${at(r)} in $.world.codeDeployGroups`,
          );
        }
      }
    }
    asList(raw.alarms).forEach((alarm, i) => {
      if (typeof alarm !== 'string' || alarm === '') return;
      const missing = targetRegions(raw).filter((r) => !regionalAlarms.has(`${r}|${alarm}`));
      if (missing.length > 0) {
        add(
          ['config', 'targets', index, 'alarms', i],
          worldAlarms.has(alarm)
            ? `alarm ${JSON.stringify(alarm)} is not in ${missing.join(', ')}, where the target is; add it to $.world.alarms with "region"`
            : `${unknownAlarm(alarm)}; every alarm the config names must exist in the simulated account`,
        );
      }
    });
  }

  asList(input.timeline).forEach((entry, i) => {
    if (!isRecord(entry)) return;
    const actions = TIMELINE_ACTIONS.filter((a) => a in entry);
    if (actions.length !== 1) {
      add(
        ['timeline', i],
        `must have exactly one of ${quoted(TIMELINE_ACTIONS)} (${actions.length === 0 ? 'got none' : `got ${quoted(actions)}`})`,
      );
    }
    const atMs = resolve(entry.at);
    if (atMs !== undefined && startMs !== undefined && atMs < startMs) {
      add(['timeline', i, 'at'], `must not be before start (${iso(startMs)}) (${describeValue(entry.at)})`);
    }
    const untilValid = startMs !== undefined && untilMs !== undefined && untilMs > startMs;
    if (atMs !== undefined && untilValid && atMs > untilMs) {
      add(
        ['timeline', i, 'at'],
        `is after until (${String(input.until)}), so it would never run (${describeValue(entry.at)})`,
      );
    }
    checkRegion(['timeline', i, 'region'], entry.region);
    if (isRecord(entry.alarm)) checkRegion(['timeline', i, 'alarm', 'region'], entry.alarm.region);
    const deploy = entry.deploy;
    if (isRecord(deploy)) checkRegion(['timeline', i, 'deploy', 'region'], deploy.region);
    if (isRecord(deploy) && typeof deploy.target === 'string' && deploy.target !== '') {
      const target = targets.get(deploy.target);
      if (!target) {
        if (targetsKnown) add(['timeline', i, 'deploy', 'target'], unknownTarget(deploy.target));
      } else if (!targetRegions(target.raw).includes(regionOf(deploy.region))) {
        add(
          ['timeline', i, 'deploy', 'region'],
          `target ${JSON.stringify(deploy.target)} is not in ${regionOf(deploy.region)} (it is in ${targetRegions(target.raw).join(', ')})`,
        );
      } else if (
        target.type === 'ecs-service' &&
        typeof deploy.version === 'string' &&
        !TASK_DEFINITION.test(deploy.version)
      ) {
        add(
          ['timeline', i, 'deploy', 'version'],
          `must be a task definition "family:revision" for ECS target ${JSON.stringify(deploy.target)} (${describeValue(deploy.version)})`,
        );
      } else if (
        target.type === 'codedeploy' &&
        typeof deploy.version === 'string' &&
        deploy.version !== '' &&
        !isRevisionLabel(deploy.version)
      ) {
        add(
          ['timeline', i, 'deploy', 'version'],
          `must be ${REVISION_LABEL_HELP} for CodeDeploy target ${JSON.stringify(deploy.target)} (${describeValue(deploy.version)})`,
        );
      }
    }
    const command = entry.command;
    if (
      Array.isArray(command) &&
      command.length > 0 &&
      command.every((a) => typeof a === 'string' && a !== '')
    ) {
      const parsed = parseCommand(command as string[], atMs ?? startMs ?? 0);
      if (!parsed.ok)
        for (const problem of parsed.problems)
          add(
            ['timeline', i, 'command'],
            problem.includes('(got ') ? problem : `${problem} (${describeValue(command)})`,
          );
      else {
        // A command for a target the config lacks is a mistake in the scenario, as a deploy to one is
        // (docs/architecture.md, "Scenario files"), not an operator error to simulate.
        const target = 'target' in parsed.request ? parsed.request.target : undefined;
        if (targetsKnown && target !== undefined && !targets.has(target))
          add(['timeline', i, 'command'], `${unknownTarget(target)} (${describeValue(command)})`);
      }
    }
    const alarm = entry.alarm;
    if (
      isRecord(alarm) &&
      typeof alarm.name === 'string' &&
      alarm.name !== '' &&
      !worldAlarms.has(alarm.name)
    ) {
      add(['timeline', i, 'alarm', 'name'], unknownAlarm(alarm.name));
    }
  });

  const expect = isRecord(input.expect) ? input.expect : {};
  if (isRecord(expect.calls)) {
    for (const api of Object.keys(expect.calls)) {
      if (!isMutatingApi(api))
        add(['expect', 'calls', api], `unknown API; expected one of ${quoted(MUTATING_APIS)}`);
    }
  }
  // With several regions, `final` and `alarms` keys may name one region: `checkout@eu-west-1`.
  const split = (key: string): [string, string | undefined] => {
    const m = /^(.*)@([a-z]{2}(?:-[a-z]+)+-\d{1,2})$/.exec(key);
    return m ? [m[1] ?? key, m[2]] : [key, undefined];
  };
  if (isRecord(expect.final)) {
    for (const key of Object.keys(expect.final)) {
      const [id, r] = split(key);
      if (targetsKnown && !targets.has(id)) add(['expect', 'final', key], unknownTarget(id));
      else if (r !== undefined) checkRegion(['expect', 'final', key], r);
    }
  }
  if (isRecord(expect.alarms)) {
    for (const key of Object.keys(expect.alarms)) {
      const [name, r] = split(key);
      if (!worldAlarms.has(name)) add(['expect', 'alarms', key], unknownAlarm(name));
      else if (r !== undefined) checkRegion(['expect', 'alarms', key], r);
    }
  }
  if (Array.isArray(expect.ledger)) {
    expect.ledger.forEach((entry, i) => {
      if (isRecord(entry) && typeof entry.target === 'string' && targetsKnown && !targets.has(entry.target))
        add(['expect', 'ledger', i, 'target'], unknownTarget(entry.target));
    });
  }
  return problems;
}

/**
 * `world.versions` beyond its structure: every key is a version some target could run (a misspelt one would
 * silently describe nothing), and the task definition it describes keeps within ECS's limits on tags.
 */
function versionProblems(versions: unknown): Problem[] {
  if (!isRecord(versions)) return [];
  const problems: Problem[] = [];
  for (const [version, entry] of Object.entries(versions)) {
    const at = ['world', 'versions', version];
    if (!TASK_DEFINITION.test(version) && !isRevisionLabel(version))
      problems.push({
        path: at,
        message: `must be keyed by a version: a task definition "family:revision", like "checkout:42", or ${REVISION_LABEL_HELP} (${describeValue(version)})`,
      });
    if (!isRecord(entry) || !isRecord(entry.tags)) continue;
    // Reported at `tags`, naming the key shortened: a path holding a key too long would be unreadable.
    for (const key of Object.keys(entry.tags))
      if (key.length < 1 || key.length > ECS_TAG_LIMITS.keyLength)
        problems.push({
          path: [...at, 'tags'],
          message: `must have tag keys of 1 to ${ECS_TAG_LIMITS.keyLength} characters, ECS's limit (${describeValue(key)}, ${key.length} characters)`,
        });
    const parsed = versionSchema.safeParse(entry);
    const count = parsed.success ? versionTags(parsed.data).length : 0;
    if (count > ECS_TAG_LIMITS.tags)
      problems.push({
        path: [...at, 'tags'],
        message: `must leave the task definition at most ${ECS_TAG_LIMITS.tags} tags in all (ECS's limit), counting those "schema" and "minCompatibleSchema" make (got ${count} tags)`,
      });
  }
  return problems;
}

const TOP_LEVEL_ORDER = ['name', 'description', 'start', 'until', 'config', 'world', 'timeline', 'expect'];

/**
 * Document order: top-level field, then the field inside it (in schema order), then array position;
 * problems at one place keep discovery order. Unknown keys rank first: a misspelt section explains the
 * problems that follow from its absence.
 */
function rank(path: readonly PathSegment[]): [number, number, number] {
  const top = TOP_LEVEL_ORDER.indexOf(String(path[0]));
  const second = typeof path[1] === 'string' ? allowedKeys(path.slice(0, 1)).indexOf(path[1]) : -1;
  const firstIndex = path.find((seg): seg is number => typeof seg === 'number') ?? -1;
  return [top, second, firstIndex];
}

/**
 * Validates a parsed scenario file. Never throws: every problem is returned, each prefixed by its JSON path
 * in the scenario (config problems under `$.config`).
 */
export function parseScenario(input: unknown): ScenarioParseResult {
  const result = scenarioSchema.safeParse(input);
  const problems: Problem[] = result.success ? [] : problemsFromIssues(result.error.issues, input);
  let config: WatchdogConfig | undefined;
  if (isRecord(input)) {
    const parsedConfig = parseWatchdogConfig(input.config);
    if (parsedConfig.ok) config = parsedConfig.config;
    else
      problems.push(
        ...parsedConfig.problems.map((p) => ({ path: ['config'], message: reroot(p), formatted: true })),
      );
    problems.push(...crossProblems(input));
  }
  if (result.success && config && problems.length === 0)
    return { ok: true, scenario: resolveScenario(result.data, config) };
  const ordered = problems
    .map((p, i) => ({ p, i, r: rank(p.path) }))
    .sort((x, y) => x.r[0] - y.r[0] || x.r[1] - y.r[1] || x.r[2] - y.r[2] || x.i - y.i);
  return {
    ok: false,
    problems: ordered.map(({ p }) => (p.formatted ? p.message : `${jsonPath(p.path)}: ${p.message}`)),
  };
}

/** The config schema reports paths from its own root: `$.targets[0].id: ...` becomes `$.config.targets[0].id: ...`. */
function reroot(problem: string): string {
  return problem.startsWith('$') ? `$.config${problem.slice(1)}` : `$.config: ${problem}`;
}

function resolveScenario(data: ParsedScenario, config: WatchdogConfig): Scenario {
  const startMs = parseIsoTimestamp(data.start) as number;
  const at = (spec: string) => resolveTimeSpec(spec, startMs) as number;
  const timeline: TimelineEntry[] = data.timeline
    .map((entry, index) => ({ index, atMs: at(entry.at), action: timelineAction(entry, at(entry.at)) }))
    .sort((a, b) => a.atMs - b.atMs || a.index - b.index);
  const expect = data.expect;
  return {
    name: data.name,
    ...(data.description === undefined ? {} : { description: data.description }),
    startMs,
    untilMs: at(data.until),
    config,
    world: {
      ...data.world,
      outages: data.world.outages.map((o) => ({
        region: o.region,
        fromMs: at(o.from),
        untilMs: at(o.until),
      })),
      pipelines: worldPipelines(data.world.pipelines, config),
      kinds: Object.fromEntries(
        allSimKinds().map((k) => [
          k.worldKey,
          (data.world as unknown as Record<string, unknown[] | undefined>)[k.worldKey] ?? [],
        ]),
      ),
    },
    timeline,
    ...(expect === undefined
      ? {}
      : {
          expect: {
            ...expect,
            ...(expect.decisions ? { decisions: expect.decisions.map((d) => withIsoAt(d, at)) } : {}),
            ...(expect.notifications
              ? { notifications: expect.notifications.map((n) => withIsoAt(n, at)) }
              : {}),
          },
        }),
  };
}

/** Expectations compare `at` with the output's ISO times, so an offset is resolved once here. */
function withIsoAt<T extends { at?: string }>(entry: T, at: (spec: string) => number): T {
  return entry.at === undefined ? entry : { ...entry, at: iso(at(entry.at)) };
}

function timelineAction(entry: z.output<typeof timelineEntrySchema>, atMs: number): TimelineAction {
  if (entry.deploy) return { kind: 'deploy', ...entry.deploy };
  if (entry.alarm) return { kind: 'alarm', ...entry.alarm };
  if (entry.command) {
    const parsed = parseCommand(entry.command, atMs);
    // crossProblems has reported every command that does not parse, so none reaches here.
    if (!parsed.ok)
      throw new Error(`unreported problem in a timeline command: ${parsed.problems.join('; ')}`);
    return {
      kind: 'command',
      args: entry.command,
      request: parsed.request,
      ...(entry.region === undefined ? {} : { region: entry.region }),
    };
  }
  return { kind: 'event', event: entry.event };
}

/**
 * Who runs a timeline `command` is fixed (an authorised operator), and so is the reason of a pause or manual
 * rollback written without `--reason`, so `["pause", "checkout"]` is enough in a scenario.
 */
export const SIMULATED_OPERATOR_REASON = 'simulated operator';

/**
 * A timeline command, read exactly as the CLI reads its arguments. `atMs` is when it runs: what `history
 * --since 2h` counts back from.
 */
function parseCommand(args: readonly string[], atMs: number) {
  return parseOperatorCommandLine(args, { defaultReason: SIMULATED_OPERATOR_REASON, now: () => atMs });
}

/**
 * The pipelines of the world: as the scenario lists them, or else each pipeline a config `freeze` names with
 * the stages named for it (in config order), so a frozen target's stage always exists unless the scenario
 * says otherwise.
 */
function worldPipelines(listed: readonly PipelineSpec[] | undefined, config: WatchdogConfig): PipelineSpec[] {
  if (listed) return listed.map((p) => ({ name: p.name, stages: [...p.stages] }));
  const stages = new Map<string, string[]>();
  for (const target of config.targets) {
    if (!target.freeze) continue;
    const list = stages.get(target.freeze.pipeline) ?? [];
    if (!list.includes(target.freeze.stage)) list.push(target.freeze.stage);
    stages.set(target.freeze.pipeline, list);
  }
  return [...stages].map(([name, list]) => ({ name, stages: list }));
}

/** Reads and validates a scenario file; a missing file or invalid JSON is reported like any other problem. */
export function readScenarioFile(path: string): ScenarioParseResult {
  let textContent: string;
  try {
    textContent = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problems: [
        `${path}: ${code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(err)})`}`,
      ],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(textContent);
  } catch (err) {
    return { ok: false, problems: [`${path}: not valid JSON (${(err as Error).message})`] };
  }
  return parseScenario(json);
}
