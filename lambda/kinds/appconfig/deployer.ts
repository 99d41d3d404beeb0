import {
  GetDeploymentCommand,
  GetHostedConfigurationVersionCommand,
  ListDeploymentsCommand,
  StartDeploymentCommand,
  StopDeploymentCommand,
  type AppConfigClient,
  type DeploymentSummary,
} from '@aws-sdk/client-appconfig';
import type { RuntimeAppConfigTarget, RuntimeTarget } from '../../contract';
import type { LiveDeployment, LiveDeploymentState, LiveTarget, Millis, Viability } from '../../domain';
import { answeredARetry, describeError, summarizeError } from '../../adapters/aws-errors';
import { viabilityOf } from '../../adapters/viability-findings';
import { RetryableError, TargetInvalidError } from '../../use-cases/errors';
import type { ActionResult, Deployer, Telemetry } from '../../use-cases/ports';
import {
  STRATEGY_ID_ENV,
  deploymentIdOf,
  deploymentNumberOf,
  describeAppConfig,
  rollbackIdOf,
} from './names';
import { AppConfigResolver, appConfigErrorClass, type AppConfigIds } from './resolver';

/** DeploymentState values (API reference, DeploymentSummary.State) during which a deployment is under way. */
const IN_PROGRESS: readonly string[] = ['VALIDATING', 'DEPLOYING', 'BAKING'];
const ROLLING_BACK = 'ROLLING_BACK';
/** Rolled back while in progress (StopDeployment, an alarm monitor) or reverted after completing. */
const ROLLED_BACK: readonly string[] = ['ROLLED_BACK', 'REVERTED'];
const COMPLETE = 'COMPLETE';
/** An environment takes one deployment at a time (user guide, "Deploying a configuration"). */
const ACTIVE: readonly string[] = [...IN_PROGRESS, ROLLING_BACK];

/** ListDeployments' largest page (MaxResults 1-50); it lists newest first ("descending deployment number"). */
const PAGE_SIZE = 50;
/** Pages read when the first holds no deployment of the profile, or none it could return to. */
const MAX_PAGES = 3;
/** GetDeployment calls allowed to tell apart profiles that share a name. */
const MAX_ASKED = 10;
/** StopDeployment with AllowRevert reverts a completed deployment within 72 hours of its completion. */
const REVERT_WINDOW_MS = 72 * 60 * 60_000;
/** How long `replace` waits for a stopped deployment to finish rolling back: about 7 s in all. */
const REPLACE_BACKOFF_MS: readonly number[] = [500, 1_000, 2_000, 3_500];
/** StartDeployment's Description: at most 1024 characters. */
const MAX_DESCRIPTION_LENGTH = 1024;

export interface AppConfigDeployerOptions {
  readonly client: AppConfigClient;
  /** @default - a resolver of its own on `client` */
  readonly resolver?: AppConfigResolver;
  /** The stack's zero-bake deployment strategy (STRATEGY_ID_ENV); without it the watchdog cannot deploy. */
  readonly strategyId: string | undefined;
  readonly telemetry?: Pick<Telemetry, 'log'>;
  /** Waits between reads while a stopped deployment rolls back. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The clock, for the 72-hour revert window. @default - none: AppConfig enforces the window itself (a late
   * revert is refused with BadRequestException, and the version is deployed instead)
   */
  readonly now?: () => Millis;
}

/** A deployment of the target's profile as the deployer works with it. */
interface Summary {
  readonly n: number;
  readonly version: string;
  readonly state: string | undefined;
  readonly startedAt: Millis;
  readonly completedAt?: Millis;
  /** Deployed with a strategy of no duration and no bake, as the watchdog's own deployments are. */
  readonly zeroBake: boolean;
}

/** What GetDeployment told about one deployment; both fields are fixed when the deployment starts. */
interface Details {
  readonly profileId?: string;
  readonly description?: string;
}

/**
 * Reads and rolls back an AppConfig configuration profile in one environment. Versions are configuration
 * versions (a hosted configuration's version number, as a string). A deployment under way is stopped with
 * AppConfig's own rollback; a completed one is reverted within AppConfig's 72 hours; otherwise the known-good
 * version is deployed again with the stack's zero-bake strategy.
 */
