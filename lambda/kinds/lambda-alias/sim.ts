import { createHash } from 'node:crypto';
import {
  InvalidParameterValueException,
  PreconditionFailedException,
  ResourceNotFoundException,
  type AliasConfiguration,
  type FunctionConfiguration,
  type GetAliasCommandInput,
  type GetFunctionConfigurationCommandInput,
  type UpdateAliasCommandInput,
} from '@aws-sdk/client-lambda';
import { z } from 'zod';
import type { LambdaAliasTargetConfig } from '../../contract';
import { simCommand, type SimCommands } from '../../sim/sim-commands';
import {
  SIM_ACCOUNT,
  SIM_STACK_NAME,
  cloudTrailApiCallEvent,
  stableUuid,
  type EventBridgeEvent,
} from '../../sim/world/account';
import { SimulatorGapError, type WorldContext } from '../../sim/world/world-context';
import type { SimKind, SimKindWorld, SimKindWorldInput } from '../sim-kind';
import { ALIAS_CALLS, LAMBDA_CLOUDTRAIL_SOURCE, LAMBDA_EVENT_SOURCE } from './events';
import { ALIAS_NAME, FUNCTION_NAME, PUBLISHED_VERSION, aliasResource, parseFunctionRef } from './names';

const DAY_MS = 86_400_000;
/** The share of traffic a release routes to its new version before it routes everything there. */
const CANARY_WEIGHT = 0.1;
const UPDATE_ALIAS = ALIAS_CALLS[0];

/**
 * The principal of the watchdog's own calls in the simulated account, as CloudTrail names a Lambda function's
 * execution role session: the records of its UpdateAlias calls carry it.
 */
export const SIM_WATCHDOG_SESSION_ARN = `arn:aws:sts::${SIM_ACCOUNT}:assumed-role/${SIM_STACK_NAME}-HandlerRole/${SIM_STACK_NAME}-Handler`;

/** The CloudTrail records of an alias a scenario may declare lost (CloudTrail's delivery is best effort). */
export const LOSABLE_ALIAS_RECORDS = ['shift', 'complete'] as const;
export type LosableAliasRecord = (typeof LOSABLE_ALIAS_RECORDS)[number];

const quoted = (values: readonly string[]): string => values.map((s) => JSON.stringify(s)).join(', ');
const publishedVersion = z
  .string({ error: 'must be a published version number, like "7"' })
  .regex(PUBLISHED_VERSION, { error: 'must be a published version number, like "7" ($LATEST is not one)' });

const entrySchema = z.strictObject(
  {
    functionName: z
      .string({ error: 'must be a Lambda function name' })
      .regex(FUNCTION_NAME, { error: 'must be a Lambda function name: 1-64 letters, digits, "-" or "_"' }),
    alias: z.string({ error: 'must be a Lambda alias name' }).regex(ALIAS_NAME, {
      error: 'must be a Lambda alias name: 1-128 letters, digits, "-" or "_", not all digits',
    }),
    version: publishedVersion,
    versions: z.array(publishedVersion, { error: 'must be a list of published version numbers' }).optional(),
    shiftSeconds: z
      .number({ error: 'must be a whole number of seconds >= 0' })
      .int({ error: 'must be a whole number of seconds >= 0' })
      .min(0, { error: 'must be a whole number of seconds >= 0' })
      .default(120),
    lostEvents: z
      .array(z.enum(LOSABLE_ALIAS_RECORDS, { error: `must be one of ${quoted(LOSABLE_ALIAS_RECORDS)}` }), {
        error: `must be a list of CloudTrail records, any of ${quoted(LOSABLE_ALIAS_RECORDS)}`,
      })
      .default([]),
  },
  {
    error:
      'must be an object { "functionName", "alias", "version", "versions"?, "shiftSeconds"?, "lostEvents"? }',
  },
);

/**
 * One alias of `world.lambdaAliases`:
 * - `version`: the published version it routes everything to at start (for a day already, so it is known-good);
 * - `versions`: the function's published versions besides that one (absent: every version number is published);
 * - `shiftSeconds` (default 120): how long a release routes 10% of the traffic to its version before it routes
 *   everything there (0: at once);
 * - `lostEvents`: the CloudTrail records of this alias that never reach EventBridge: `shift` (an UpdateAlias
 *   that leaves routing weights) and `complete` (one that routes everything to one version), the watchdog's own
 *   included.
 */
