import {
  GetAliasCommand,
  GetFunctionConfigurationCommand,
  UpdateAliasCommand,
  type AliasConfiguration,
  type FunctionConfiguration,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import type { RuntimeLambdaAliasTarget, RuntimeTarget } from '../../contract';
import type { LiveDeployment, LiveTarget, Millis, Viability } from '../../domain';
import {
  actionError,
  answeredARetry,
  classifyAwsError,
  describeError,
  summarizeError,
} from '../../adapters/aws-errors';
import { viabilityOf } from '../../adapters/viability-findings';
import { parseIsoTimestamp } from '../../boundary/events';
import { RetryableError, TargetInvalidError } from '../../use-cases/errors';
import type { ActionResult, Clock, Deployer, Telemetry } from '../../use-cases/ports';
import {
  PUBLISHED_VERSION,
  deploymentId,
  describeAlias,
  lambdaAliasTarget,
  parseDeploymentId,
} from './names';

/** UpdateAlias with an empty map clears the weights; leaving RoutingConfig out keeps the ones the alias has. */
const NO_WEIGHTS = { AdditionalVersionWeights: {} };

/** CodeSha256 is base64 of a SHA-256: its first 12 characters tell two packages apart in a message. */
const SHORT_SHA = 12;
const DESCRIPTION_SHOWN = 80;

export interface LambdaAliasDeployerOptions {
  readonly client: LambdaClient;
  /**
   * The time a completed alias state is first seen at (GetAlias reports no times): the runtime's clock, so that
   * the simulator's virtual time applies.
   */
  readonly clock: Clock;
  /** Receives info when describeChange has to do without the versions' configurations. */
  readonly telemetry?: Pick<Telemetry, 'log'>;
}

/**
 * Reads and rolls back a Lambda function alias whose versions are shifted by weighted routing
 * (`RoutingConfig.AdditionalVersionWeights`, at most one additional version) or switched outright: a shift in
 * progress is stopped by routing every request to the alias's primary version again; a finished one is rolled
 * back by pointing the alias at the known-good version. Lambda rolls nothing back by itself.
 *
 * Times (GetAlias has none), chosen so that the engine errs on the safe side:
 * - `startedAt` is the version's LastModified (GetFunctionConfiguration): a version is published, and so last
 *   modified, before any alias can point at it, so this is never later than the shift began. A later value would
 *   make an alarm that began with the shift look older than the deployment (`alarm-predates-deploy`).
 * - `completedAt` of the alias's current state is the moment of the read: never earlier than the change, so a
 *   bake is never counted from before the version served alone. The ledger keeps the first value it saw for a
 *   deployment id (see `deploymentId` in ./names.ts), so later reads do not move it, and `completedAtObserved`
 *   tells the engine to measure the watch window from that first value too, not from this read. The costs: a
 *   completion first seen some time after the fact bakes (and is watched) for that much longer; and the first
 *   read of an alias that already routes everything to one
 *   version cannot prove that version (Lambda keeps no history of an alias), so it is known-good one bake
 *   after the watchdog first read it.
 */
export class LambdaAliasDeployer implements Deployer {
  private readonly client: LambdaClient;
  private readonly clock: Clock;
  private readonly telemetry: Pick<Telemetry, 'log'> | undefined;

  constructor(options: LambdaAliasDeployerOptions) {
    this.client = options.client;
    this.clock = options.clock;
    this.telemetry = options.telemetry;
  }

  /**
   * Two round trips: GetAlias, then GetFunctionConfiguration of the one or two versions it routes to,
   * concurrently (their LastModified is the deployment's `startedAt`).
   */
  async inspect(target: RuntimeTarget): Promise<LiveTarget> {
    const t = aliasTarget(target);
    let alias: AliasConfiguration;
    try {
      alias = await this.client.send(new GetAliasCommand({ FunctionName: t.functionName, Name: t.alias }));
    } catch (err) {
      return invalidOrThrow(err, `GetAlias of ${describeAlias(t)}`, missingAliasFix(t), 'lambda:GetAlias');
    }
    const state = aliasState(alias, t);
    if ('why' in state) return { kind: 'invalid', why: state.why };

    const versions = state.shifting ? [state.primary, state.shifting] : [state.primary];
    const published = await Promise.allSettled(versions.map((v) => this.publishedAt(t, v)));
    const times: Millis[] = [];
    for (const [i, result] of published.entries()) {
      if (result.status === 'rejected') {
        return invalidOrThrow(
          result.reason,
          `GetFunctionConfiguration of version ${versions[i]} of function ${t.functionName}`,
          undefined,
          'lambda:GetFunctionConfiguration',
        );
      }
      if (typeof result.value === 'string') return { kind: 'invalid', why: result.value };
      times.push(result.value);
    }
    const [primaryPublished, shiftingPublished] = times;

    if (state.shifting === undefined) {
      return {
        kind: 'ok',
        currentVersion: state.primary,
        latest: {
          id: deploymentId(state.primary, state.revisionId),
          version: state.primary,
          state: 'completed',
          startedAt: primaryPublished,
          completedAt: this.clock.now(),
          completedAtObserved: true,
        },
        previous: [],
        nativeRollback: false,
      };
    }
    // The version being shifted to is what an alarm is blamed on; the primary version still takes the rest of
    // the traffic and is what stopping the shift restores.
    const stable: LiveDeployment = {
      id: deploymentId(state.primary, state.revisionId),
      version: state.primary,
      state: 'completed',
      startedAt: primaryPublished,
    };
    return {
      kind: 'ok',
      currentVersion: state.shifting,
      latest: {
        id: deploymentId(state.shifting, state.revisionId),
        version: state.shifting,
        state: 'in-progress',
        startedAt: shiftingPublished,
        // The stop reference names the state to go back to: the primary version, at the revision the alias is
        // at now, which UpdateAlias checks (RevisionId) so that a change made since is never overwritten.
        stopRef: stable.id,
        stopRestores: state.primary,
      },
      previous: [stable],
      nativeRollback: false,
    };
  }

  /**
   * `UpdateAlias(FunctionVersion = primary, no weights, RevisionId)`: every request goes to the primary version
   * again, unless the alias changed since it was read (PreconditionFailedException), in which case the shift
   * is no longer there to stop.
   */
  async stop(target: RuntimeTarget, deploymentRef: string): Promise<ActionResult> {
    const t = aliasTarget(target);
    const ref = parseDeploymentId(deploymentRef);
    if (!ref) {
      throw new TargetInvalidError(
        `${deploymentRef} is not a stop reference of ${describeAlias(t)} (<version>@<RevisionId>)`,
      );
    }
    try {
      const out = await this.client.send(
        new UpdateAliasCommand({
          FunctionName: t.functionName,
          Name: t.alias,
          FunctionVersion: ref.version,
          RoutingConfig: NO_WEIGHTS,
          RevisionId: ref.revisionId,
        }),
      );
      return issued(ref.version, out);
    } catch (err) {
      if (errorName(err) === 'PreconditionFailedException') {
        if (answeredARetry(err)) {
          // The first attempt may have been our own update taking effect, which changed the RevisionId.
          throw new RetryableError(
            `UpdateAlias of ${describeAlias(t)} back to ${ref.version} was refused on a retry of a request that may already have taken effect: ${describeError(err)}`,
            { cause: err },
          );
        }
        return {
          status: 'already-finished',
          detail: `${describeAlias(t)} changed after revision ${ref.revisionId}, so the shift was no longer there to stop (${describeError(err)})`,
        };
      }
      throw actionError(err, `UpdateAlias of ${describeAlias(t)} back to ${ref.version}`, classify);
    }
  }

  /**
   * `UpdateAlias(FunctionVersion = version, no weights)`, unconditionally: a rollback replaces whatever the
   * alias routes to. The alias's description is left as it is (it belongs to whoever manages the alias).
   */
  async redeploy(target: RuntimeTarget, version: string): Promise<ActionResult> {
    const t = aliasTarget(target);
    if (!PUBLISHED_VERSION.test(version)) {
      throw new TargetInvalidError(
        `${JSON.stringify(version)} is not a published version of function ${t.functionName}: ${describeAlias(t)} can only be pointed at a version number`,
      );
    }
    try {
      const out = await this.client.send(
        new UpdateAliasCommand({
          FunctionName: t.functionName,
          Name: t.alias,
          FunctionVersion: version,
          RoutingConfig: NO_WEIGHTS,
        }),
      );
      return issued(version, out);
    } catch (err) {
      throw actionError(err, `UpdateAlias of ${describeAlias(t)} to version ${version}`, classify);
    }
  }

  /**
   * What differs between two versions' configurations: the code package (CodeSha256), the description given
   * when the version was published, the runtime. Two concurrent GetFunctionConfiguration reads; for
   * notifications only, so it never throws: when either read fails the message names the versions alone (logged
   * at info).
   */
  async describeChange(target: RuntimeTarget, from: string, to: string): Promise<string[]> {
    try {
      const t = aliasTarget(target);
      const [before, after] = await Promise.allSettled([
        this.configuration(t, from),
        this.configuration(t, to),
      ]);
      if (before.status !== 'fulfilled' || after.status !== 'fulfilled') {
        const failure = [before, after].find((r): r is PromiseRejectedResult => r.status === 'rejected');
        this.telemetry?.log('info', 'GetFunctionConfiguration failed; notifying without the version change', {
          target: t.id,
          from,
          to,
          error: summarizeError(failure?.reason),
        });
        return [];
      }
      return configurationChanges(before.value, after.value);
    } catch (err) {
      this.telemetry?.log('info', 'describeChange failed; notifying without the version change', {
        target: target.id,
        error: summarizeError(err),
      });
      return [];
    }
  }

  /**
   * Whether `version` is still a published version UpdateAlias can route to: GetFunctionConfiguration of it.
   * ResourceNotFoundException means it (or the function) was deleted. State `Failed` means Lambda could not
   * set up its resources and it never runs (Lambda function states: a failed function must be deleted and
   * recreated). `Inactive` is runnable: Lambda reclaimed the resources of a version left idle, and re-creates
   * them when it is next invoked (the first invocations fail while it is Pending again), so routing the alias
   * to it is what brings it back. `Pending` passes too. A denied read is reported unchecked; a transient one
   * throws, to be checked again.
   */
  async viability(target: RuntimeTarget, version: string): Promise<Omit<Viability, 'checkedAt'>> {
    const t = aliasTarget(target);
    const which = `version ${version} of function ${t.functionName}`;
    if (!PUBLISHED_VERSION.test(version)) {
      return viabilityOf([
        {
          unchecked: [
            `${JSON.stringify(version)} is not a published version number of function ${t.functionName}: it was not checked`,
          ],
        },
      ]);
    }
    let config: FunctionConfiguration;
    try {
      config = await this.configuration(t, version);
    } catch (err) {
      const call = `GetFunctionConfiguration of ${which}`;
      switch (classify(err)) {
        case 'terminal':
          return errorName(err) === 'ResourceNotFoundException'
            ? viabilityOf([{ missing: [`${which} was deleted: the alias can no longer be routed to it`] }])
            : viabilityOf([
                {
                  unchecked: [
                    `${which} could not be checked: ${call} was refused (${describeError(err)})${/AccessDenied/.test(errorName(err)) ? "; the watchdog's roles need lambda:GetFunctionConfiguration on the function's versions" : ''}`,
                  ],
                },
              ]);
        case 'retryable':
          throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
        case 'conflict':
        case 'unknown':
          throw err;
      }
    }
    if (config.State === 'Failed') {
      const reason = config.StateReason ? `: ${config.StateReason}` : '';
      return viabilityOf([
        {
          missing: [
            `${which} is in state Failed${reason} (${config.StateReasonCode ?? 'no reason code'}): it cannot run`,
          ],
        },
      ]);
    }
    return viabilityOf([]);
  }

  private configuration(t: RuntimeLambdaAliasTarget, version: string): Promise<FunctionConfiguration> {
    return this.client.send(
      new GetFunctionConfigurationCommand({ FunctionName: t.functionName, Qualifier: version }),
    );
  }

  /** The version's LastModified, or why it cannot serve as one (a problem of the answer, not of the call). */
  private async publishedAt(t: RuntimeLambdaAliasTarget, version: string): Promise<Millis | string> {
    const config = await this.configuration(t, version);
    const at = config.LastModified === undefined ? Number.NaN : parseIsoTimestamp(config.LastModified);
    return Number.isNaN(at)
      ? `GetFunctionConfiguration of version ${version} of function ${t.functionName} reported no LastModified time (${JSON.stringify(config.LastModified ?? null)})`
      : at;
  }
}

/** What GetAlias says about the routing, or why the watchdog cannot protect the alias. */
function aliasState(
  alias: AliasConfiguration,
  t: RuntimeLambdaAliasTarget,
): { primary: string; shifting?: string; revisionId: string } | { why: string } {
  const primary = alias.FunctionVersion;
  if (primary === undefined) return { why: `GetAlias reported no FunctionVersion for ${describeAlias(t)}` };
  if (!PUBLISHED_VERSION.test(primary)) {
    return {
      why: `${describeAlias(t)} points to ${primary}, whose code changes with every update: the watchdog protects aliases of published versions only (point it at a version from PublishVersion)`,
    };
  }
  if (alias.RevisionId === undefined || alias.RevisionId === '') {
    return { why: `GetAlias reported no RevisionId for ${describeAlias(t)}` };
  }
  const weighted = Object.keys(alias.RoutingConfig?.AdditionalVersionWeights ?? {});
  if (weighted.length === 0) return { primary, revisionId: alias.RevisionId };
  const shifting = weighted[0];
  if (weighted.length > 1 || !PUBLISHED_VERSION.test(shifting) || shifting === primary) {
    return {
      why: `GetAlias reported routing weights ${JSON.stringify(alias.RoutingConfig?.AdditionalVersionWeights)} for ${describeAlias(t)}; Lambda routes to one published version besides the primary one`,
    };
  }
  return { primary, shifting, revisionId: alias.RevisionId };
}

function issued(version: string, out: AliasConfiguration): ActionResult {
  return {
    status: 'issued',
    ...(out.RevisionId ? { deploymentRef: deploymentId(version, out.RevisionId) } : {}),
  };
}

/** Lines for what differs, in a fixed order; nothing when the two configurations look the same. */
function configurationChanges(before: FunctionConfiguration, after: FunctionConfiguration): string[] {
  const lines: string[] = [];
  if (before.CodeSha256 !== after.CodeSha256) {
    lines.push(`code: sha256 ${shortSha(before.CodeSha256)} → ${shortSha(after.CodeSha256)}`);
  }
  if ((before.Description ?? '') !== (after.Description ?? '')) {
    lines.push(`description: ${quoted(before.Description)} → ${quoted(after.Description)}`);
  }
  if (before.Runtime !== after.Runtime) {
    lines.push(`runtime: ${before.Runtime ?? 'none'} → ${after.Runtime ?? 'none'}`);
  }
  return lines;
}

function shortSha(sha: string | undefined): string {
  return sha === undefined ? 'unknown' : sha.slice(0, SHORT_SHA);
}

function quoted(text: string | undefined): string {
  if (text === undefined || text === '') return '(none)';
  return JSON.stringify(text.length <= DESCRIPTION_SHOWN ? text : `${text.slice(0, DESCRIPTION_SHOWN - 1)}…`);
}

function aliasTarget(target: RuntimeTarget): RuntimeLambdaAliasTarget {
  return lambdaAliasTarget(target, 'LambdaAliasDeployer');
}

function missingAliasFix(t: RuntimeLambdaAliasTarget): string {
  return `check functionName ${JSON.stringify(t.functionName)} and alias ${JSON.stringify(t.alias)} of target ${t.id}: the alias must exist in the watchdog's account and region`;
}

function errorName(err: unknown): string {
  return summarizeError(err).name;
}

/**
 * Lambda answers ResourceConflictException while another operation on the function is in progress: a later
 * attempt can get past it. Everything else is classified as for every other AWS client.
 */
function classify(err: unknown): ReturnType<typeof classifyAwsError> {
  return errorName(err) === 'ResourceConflictException' ? 'retryable' : classifyAwsError(err);
}

/** Terminal read failures describe the target as invalid, naming the fix; transient ones throw for Lambda to retry. */
function invalidOrThrow(
  err: unknown,
  call: string,
  missingFix: string | undefined,
  action: string,
): LiveTarget {
  switch (classify(err)) {
    case 'terminal': {
      const name = errorName(err);
      const fix =
        name === 'ResourceNotFoundException' && missingFix !== undefined
          ? `: ${missingFix}`
          : /AccessDenied/.test(name)
            ? `: the watchdog's roles need ${action} on the function (the stack grants it for every configured target; deploy it again after adding one)`
            : '';
      return { kind: 'invalid', why: `${call} failed: ${describeError(err)}${fix}` };
    }
    case 'retryable':
      throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
    case 'conflict':
    case 'unknown':
      throw err;
  }
}