export class AppConfigDeployer implements Deployer {
  private readonly client: AppConfigClient;
  private readonly resolver: AppConfigResolver;
  private readonly strategyId: string | undefined;
  private readonly telemetry: Pick<Telemetry, 'log'> | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: (() => Millis) | undefined;
  private readonly details = new Map<string, Details>();

  constructor(options: AppConfigDeployerOptions) {
    this.client = options.client;
    this.telemetry = options.telemetry;
    this.resolver = options.resolver ?? new AppConfigResolver(options.client, options.telemetry);
    this.strategyId = options.strategyId;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.now = options.now;
  }

  /**
   * One ListDeployments call once the names are resolved (cached per container), since this read sits on the
   * path from alarm to rollback. The environment's deployments of every profile come newest first; this
   * profile's are picked by ConfigurationProfileId, or, where the summary has only ConfigurationName, by the
   * profile's name (GetDeployment settles it only when another profile shares the name). GetDeployment also
   * reads the newest deployment's description, and only when it ran with a zero-bake strategy like the
   * watchdog's own: that is where the watchdog records its decision (`initiatedBy`).
   *
   * The newest deployment is `latest`. In progress, it serves its version from the start, can be stopped
   * (`stopRef`, AppConfig then restores the version of the previous completed deployment, `stopRestores`) and
   * blocks any other deployment to the environment. Rolling back, rolled back or reverted: the live view shows
   * its rollback (completed once AppConfig is done) restoring that previous version, and the deployment itself,
   * failed, among `previous`.
   */
  async inspect(target: RuntimeTarget): Promise<LiveTarget> {
    const t = appConfigTarget(target);
    const resolved = await this.resolver.resolve(t);
    if (resolved.kind === 'invalid') return resolved;
    const { ids } = resolved;
    let ours: Summary[];
    try {
      ours = await this.deploymentsOf(t, ids);
    } catch (err) {
      return this.invalidOrThrow(err, `ListDeployments of ${describeAppConfig(t)}`, t);
    }
    const [newest, ...older] = ours;
    if (!newest) {
      return {
        kind: 'invalid',
        why: `${describeAppConfig(t)} has never been deployed (no deployment of the profile among the environment's latest ${PAGE_SIZE * MAX_PAGES}): there is no current configuration version to protect`,
      };
    }
    const restores = older.find((s) => s.state === COMPLETE)?.version;
    const previous = older.map(face);

    if (newest.state === ROLLING_BACK || ROLLED_BACK.includes(newest.state ?? '')) {
      if (restores === undefined) {
        return {
          kind: 'invalid',
          why: `deployment ${newest.n} of ${describeAppConfig(t)} was rolled back, and no earlier completed deployment of the profile is listed: the version the environment serves is unknown`,
        };
      }
      const rollingBack = newest.state === ROLLING_BACK;
      const at = newest.completedAt ?? newest.startedAt;
      return {
        kind: 'ok',
        currentVersion: restores,
        latest: {
          id: rollbackIdOf(newest.n),
          version: restores,
          state: rollingBack ? 'in-progress' : 'completed',
          startedAt: at,
          ...(rollingBack ? {} : { completedAt: at }),
          isRollback: true,
          // The environment stays busy until AppConfig has rolled back.
          ...(rollingBack ? { blocksNewDeployments: true } : {}),
        },
        previous: [face(newest), ...previous],
        nativeRollback: rollingBack,
      };
    }

    const inProgress = IN_PROGRESS.includes(newest.state ?? '');
    const initiated = await this.initiatedBy(t, ids, newest);
    return {
      kind: 'ok',
      currentVersion: newest.version,
      latest: {
        ...face(newest),
        ...initiated,
        ...(inProgress ? { stopRef: deploymentIdOf(newest.n), blocksNewDeployments: true } : {}),
        ...(inProgress && restores !== undefined ? { stopRestores: restores } : {}),
      },
      previous,
      nativeRollback: false,
    };
  }