export type LambdaAliasEntry = z.output<typeof entrySchema>;

/** The `world.lambdaAliases` section of a scenario and the Lambda API that answers for it. */
export const lambdaAliasSimKind: SimKind<LambdaAliasTargetConfig, LambdaAliasEntry> = {
  type: 'lambda-alias',
  worldKey: 'lambdaAliases',
  entrySchema,
  entryResource: aliasResource,
  targetResource: aliasResource,
  missingEntry: (target) =>
    `no Lambda alias ${aliasResource(target)} in $.world.lambdaAliases; add { "functionName": ${JSON.stringify(target.functionName)}, "alias": ${JSON.stringify(target.alias)}, "version": "<published version>" }`,
  mutatingApis: ['lambda:UpdateAlias'],
  createWorld: (input) => new LambdaAliasWorld(input),
};

interface AliasState {
  readonly entry: LambdaAliasEntry;
  /** `lambda:function:alias`: orders effects and keys this alias's id counters. */
  readonly source: string;
  readonly targetId: string | undefined;
  /** FunctionVersion: the version the alias invokes. */
  primary: string;
  /** AdditionalVersionWeights: at most one version besides the primary one. */
  weights: Record<string, number>;
  revisionId: string;
  /** The release shifting traffic, and the revision its first UpdateAlias left the alias at. */
  release?: { readonly version: string; readonly by: string | undefined; readonly revisionId: string };
}

/** What an UpdateAlias asks for, by whom, and which request CloudTrail records for it. */
interface Change {
  readonly primary: string;
  readonly weights: Record<string, number>;
  readonly by: string | undefined;
  readonly request: Record<string, unknown>;
}

/**
 * The Lambda part of the simulated account (docs/architecture.md, "World semantics"): function aliases moved by
 * UpdateAlias, at once or by weighted routing, and the CloudTrail record of every UpdateAlias that has a
 * principal to name (a timeline `deploy` with `by`, and the watchdog's own calls). A release routes 10% of the
 * traffic to its version, then everything after `shiftSeconds`, unless the alias changed meanwhile: like a
 * careful pipeline, its second UpdateAlias names the revision its first one left, and gives up when that is
 * gone. Nothing fails an alias shift by itself (Lambda has no health check of an alias), so `failingVersions`
 * mean nothing here; alarms on `badVersions` are what stop a bad version.
 *
 * `unavailableVersions` are versions deleted after they served. Lambda refuses to delete a version an alias
 * routes to, so one is gone only while no alias of its function routes to it: then GetFunctionConfiguration of
 * it is ResourceNotFoundException, and so is the watchdog's UpdateAlias onto it, which Lambda checks at once
 * (the alias stays as it was; there is no rollout to fail later). A timeline `deploy` of one routes to it as
 * usual, and from then it exists again while it is routed to.
 */
export class LambdaAliasWorld implements SimKindWorld {
  private readonly ctx: WorldContext;
  private readonly aliases = new Map<string, AliasState>();
  private readonly byTarget = new Map<string, AliasState>();
  /** Per function: its published versions, or `any` when every version number is one. */
  private readonly published = new Map<string, ReadonlySet<string> | 'any'>();
  private readonly onServing: SimKindWorldInput<LambdaAliasEntry>['onServing'];
  private readonly unavailableVersions: ReadonlySet<string>;
  private readonly startMs: number;

  constructor(input: SimKindWorldInput<LambdaAliasEntry>) {
    this.ctx = input.ctx;
    this.unavailableVersions = input.unavailableVersions;
    this.onServing = input.onServing;
    this.startMs = input.ctx.clock.now();
    for (const entry of input.entries) {
      const resource = aliasResource(entry);
      if (this.aliases.has(resource)) throw new Error(`Lambda alias ${resource} is in the world twice`);
      const source = `lambda:${resource}`;
      const state: AliasState = {
        entry,
        source,
        targetId: input.targets.get(resource),
        primary: entry.version,
        weights: {},
        revisionId: this.newRevisionId(source),
      };
      this.aliases.set(resource, state);
      if (state.targetId !== undefined) this.byTarget.set(state.targetId, state);
      this.publish(entry);
    }
  }