  /**
   * `StopDeployment` of the deployment under way, with AllowRevert: AppConfig then rolls it back (ROLLED_BACK)
   * whether it is deploying or baking (without AllowRevert the API stops only a DEPLOYING one), and a
   * deployment that completed since the watchdog's read is reverted (REVERTED): either way the version served
   * before it comes back, which is what the stop was for. A deployment already rolled back or reverted is
   * refused with BadRequestException: already finished.
   */
  async stop(target: RuntimeTarget, deploymentRef: string): Promise<ActionResult> {
    const t = appConfigTarget(target);
    const n = deploymentNumberOf(deploymentRef);
    if (n === undefined || deploymentRef !== deploymentIdOf(n)) {
      throw new TypeError(
        `AppConfigDeployer cannot stop ${JSON.stringify(deploymentRef)}: not a deployment number`,
      );
    }
    const ids = await this.idsOrThrow(t);
    try {
      await this.client.send(
        new StopDeploymentCommand({
          ApplicationId: ids.applicationId,
          EnvironmentId: ids.environmentId,
          DeploymentNumber: n,
          AllowRevert: true,
        }),
      );
      return { status: 'issued', deploymentRef };
    } catch (err) {
      if (appConfigErrorClass(err) === 'bad-request') {
        if (answeredARetry(err)) throw ambiguous(err, `StopDeployment of deployment ${n}`, t);
        return {
          status: 'already-finished',
          detail: `deployment ${n} of ${describeAppConfig(t)} can no longer be stopped (${describeError(err)})`,
        };
      }
      throw this.actionError(err, `StopDeployment of deployment ${n} (${describeAppConfig(t)})`, t);
    }
  }

  /**
   * Puts `version` back. When the newest deployment of the profile completed (within AppConfig's 72 hours) and
   * `version` is what it replaced, `StopDeployment` with AllowRevert reverts it: immediate, and it ignores the
   * environment's alarm monitors. Otherwise `StartDeployment` of `version` with the stack's zero-bake strategy
   * (STRATEGY_ID_ENV), its description naming the decision. Another deployment under way in the environment
   * (AppConfig deploys one configuration at a time to an environment) is ConflictException: busy.
   *
   * StartDeployment has no idempotency token and the adapter never retries it; a retry by the SDK of a start
   * that had in fact gone through meets that deployment (ConflictException) and is reported as ambiguous, so
   * that the use case reads the target again before acting again.
   */
  async redeploy(
    target: RuntimeTarget,
    version: string,
    _artifact?: string,
    decisionId?: string,
  ): Promise<ActionResult> {
    const t = appConfigTarget(target);
    const ids = await this.idsOrThrow(t);
    let ours: Summary[];
    try {
      ours = await this.deploymentsOf(t, ids);
    } catch (err) {
      throw this.actionError(err, `ListDeployments of ${describeAppConfig(t)}`, t);
    }
    const [newest, ...older] = ours;
    const replaced = older.find((s) => s.state === COMPLETE)?.version;
    if (newest?.state === COMPLETE && replaced === version && this.revertable(newest)) {
      try {
        await this.client.send(
          new StopDeploymentCommand({
            ApplicationId: ids.applicationId,
            EnvironmentId: ids.environmentId,
            DeploymentNumber: newest.n,
            AllowRevert: true,
          }),
        );
        return { status: 'issued', deploymentRef: rollbackIdOf(newest.n) };
      } catch (err) {
        if (appConfigErrorClass(err) !== 'bad-request') {
          throw this.actionError(
            err,
            `StopDeployment (revert) of deployment ${newest.n} (${describeAppConfig(t)})`,
            t,
          );
        }
        if (answeredARetry(err)) throw ambiguous(err, `StopDeployment (revert) of deployment ${newest.n}`, t);
        // Past the window by AppConfig's clock, or the deployment moved on: deploy the version instead.
        this.telemetry?.log('info', 'AppConfig refused the revert; deploying the version instead', {
          target: t.id,
          deploymentNumber: newest.n,
          error: summarizeError(err),
        });
      }
    }
    return this.start(t, ids, version, decisionId);
  }

  /**
   * The deployment under way must go, but AppConfig's rollback would restore a version that has not proven
   * itself, and AppConfig has no stop without rollback: `StopDeployment` (AppConfig restores that version
   * briefly), then, once the deployment no longer holds the environment, `StartDeployment` of the known-good
   * `version`. A deployment still rolling back after the wait is a transient failure; the claim routine reads
   * the target again and finishes the replace (the stop has happened) or retries it.
   */
  async replace(
    target: RuntimeTarget,
    deploymentRef: string,
    version: string,
    artifact?: string,
    decisionId?: string,
  ): Promise<ActionResult> {
    const t = appConfigTarget(target);
    // Issued or already finished: either way nothing is left to stop.
    await this.stop(t, deploymentRef);
    const n = deploymentNumberOf(deploymentRef) ?? 0;
    const ids = await this.idsOrThrow(t);
    for (const wait of [0, ...REPLACE_BACKOFF_MS]) {
      if (wait > 0) await this.sleep(wait);
      if (!(await this.stillActive(t, ids, n))) return this.redeploy(t, version, artifact, decisionId);
    }
    throw new RetryableError(
      `deployment ${n} of ${describeAppConfig(t)} was stopped but is still rolling back after ${REPLACE_BACKOFF_MS.reduce((a, b) => a + b, 0)} ms; ${version} is deployed on the next attempt`,
    );
  }

  /**
   * Whether configuration version `version` can still be deployed. A profile in the hosted configuration store
   * (LocationUri `hosted`) numbers its versions, and DeleteHostedConfigurationVersion removes one:
   * GetHostedConfigurationVersion of it, where ResourceNotFoundException means it was deleted (the answer carries
   * the content too, up to the store's size limit; it is dropped unread, and AppConfig has no read of a hosted
   * version without it). For any other source (S3, Parameter Store, SSM documents, Secrets Manager,
   * CodePipeline) the version is the source's own and reading it would need grants on that source: reported
   * unchecked. A denied read is unchecked too; a transient failure throws, to be checked again.
   */
  async viability(target: RuntimeTarget, version: string): Promise<Omit<Viability, 'checkedAt'>> {
    const t = appConfigTarget(target);
    const which = `configuration version ${version} of ${describeAppConfig(t)}`;
    const resolved = await this.resolver.resolve(t);
    if (resolved.kind === 'invalid') {
      return viabilityOf([{ unchecked: [`${which} could not be checked: ${resolved.why}`] }]);
    }
    const { ids } = resolved;
    if (ids.profileLocation !== 'hosted') {
      const source = ids.profileLocation ?? 'a source ListConfigurationProfiles did not name';
      return viabilityOf([
        {
          unchecked: [
            `${which} is stored outside AppConfig (${source}), where the watchdog does not check it`,
          ],
        },
      ]);
    }
    const n = Number(version);
    if (!/^[1-9]\d*$/.test(version) || !Number.isSafeInteger(n)) {
      return viabilityOf([
        { unchecked: [`${which} is not a hosted configuration version number: it was not checked`] },
      ]);
    }
    const call = `GetHostedConfigurationVersion of ${which}`;
    try {
      // Only the answer's arrival matters: its Content is never kept.
      await this.client.send(
        new GetHostedConfigurationVersionCommand({
          ApplicationId: ids.applicationId,
          ConfigurationProfileId: ids.profileId,
          VersionNumber: n,
        }),
      );
      return viabilityOf([]);
    } catch (err) {
      switch (appConfigErrorClass(err)) {
        case 'retryable':
          throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
        case 'terminal':
        case 'bad-request':
          return summarizeError(err).name === 'ResourceNotFoundException'
            ? viabilityOf([
                {
                  missing: [
                    `${which} is not in the hosted configuration store (deleted): AppConfig can no longer deploy it`,
                  ],
                },
              ])
            : viabilityOf([
                {
                  unchecked: [
                    `${which} could not be checked: ${call} was refused (${describeError(err)})${deniedHint(err)}`,
                  ],
                },
              ]);
        case 'conflict':
        case 'unknown':
          throw err;
      }
    }
  }