  commands(): Readonly<Record<string, SimCommands>> {
    return {
      lambda: {
        GetAlias: simCommand<GetAliasCommandInput>({
          target: (input) => this.targetOf(input.FunctionName, input.Name),
          run: (input) => this.getAlias(input),
        }),
        UpdateAlias: simCommand<UpdateAliasCommandInput>({
          target: (input) => this.targetOf(input.FunctionName, input.Name),
          run: (input) => this.updateAlias(input),
        }),
        GetFunctionConfiguration: simCommand<GetFunctionConfigurationCommandInput>({
          run: (input) => this.getFunctionConfiguration(input),
        }),
      },
    };
  }

  /** A release by someone other than the watchdog (the timeline's `deploy`); `by` gives it a CloudTrail record. */
  deploy(targetId: string, version: string, by?: string): boolean {
    const state = this.byTarget.get(targetId);
    if (!state) return false;
    const { functionName } = state.entry;
    const request = { functionName, name: state.entry.alias };
    if (!this.isPublished(functionName, version)) {
      this.ctx.note(
        state.source,
        'deploy',
        `${targetId}: release of ${version} refused: no such published version of ${functionName} (ResourceNotFoundException)`,
      );
      return true;
    }
    const serving = servingVersion(state);
    if (version === state.primary || state.entry.shiftSeconds === 0) {
      if (version === state.primary && !isShifting(state)) {
        this.ctx.note(
          state.source,
          'deploy',
          `${targetId}: release of ${version}: the alias already runs it`,
        );
        return true;
      }
      this.ctx.note(
        state.source,
        'deploy',
        `${targetId}: release ${serving} → ${version}, all traffic at once`,
      );
      this.change(state, {
        primary: version,
        weights: {},
        by,
        request: { ...request, functionVersion: version, routingConfig: { additionalVersionWeights: {} } },
      });
      return true;
    }
    const weights = { [version]: CANARY_WEIGHT };
    this.ctx.note(
      state.source,
      'deploy',
      `${targetId}: release ${state.primary} → ${version}: ${CANARY_WEIGHT * 100}% of the traffic for ${state.entry.shiftSeconds}s`,
    );
    this.change(state, {
      primary: state.primary,
      weights,
      by,
      request: { ...request, routingConfig: { additionalVersionWeights: weights } },
    });
    const release = { version, by, revisionId: state.revisionId };
    state.release = release;
    this.ctx.clock.after(state.entry.shiftSeconds * 1_000, () => this.promote(state, release));
    return true;
  }

  versionOf(targetId: string): string | undefined {
    const state = this.byTarget.get(targetId);
    return state ? servingVersion(state) : undefined;
  }

  /** The second UpdateAlias of a release, conditional on the revision its first one left. */
  private promote(state: AliasState, release: NonNullable<AliasState['release']>): void {
    // A newer release took over the alias; its own step follows.
    if (state.release !== release) return;
    state.release = undefined;
    const who = state.targetId ?? aliasResource(state.entry);
    if (state.revisionId !== release.revisionId) {
      this.ctx.note(
        state.source,
        'deploy',
        `${who}: release of ${release.version} gives up: the alias changed while it shifted (PreconditionFailedException)`,
      );
      return;
    }
    this.ctx.note(state.source, 'deploy', `${who}: release of ${release.version} routes all traffic to it`);
    this.change(state, {
      primary: release.version,
      weights: {},
      by: release.by,
      request: {
        functionName: state.entry.functionName,
        name: state.entry.alias,
        functionVersion: release.version,
        routingConfig: { additionalVersionWeights: {} },
        revisionId: release.revisionId,
      },
    });
  }

  private getAlias(input: GetAliasCommandInput): Record<string, unknown> {
    unmodelled('GetAlias', input, ['FunctionName', 'Name']);
    return { ...this.configuration(this.requireAlias(input.FunctionName, input.Name)) };
  }