  /** Whether `target` is the resource an event names by ids: the target's names are resolved first. */
  async owns(target: RuntimeAppConfigTarget, identity: Readonly<Record<string, string>>): Promise<boolean> {
    const resolved = await this.resolver.resolve(target);
    if (resolved.kind === 'invalid') return false;
    const { ids } = resolved;
    return (
      identity['application'] === ids.applicationId &&
      identity['environment'] === ids.environmentId &&
      identity['configurationProfile'] === ids.profileId
    );
  }

  private async start(
    t: RuntimeAppConfigTarget,
    ids: AppConfigIds,
    version: string,
    decisionId: string | undefined,
  ): Promise<ActionResult> {
    if (this.strategyId === undefined || this.strategyId === '') {
      throw new TargetInvalidError(
        `${STRATEGY_ID_ENV} is not set, so the watchdog has no deployment strategy to deploy configuration version ${version} of ${describeAppConfig(t)} with: the watchdog's stack creates its zero-bake strategy and sets the variable on every function; deploy the stack again`,
      );
    }
    try {
      const out = await this.client.send(
        new StartDeploymentCommand({
          ApplicationId: ids.applicationId,
          EnvironmentId: ids.environmentId,
          DeploymentStrategyId: this.strategyId,
          ConfigurationProfileId: ids.profileId,
          ConfigurationVersion: version,
          Description: rollbackDescription(version, decisionId),
        }),
      );
      return {
        status: 'issued',
        ...(out.DeploymentNumber !== undefined
          ? { deploymentRef: deploymentIdOf(out.DeploymentNumber) }
          : {}),
      };
    } catch (err) {
      switch (appConfigErrorClass(err)) {
        case 'conflict':
          if (answeredARetry(err))
            throw ambiguous(err, `StartDeployment of configuration version ${version}`, t);
          return {
            status: 'busy',
            detail: `another deployment to environment ${t.environment} of application ${t.application} is under way, and AppConfig deploys one configuration at a time to an environment (${describeError(err)})`,
          };
        case 'bad-request':
          throw new TargetInvalidError(
            `AppConfig refused to deploy configuration version ${version} of ${describeAppConfig(t)}: ${describeError(err)}`,
            { cause: err },
          );
        case 'retryable':
        case 'terminal':
        case 'unknown':
          throw this.actionError(
            err,
            `StartDeployment of configuration version ${version} (${describeAppConfig(t)})`,
            t,
          );
      }
    }
  }

  private revertable(newest: Summary): boolean {
    if (this.now === undefined) return true;
    return newest.completedAt !== undefined && this.now() - newest.completedAt < REVERT_WINDOW_MS;
  }

  private async stillActive(t: RuntimeAppConfigTarget, ids: AppConfigIds, n: number): Promise<boolean> {
    try {
      const out = await this.client.send(
        new GetDeploymentCommand({
          ApplicationId: ids.applicationId,
          EnvironmentId: ids.environmentId,
          DeploymentNumber: n,
        }),
      );
      return ACTIVE.includes(out.State ?? '');
    } catch (err) {
      throw this.actionError(err, `GetDeployment of deployment ${n} (${describeAppConfig(t)})`, t);
    }
  }

  private async idsOrThrow(t: RuntimeAppConfigTarget): Promise<AppConfigIds> {
    const resolved = await this.resolver.resolve(t);
    if (resolved.kind === 'invalid') throw new TargetInvalidError(resolved.why);
    return resolved.ids;
  }

  /**
   * The profile's deployments in the environment, newest first: the first page of ListDeployments, and at most
   * MAX_PAGES while no deployment of the profile (or none it could return to) has shown up. Throws what the
   * SDK threw.
   */
  private async deploymentsOf(t: RuntimeAppConfigTarget, ids: AppConfigIds): Promise<Summary[]> {
    const ours: Summary[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await this.client.send(
        new ListDeploymentsCommand({
          ApplicationId: ids.applicationId,
          EnvironmentId: ids.environmentId,
          MaxResults: PAGE_SIZE,
          NextToken: token,
        }),
      );
      ours.push(...(await this.ofProfile(t, ids, out.Items ?? [])));
      token = out.NextToken;
      if (!token || !needsMore(ours)) break;
    }
    return ours.sort((a, b) => b.n - a.n);
  }

  private async ofProfile(
    t: RuntimeAppConfigTarget,
    ids: AppConfigIds,
    items: readonly DeploymentSummary[],
  ): Promise<Summary[]> {
    const sure: DeploymentSummary[] = [];
    const ask: DeploymentSummary[] = [];
    for (const s of items) {
      if (s.ConfigurationProfileId !== undefined) {
        if (s.ConfigurationProfileId === ids.profileId) sure.push(s);
      } else if (s.ConfigurationName === ids.profileName) {
        (ids.profileNameShared ? ask : sure).push(s);
      }
    }
    if (ask.length > MAX_ASKED) {
      this.telemetry?.log('warn', 'Profiles share a name; telling apart only the newest deployments', {
        target: t.id,
        ignored: ask.slice(MAX_ASKED).map((s) => s.DeploymentNumber),
      });
    }
    const asked = await Promise.all(
      ask.slice(0, MAX_ASKED).map(async (s) => {
        const n = s.DeploymentNumber;
        if (n === undefined) return undefined;
        return (await this.detailsOf(ids, n)).profileId === ids.profileId ? s : undefined;
      }),
    );
    return [...sure, ...asked.filter((s): s is DeploymentSummary => s !== undefined)]
      .map((s) => this.toSummary(s, t))
      .filter((s): s is Summary => s !== undefined);
  }

  private toSummary(s: DeploymentSummary, t: RuntimeAppConfigTarget): Summary | undefined {
    const { DeploymentNumber: n, ConfigurationVersion: version, StartedAt: started } = s;
    if (n === undefined || version === undefined || started === undefined) {
      this.telemetry?.log(
        'warn',
        'AppConfig listed a deployment without number, version or start; left out',
        {
          target: t.id,
          deploymentNumber: n,
        },
      );
      return undefined;
    }
    return {
      n,
      version,
      state: s.State,
      startedAt: started.getTime(),
      ...(s.CompletedAt !== undefined ? { completedAt: s.CompletedAt.getTime() } : {}),
      zeroBake:
        s.DeploymentDurationInMinutes === 0 && s.FinalBakeTimeInMinutes === 0 && s.GrowthFactor === 100,
    };
  }

  /** The decision recorded on the newest deployment, read only when it could be the watchdog's own. */
  private async initiatedBy(
    t: RuntimeAppConfigTarget,
    ids: AppConfigIds,
    newest: Summary,
  ): Promise<{ initiatedBy?: string }> {
    if (!newest.zeroBake) return {};
    try {
      return initiatedByOf((await this.detailsOf(ids, newest.n)).description);
    } catch (err) {
      // Only adds detail: refused → without it (logged); transient → fail, so that Lambda retries.
      if (appConfigErrorClass(err) === 'retryable') {
        throw new RetryableError(
          `GetDeployment of deployment ${newest.n} (${describeAppConfig(t)}) failed: ${describeError(err)}`,
          { cause: err },
        );
      }
      this.telemetry?.log('warn', 'Could not read the deployment description; inspecting without it', {
        target: t.id,
        deploymentNumber: newest.n,
        error: summarizeError(err),
      });
      return {};
    }
  }

  private async detailsOf(ids: AppConfigIds, n: number): Promise<Details> {
    const key = `${ids.applicationId}/${ids.environmentId}#${n}`;
    const cached = this.details.get(key);
    if (cached) return cached;
    const out = await this.client.send(
      new GetDeploymentCommand({
        ApplicationId: ids.applicationId,
        EnvironmentId: ids.environmentId,
        DeploymentNumber: n,
      }),
    );
    const details: Details = {
      ...(out.ConfigurationProfileId !== undefined ? { profileId: out.ConfigurationProfileId } : {}),
      ...(out.Description !== undefined ? { description: out.Description } : {}),
    };
    this.details.set(key, details);
    return details;
  }