  /** Lambda's checks of an UpdateAlias, in the order that matters here, then the change itself. */
  private updateAlias(input: UpdateAliasCommandInput): Record<string, unknown> {
    unmodelled('UpdateAlias', input, [
      'FunctionName',
      'Name',
      'FunctionVersion',
      'RoutingConfig',
      'RevisionId',
    ]);
    const state = this.requireAlias(input.FunctionName, input.Name);
    if (input.RevisionId !== undefined && input.RevisionId !== state.revisionId) {
      throw new PreconditionFailedException({
        message: `The Revision Id provided does not match the latest Revision Id. Call the GetAlias API to retrieve the latest Revision Id`,
        $metadata: {},
      });
    }
    const primary = input.FunctionVersion ?? state.primary;
    if (!PUBLISHED_VERSION.test(primary)) {
      throw new SimulatorGapError(
        `lambda:UpdateAlias to FunctionVersion ${primary} is not modelled: the simulated aliases route to published versions only`,
      );
    }
    this.requirePublished(state.entry.functionName, primary);
    this.requireExisting(state.entry.functionName, primary);
    // Left out, RoutingConfig stays as it is; an empty map clears it.
    const weights =
      input.RoutingConfig === undefined
        ? state.weights
        : { ...(input.RoutingConfig.AdditionalVersionWeights ?? {}) };
    this.checkWeights(state, primary, weights);
    this.ctx.note(
      state.source,
      'deploy',
      `${state.targetId ?? aliasResource(state.entry)}: UpdateAlias ${describeRouting(state.primary, state.weights)} → ${describeRouting(primary, weights)}`,
    );
    this.change(state, { primary, weights, by: SIM_WATCHDOG_SESSION_ARN, request: cloudTrailRequest(input) });
    return { ...this.configuration(state) };
  }

  private getFunctionConfiguration(input: GetFunctionConfigurationCommandInput): Record<string, unknown> {
    unmodelled('GetFunctionConfiguration', input, ['FunctionName', 'Qualifier']);
    const ref = this.functionRef(input.FunctionName);
    if (input.Qualifier !== undefined && ref.qualifier !== undefined && input.Qualifier !== ref.qualifier) {
      throw new InvalidParameterValueException({
        message: `The derived qualifier from the function name does not match the specified qualifier.`,
        $metadata: {},
      });
    }
    const qualifier = input.Qualifier ?? ref.qualifier;
    const alias = qualifier === undefined ? undefined : this.aliases.get(`${ref.name}:${qualifier}`);
    const version = alias?.primary ?? qualifier;
    if (version === undefined || version === '$LATEST') {
      throw new SimulatorGapError(
        'lambda:GetFunctionConfiguration of $LATEST is not modelled: the simulated functions are read by version or alias',
      );
    }
    this.requirePublished(ref.name, version);
    this.requireExisting(ref.name, version);
    const config: FunctionConfiguration = {
      FunctionName: ref.name,
      FunctionArn: `${functionArn(ref.name, this.ctx.region)}:${version}`,
      Version: version,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      CodeSha256: createHash('sha256').update(`${ref.name}:${version}`).digest('base64'),
      Description: `${ref.name} build ${version}`,
      LastModified: lambdaTimestamp(this.publishedAt(ref.name, version)),
      State: 'Active',
    };
    return { ...config };
  }

  /**
   * Applies an alias change: a new RevisionId, the CloudTrail record when someone is named as its caller (and
   * the record is not lost), and the version the target now serves.
   */
  private change(state: AliasState, change: Change): void {
    state.primary = change.primary;
    state.weights = change.weights;
    state.revisionId = this.newRevisionId(state.source);
    if (change.by !== undefined) this.record(state, change.by, change.request);
    if (state.targetId !== undefined) {
      this.onServing(state.targetId, servingVersion(state), !isShifting(state));
    }
  }

  private record(state: AliasState, by: string, request: Record<string, unknown>): void {
    const kind: LosableAliasRecord = isShifting(state) ? 'shift' : 'complete';
    if (state.entry.lostEvents.includes(kind)) {
      this.ctx.note(
        state.source,
        'lost',
        `${state.targetId ?? aliasResource(state.entry)}: CloudTrail record lost: ${UPDATE_ALIAS} (${kind}, ${describeRouting(state.primary, state.weights)}) is never delivered`,
      );
      return;
    }
    const n = this.ctx.next(`cloudtrail:${state.source}`);
    this.ctx.emit(
      state.source,
      lambdaCallRecord({
        id: stableUuid(`cloudtrail-event:${state.source}`, n),
        eventId: stableUuid(`cloudtrail:${state.source}`, n),
        at: this.ctx.clock.now(),
        eventName: UPDATE_ALIAS,
        region: this.ctx.region,
        by,
        requestParameters: request,
        responseElements: responseElements(this.configuration(state)),
      }),
      1,
    );
  }