  /** Terminal read failures make the target invalid (and forget its ids); transient ones throw. */
  private invalidOrThrow(err: unknown, call: string, t: RuntimeAppConfigTarget): LiveTarget {
    switch (appConfigErrorClass(err)) {
      case 'terminal':
      case 'bad-request':
        this.resolver.forget(t);
        return { kind: 'invalid', why: `${call} failed: ${describeError(err)}${deniedHint(err)}` };
      case 'retryable':
        throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
      case 'conflict':
      case 'unknown':
        throw err;
    }
  }

  private actionError(err: unknown, call: string, t: RuntimeAppConfigTarget): unknown {
    switch (appConfigErrorClass(err)) {
      case 'terminal':
      case 'bad-request':
        this.resolver.forget(t);
        return new TargetInvalidError(`${call} was refused: ${describeError(err)}${deniedHint(err)}`, {
          cause: err,
        });
      case 'retryable':
        return new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
      case 'conflict':
      case 'unknown':
        return err;
    }
  }
}

/** More pages are worth reading while nothing of the profile, or nothing to return to, has been seen. */
function needsMore(ours: readonly Summary[]): boolean {
  const [newest, ...older] = [...ours].sort((a, b) => b.n - a.n);
  return newest === undefined || (newest.state !== COMPLETE && !older.some((s) => s.state === COMPLETE));
}

/** A deployment of the profile as the ledger sees it; rolled back and reverted ones did not last. */
function face(s: Summary): LiveDeployment {
  const state: LiveDeploymentState =
    s.state === COMPLETE
      ? 'completed'
      : s.state === ROLLING_BACK || ROLLED_BACK.includes(s.state ?? '')
        ? 'failed'
        : 'in-progress';
  return {
    id: deploymentIdOf(s.n),
    version: s.version,
    state,
    startedAt: s.startedAt,
    ...(state === 'completed' && s.completedAt !== undefined ? { completedAt: s.completedAt } : {}),
  };
}

function deniedHint(err: unknown): string {
  return summarizeError(err).name === 'AccessDeniedException'
    ? ': the watchdog may not read or change this environment; deploy the watchdog stack with this target in its config so that its grants cover it'
    : '';
}

/**
 * Neither `already-finished` nor `busy` would be true for certain: the refused request was the SDK's retry of
 * one that may have gone through. Reported as unknown, so that the use case reads the target again.
 */
function ambiguous(err: unknown, call: string, t: RuntimeAppConfigTarget): RetryableError {
  return new RetryableError(
    `${call} (${describeAppConfig(t)}) was refused on a retry of a request that may already have taken effect: ${describeError(err)}`,
    { cause: err },
  );
}

const DESCRIPTION_PREFIX = 'Rollback Watchdog decision';
const INITIATED_BY = new RegExp(
  `^${DESCRIPTION_PREFIX} ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):`,
);

/**
 * The description of the watchdog's own deployment: for people in the AppConfig console, and for the watchdog,
 * which reads the decision id back (`initiatedBy`) to recognise its deployment after an answer was lost.
 */
export function rollbackDescription(version: string, decisionId: string | undefined): string {
  const by = decisionId === undefined ? 'Rollback Watchdog' : `${DESCRIPTION_PREFIX} ${decisionId}`;
  const text = `${by}: roll back to configuration version ${version}`;
  return text.length <= MAX_DESCRIPTION_LENGTH ? text : `${text.slice(0, MAX_DESCRIPTION_LENGTH - 1)}…`;
}

function initiatedByOf(description: string | undefined): { initiatedBy?: string } {
  const id = description === undefined ? undefined : INITIATED_BY.exec(description)?.[1];
  return id === undefined ? {} : { initiatedBy: id };
}

/** The runtime routes targets to deployers by type; a mismatch is a wiring bug, not a target problem. */
function appConfigTarget(target: RuntimeTarget): RuntimeAppConfigTarget {
  if (target.type !== 'appconfig') {
    throw new TypeError(`AppConfigDeployer cannot handle ${target.type} target ${target.id}`);
  }
  return target;
}