  private configuration(state: AliasState): AliasConfiguration {
    const { functionName, alias } = state.entry;
    return {
      AliasArn: `${functionArn(functionName, this.ctx.region)}:${alias}`,
      Name: alias,
      FunctionVersion: state.primary,
      Description: '',
      RevisionId: state.revisionId,
      ...(isShifting(state) ? { RoutingConfig: { AdditionalVersionWeights: { ...state.weights } } } : {}),
    };
  }

  /** Lambda's rules for routing weights: one published version besides the primary one, weighted 0.0 to 1.0. */
  private checkWeights(state: AliasState, primary: string, weights: Record<string, number>): void {
    const entries = Object.entries(weights);
    const invalid = (message: string) => new InvalidParameterValueException({ message, $metadata: {} });
    if (entries.length > 1) throw invalid('Only one additional version can be specified in RoutingConfig.');
    for (const [version, weight] of entries) {
      if (!PUBLISHED_VERSION.test(version)) {
        throw invalid(`Invalid version ${version} in RoutingConfig: it must be a published version number.`);
      }
      if (version === primary) {
        throw invalid(`The additional version ${version} cannot be the alias's FunctionVersion.`);
      }
      if (!(weight >= 0 && weight <= 1))
        throw invalid(`Invalid weight ${weight}: it must be from 0.0 to 1.0.`);
      this.requirePublished(state.entry.functionName, version);
      this.requireExisting(state.entry.functionName, version);
    }
  }

  /** Several aliases of one function share its versions: an alias that lists none makes every number one. */
  private publish(entry: LambdaAliasEntry): void {
    const known = this.published.get(entry.functionName);
    if (known === 'any' || entry.versions === undefined) {
      this.published.set(entry.functionName, 'any');
      return;
    }
    this.published.set(entry.functionName, new Set([...(known ?? []), ...entry.versions, entry.version]));
  }

  private isPublished(functionName: string, version: string): boolean {
    const versions = this.published.get(functionName);
    if (versions === undefined || !PUBLISHED_VERSION.test(version)) return false;
    return versions === 'any' || versions.has(version);
  }

  private requirePublished(functionName: string, version: string): void {
    if (!this.isPublished(functionName, version)) {
      throw new ResourceNotFoundException({
        message: `Function not found: ${functionArn(functionName, this.ctx.region)}:${version}`,
        $metadata: {},
      });
    }
  }

  /**
   * An `unavailableVersions` version is deleted unless an alias of its function routes to it (Lambda refuses to
   * delete a version an alias routes to): then Lambda answers as for any version that does not exist.
   */
  private requireExisting(functionName: string, version: string): void {
    if (!this.unavailableVersions.has(version)) return;
    const routed = [...this.aliases.values()].some(
      (s) => s.entry.functionName === functionName && (s.primary === version || version in s.weights),
    );
    if (!routed) {
      throw new ResourceNotFoundException({
        message: `Function not found: ${functionArn(functionName, this.ctx.region)}:${version}`,
        $metadata: {},
      });
    }
  }

  /**
   * When a version was published: an alias's version at start a day before the scenario (it has served since),
   * every other version at the scenario's start. Either is before any UpdateAlias can route to it.
   */
  private publishedAt(functionName: string, version: string): number {
    const initial = [...this.aliases.values()].find(
      (s) => s.entry.functionName === functionName && s.entry.version === version,
    );
    return initial ? this.startMs - DAY_MS - initial.entry.shiftSeconds * 1_000 : this.startMs;
  }

  private functionRef(name: string | undefined): { name: string; qualifier?: string } {
    const ref = name === undefined ? undefined : parseFunctionRef(name);
    if (!ref) {
      throw new InvalidParameterValueException({
        message: `FunctionName ${String(name)} is not a function name or ARN.`,
        $metadata: {},
      });
    }
    if (
      (ref.account !== undefined && ref.account !== SIM_ACCOUNT) ||
      (ref.region !== undefined && ref.region !== this.ctx.region) ||
      !this.published.has(ref.name)
    ) {
      throw new ResourceNotFoundException({
        message: `Function not found: ${functionArn(ref.name, this.ctx.region)}`,
        $metadata: {},
      });
    }
    return ref.qualifier !== undefined ? { name: ref.name, qualifier: ref.qualifier } : { name: ref.name };
  }

  private requireAlias(functionName: string | undefined, alias: string | undefined): AliasState {
    const ref = this.functionRef(functionName);
    if (ref.qualifier !== undefined) {
      throw new SimulatorGapError(
        `lambda alias calls with a qualified FunctionName (${String(functionName)}) are not modelled`,
      );
    }
    const state = alias === undefined ? undefined : this.aliases.get(`${ref.name}:${alias}`);
    if (!state) {
      throw new ResourceNotFoundException({
        message: `Alias not found: ${functionArn(ref.name, this.ctx.region)}:${String(alias)}`,
        $metadata: {},
      });
    }
    return state;
  }

  private targetOf(functionName: string | undefined, alias: string | undefined): string | undefined {
    const ref = functionName === undefined ? undefined : parseFunctionRef(functionName);
    if (!ref || alias === undefined) return undefined;
    const resource = `${ref.name}:${alias}`;
    return this.aliases.get(resource)?.targetId ?? resource;
  }

  private newRevisionId(source: string): string {
    return stableUuid(`lambda-alias-revision:${source}`, this.ctx.next(`revision:${source}`));
  }
}

function isShifting(state: AliasState): boolean {
  return Object.keys(state.weights).length > 0;
}

/** The version an alarm on the target is about: the one traffic is being shifted to, else the primary one. */
function servingVersion(state: AliasState): string {
  return Object.keys(state.weights)[0] ?? state.primary;
}

function describeRouting(primary: string, weights: Record<string, number>): string {
  const [shifting] = Object.entries(weights);
  return shifting === undefined ? primary : `${primary} + ${shifting[1] * 100}% ${shifting[0]}`;
}

function functionArn(functionName: string, region: string): string {
  return `arn:aws:lambda:${region}:${SIM_ACCOUNT}:function:${functionName}`;
}

/** Lambda's own timestamp format, `2026-03-01T10:00:00.000+0000`. */
function lambdaTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+0000`;
}

/** Refuses parameters the simulated API does not model, rather than ignoring them. */
function unmodelled(operation: string, input: object, modelled: readonly string[]): void {
  const extra = Object.entries(input)
    .filter(([k, value]) => value !== undefined && !modelled.includes(k))
    .map(([k]) => k);
  if (extra.length > 0) {
    throw new SimulatorGapError(`lambda:${operation} parameters ${extra.join(', ')} are not modelled`);
  }
}

/** The request as CloudTrail records it: the SDK's input with each key's first letter in lower case. */
function cloudTrailRequest(input: UpdateAliasCommandInput): Record<string, unknown> {
  return {
    functionName: input.FunctionName,
    name: input.Name,
    ...(input.FunctionVersion !== undefined ? { functionVersion: input.FunctionVersion } : {}),
    ...(input.RoutingConfig !== undefined
      ? {
          routingConfig: {
            additionalVersionWeights: { ...(input.RoutingConfig.AdditionalVersionWeights ?? {}) },
          },
        }
      : {}),
    ...(input.RevisionId !== undefined ? { revisionId: input.RevisionId } : {}),
  };
}

function responseElements(config: AliasConfiguration): Record<string, unknown> {
  return {
    aliasArn: config.AliasArn,
    name: config.Name,
    functionVersion: config.FunctionVersion,
    description: config.Description,
    revisionId: config.RevisionId,
    ...(config.RoutingConfig
      ? { routingConfig: { additionalVersionWeights: { ...config.RoutingConfig.AdditionalVersionWeights } } }
      : {}),
  };
}

/**
 * account.ts builds the CloudTrail records of ECS and CodeDeploy calls; a Lambda call's record has the same
 * shape and differs in its `source` and `eventSource` only.
 */
function lambdaCallRecord(
  args: Omit<Parameters<typeof cloudTrailApiCallEvent>[0], 'platform'>,
): EventBridgeEvent {
  const record = cloudTrailApiCallEvent({ ...args, platform: 'ecs' });
  return {
    ...record,
    source: LAMBDA_EVENT_SOURCE,
    detail: { ...record.detail, eventSource: LAMBDA_CLOUDTRAIL_SOURCE },
  };
}
