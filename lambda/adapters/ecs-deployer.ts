import {
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Deployment,
  type DeploymentConfiguration,
  type DescribeServiceRevisionsCommandOutput,
  type DescribeServicesCommandOutput,
  type ECSClient,
  type ListServiceDeploymentsCommandOutput,
  type Service,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
  type ServiceRevision,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { ECRClient } from '@aws-sdk/client-ecr';
import {
  ECS_CANARY_DEFAULTS,
  ECS_LINEAR_DEFAULTS,
  type RuntimeEcsTarget,
  type RuntimeTarget,
} from '../contract';
import type {
  FastTrack,
  LiveDeployment,
  LiveDeploymentState,
  LiveTarget,
  RedeployPlan,
  Viability,
} from '../domain';
import { RetryableError, TargetInvalidError } from '../use-cases/errors';
import type {
  ActionResult,
  Deployer,
  RetentionRisk,
  SettingsRestoreOutcome,
  Telemetry,
  VersionFacts,
} from '../use-cases/ports';
import { schemaFactsOf } from './schema-tags';
import { actionError, answeredARetry, classifyAwsError, describeError, summarizeError } from './aws-errors';
import { decodePlan, EcrImages, encodePlan, planImages, type ImagePlan } from './ecr-images';
import { viabilityOf, type ViabilityFindings } from './viability-findings';

/** Service deployments that `StopServiceDeployment(ROLLBACK)` turns into a rollback. */
const STOPPABLE: readonly ServiceDeploymentStatus[] = ['IN_PROGRESS', 'PENDING'];
/** Service deployments that ECS is already rolling back (our stop, the circuit breaker or an alarm rollback). */
const ROLLING_BACK: readonly ServiceDeploymentStatus[] = ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'];
/**
 * The circuit breaker and the CloudWatch-alarm rollback start a new PRIMARY deployment of the last completed
 * revision whose rolloutStateReason reads "...: rolling back to deploymentId ecs-svc/...".
 */
const ROLLING_BACK_REASON = /\brolling back\b/i;

/**
 * How long describeChange waits for the image digests, from its start. The Reporter gives describeChange 2 s
 * in all; the digests give way first, so that a slow or throttled ECS still leaves the tag lines in the message.
 */
export const DIGEST_LOOKUP_TIMEOUT_MS = 1_500;
/**
 * DescribeServiceRevisions takes at most 20 ARNs. describeChange describes the 20 newest revisions in one call
 * rather than batching more: the two versions it asks about are the one running and the known-good one before
 * it, both among the newest deployments, and the notification path stays at two round trips and one call each.
 */
export const MAX_DESCRIBED_REVISIONS = 20;
/** ListServiceDeployments' largest page. Its order is not documented, so the newest are picked from it. */
const DEPLOYMENT_PAGE_SIZE = 100;
/** An image pinned by digest (`repo@sha256:…`) names what runs; ECS resolves nothing for it. */
const PINNED_DIGEST = /@([A-Za-z0-9_+.-]+:[0-9A-Fa-f]{32,})$/;
/** Digests are shown as `sha256:` and their first 12 hex digits, as `docker images` shows image ids. */
const SHORT_DIGEST_HEX = 12;

export interface EcsDeployerOptions {
  readonly client: ECSClient;
  /**
   * Receives a warning when inspect has to run without ListServiceDeployments, and info when describeChange
   * has to do without the task definitions or the image digests.
   */
  readonly telemetry?: Pick<Telemetry, 'log'>;
  /** @default DIGEST_LOOKUP_TIMEOUT_MS */
  readonly digestLookupTimeoutMs?: number;
  /**
   * The ECR client the viability preflight and the retention guard read images with, built on first use.
   * @default - none: images are reported unchecked and no retention is read
   */
  readonly ecr?: () => ECRClient;
  /** The clock the retention guard judges lifecycle rules by. @default Date.now */
  readonly now?: () => number;
}

/**
 * Reads and rolls back ECS services that use the `ECS` deployment controller, with any of its strategies
 * (ROLLING, BLUE_GREEN, LINEAR, CANARY): stops an in-progress service deployment with ECS's own rollback, or
 * redeploys a known-good task definition.
 */
export class EcsDeployer implements Deployer {
  private readonly client: ECSClient;
  private readonly telemetry: Pick<Telemetry, 'log'> | undefined;
  private readonly digestLookupTimeoutMs: number;
  private readonly images: EcrImages | undefined;
  private readonly now: () => number;

  constructor(options: EcsDeployerOptions) {
    this.client = options.client;
    this.telemetry = options.telemetry;
    this.digestLookupTimeoutMs = options.digestLookupTimeoutMs ?? DIGEST_LOOKUP_TIMEOUT_MS;
    this.images = options.ecr ? new EcrImages(options.ecr) : undefined;
    this.now = options.now ?? Date.now;
  }

  /**
   * One round trip: DescribeServices and ListServiceDeployments run concurrently, since this read sits on the
   * path from alarm to rollback. Only service deployments that are stoppable or rolling back are listed: a
   * service has one or two of those at a time, far inside the first page (20), so no pagination.
   */
  async inspect(target: RuntimeTarget): Promise<LiveTarget> {
    const { cluster, service } = ecsTarget(target);
    const [described, listed] = await Promise.allSettled([
      this.client.send(new DescribeServicesCommand({ cluster, services: [service] })),
      this.client.send(
        new ListServiceDeploymentsCommand({ cluster, service, status: [...STOPPABLE, ...ROLLING_BACK] }),
      ),
    ]);
    if (described.status === 'rejected') {
      return invalidOrThrow(described.reason, `DescribeServices of ${describeTarget(target)}`);
    }
    const problem = serviceProblem(described.value, target);
    if (problem) return { kind: 'invalid', why: problem };
    const svc = described.value.services?.[0];
    const taskDefinition = svc?.taskDefinition;
    if (!svc || !taskDefinition) {
      return { kind: 'invalid', why: `${describeTarget(target)} reports no task definition` };
    }

    const serviceDeployments = this.serviceDeployments(listed, target);
    const deployments = svc.deployments ?? [];
    const primary = deployments.find((d) => d.status === 'PRIMARY');
    const others = deployments.filter((d) => d !== primary).sort(newestFirst);
    const stopRef = newest(serviceDeployments.filter((d) => isIn(d.status, STOPPABLE)))?.serviceDeploymentArn;
    const latest = primary && stillShifting(toLiveDeployment(primary, deployments.length), svc, stopRef);
    const restores = others.find((d) => d.status === 'ACTIVE')?.taskDefinition;
    const nativeRollback =
      serviceDeployments.some((d) => isIn(d.status, ROLLING_BACK)) ||
      (primary?.rolloutState === 'IN_PROGRESS' && ROLLING_BACK_REASON.test(primary.rolloutStateReason ?? ''));
    const redeployPlan = redeployPlanOf(svc.deploymentConfiguration);

    return {
      kind: 'ok',
      currentVersion: toVersion(taskDefinition),
      ...(latest !== undefined && {
        latest: {
          ...latest,
          ...(stopRef !== undefined ? { stopRef } : {}),
          ...(restores !== undefined ? { stopRestores: toVersion(restores) } : {}),
        },
      }),
      previous: others.map((d) => toLiveDeployment(d, deployments.length)).filter(isDefined),
      nativeRollback,
      ...(redeployPlan !== undefined ? { redeployPlan } : {}),
    };
  }

  /** `StopServiceDeployment(ROLLBACK)`: ECS rolls the service back to the revision the deployment replaced. */
  async stop(target: RuntimeTarget, deploymentRef: string): Promise<ActionResult> {
    try {
      const out = await this.client.send(
        new StopServiceDeploymentCommand({ serviceDeploymentArn: deploymentRef, stopType: 'ROLLBACK' }),
      );
      return { status: 'issued', deploymentRef: out.serviceDeploymentArn ?? deploymentRef };
    } catch (err) {
      if (classifyAwsError(err) === 'conflict') {
        if (answeredARetry(err)) {
          // The first attempt may have been our own stop taking effect: not someone else's rollback.
          throw new RetryableError(
            `StopServiceDeployment of ${deploymentRef} (${describeTarget(target)}) was refused on a retry of a request that may already have taken effect: ${describeError(err)}`,
            { cause: err },
          );
        }
        return {
          status: 'already-finished',
          detail: `${deploymentRef} had already finished or was already stopping (${describeError(err)})`,
        };
      }
      throw actionError(err, `StopServiceDeployment of ${deploymentRef} (${describeTarget(target)})`);
    }
  }

  /**
   * `UpdateService(taskDefinition = version)`; the new PRIMARY deployment's id is the reference. Fast-tracked,
   * a configuration-only `UpdateService` first sets the service to BLUE_GREEN with no bake (no pause hooks):
   * ECS documents that changing only `deploymentConfiguration` starts no deployment and that the next update
   * runs under it, whereas which configuration a single call changing both would use is not documented. The
   * two calls are idempotent, so a retry after a crash between them repeats both.
   */
  async redeploy(
    target: RuntimeTarget,
    version: string,
    _artifact?: string,
    _decisionId?: string,
    fastTrack?: FastTrack,
  ): Promise<ActionResult> {
    const { cluster, service } = ecsTarget(target);
    if (fastTrack) {
      const settings = fastTrackSettings(parseSettings(fastTrack.restore, target));
      try {
        await this.client.send(
          new UpdateServiceCommand({ cluster, service, deploymentConfiguration: settings }),
        );
      } catch (err) {
        throw actionError(err, `UpdateService of ${describeTarget(target)} to the fast-track settings`);
      }
    }
    try {
      const out = await this.client.send(
        new UpdateServiceCommand({ cluster, service, taskDefinition: version }),
      );
      const primaryId = out.service?.deployments?.find((d) => d.status === 'PRIMARY')?.id;
      return { status: 'issued', ...(primaryId !== undefined ? { deploymentRef: primaryId } : {}) };
    } catch (err) {
      throw actionError(err, `UpdateService of ${describeTarget(target)} to ${version}`);
    }
  }

  /**
   * Puts the service's own deployment configuration back after a fast-tracked rollback: a configuration-only
   * `UpdateService`, which starts no deployment. Only while the service still has the fast-track settings the
   * watchdog gave it: a configuration someone changed since (a pipeline that deployed with its own) is theirs.
   */
  async restoreSettings(target: RuntimeTarget, restore: string): Promise<SettingsRestoreOutcome> {
    const { cluster, service } = ecsTarget(target);
    const own = parseSettings(restore, target);
    let current: DeploymentConfiguration | undefined;
    try {
      const out = await this.client.send(new DescribeServicesCommand({ cluster, services: [service] }));
      const problem = serviceProblem(out, target);
      if (problem) throw new TargetInvalidError(problem);
      current = out.services?.[0]?.deploymentConfiguration;
    } catch (err) {
      if (err instanceof TargetInvalidError) throw err;
      throw actionError(err, `DescribeServices of ${describeTarget(target)}`);
    }
    if (sameSettings(current, own)) {
      return { status: 'already-restored', detail: `${describeTarget(target)} runs ${settingsText(own)}` };
    }
    if (!sameSettings(current, fastTrackSettings(own))) {
      return {
        status: 'changed',
        detail: `${describeTarget(target)} was changed to ${settingsText(current)} since the fast-tracked rollback; its ${settingsText(own)} was left unrestored`,
      };
    }
    try {
      await this.client.send(new UpdateServiceCommand({ cluster, service, deploymentConfiguration: own }));
    } catch (err) {
      throw actionError(
        err,
        `UpdateService of ${describeTarget(target)} back to its deployment configuration`,
      );
    }
    return { status: 'restored', detail: `${describeTarget(target)} is back to ${settingsText(own)}` };
  }

  /**
   * The container images that differ between two task definitions, one line per container, each image with
   * the digest ECS resolved it to when known
   * (`web: 111.dkr.ecr…/web:1.5.0 (sha256:4f1c2a9e0b7d) → 111.dkr.ecr…/web:1.4.2 (sha256:9ab03c11de42)`): tags
   * are mutable, so the digest says what actually ran and what the rollback brings back. A container whose tag
   * is the same on both sides but whose digest differs (a re-pushed tag) gets a line too.
   *
   * Round trips: the two DescribeTaskDefinition reads and ListServiceDeployments run concurrently; then, unless
   * every image is pinned by digest, one DescribeServiceRevisions of the newest revisions (ECS records the
   * digests it resolved on the service revision, matched here by task definition). For notifications only, so
   * it never throws: a failed task definition read (including a missing `ecs:DescribeTaskDefinition`) gives no
   * lines, and the message names the versions alone; a failed, denied, unsupported or slow digest lookup gives
   * the lines without digests. Either logs once, at info.
   */
  async describeChange(target: RuntimeTarget, from: string, to: string): Promise<string[]> {
    const lookup = new AbortController();
    const timer = setTimeout(() => lookup.abort(), this.digestLookupTimeoutMs);
    try {
      const revisions = this.revisionArns(target, lookup.signal);
      const [before, after] = await Promise.allSettled([this.containers(from), this.containers(to)]);
      if (before.status !== 'fulfilled' || after.status !== 'fulfilled') {
        const failure = [before, after].find((r): r is PromiseRejectedResult => r.status === 'rejected');
        this.telemetry?.log('info', 'DescribeTaskDefinition failed; notifying without the image change', {
          from,
          to,
          error: summarizeError(failure?.reason),
        });
        return [];
      }
      const digests = [...before.value, ...after.value].some(isResolvedByEcs)
        ? await this.resolvedDigests(revisions, from, to, lookup.signal)
        : NO_DIGESTS;
      return imageChanges(before.value, after.value, digests);
    } finally {
      clearTimeout(timer);
      // Nothing is left to wait for: end any lookup still in flight.
      lookup.abort();
    }
  }

  /** The schema tags of a task definition: `DescribeTaskDefinition` with `include: ['TAGS']`. */
  async versionFacts(target: RuntimeTarget, version: string): Promise<VersionFacts> {
    ecsTarget(target);
    try {
      const out = await this.client.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: version, include: ['TAGS'] }),
      );
      return schemaFactsOf(out.tags ?? []);
    } catch (err) {
      throw actionError(err, `DescribeTaskDefinition of ${version} (${describeTarget(target)})`);
    }
  }

  /**
   * Whether task definition `version` can be deployed again (docs/decisions.md, "Before it acts"): it is still
   * ACTIVE (ECS refuses to update a service to an INACTIVE one, or to one being deleted), and every container
   * image it names is still in ECR, looked up by the digest the image names or ECS resolved it to (the
   * service's revision of that task definition), else by tag. The first check reads the task definition, then
   * the digests, then the images; it returns the images it looked up as `recheck`, with which a re-check reads
   * the task definition and every image at once (one round trip, beside the alarm path's live read).
   */
  async viability(
    target: RuntimeTarget,
    version: string,
    known: { readonly artifact?: string; readonly recheck?: string },
  ): Promise<Omit<Viability, 'checkedAt'>> {
    ecsTarget(target);
    const stored = decodePlan(known.recheck);
    if (stored?.complete) {
      const [definition, ...images] = await Promise.all([
        this.definitionStatus(version),
        ...this.imageChecks(stored),
      ]);
      return { ...viabilityOf([definition.findings, ...images]), recheck: known.recheck! };
    }
    // Started now: ECS's resolved digests are only wanted if the task definition names an image by tag.
    const lookup = new AbortController();
    const revisions = this.revisionArns(target, lookup.signal);
    try {
      const definition = await this.definitionStatus(version);
      if (!definition.taskDefinition) return viabilityOf([definition.findings]);
      const containers = definition.taskDefinition.containerDefinitions ?? [];
      let digests: Digests = new Map();
      let digestsKnown = true;
      if (containers.some(isResolvedByEcs)) {
        const described = await this.describeRevisions(revisions, lookup.signal);
        if (described.ok) {
          digests = digestsOf(described.value?.serviceRevisions ?? [], version);
        } else {
          digestsKnown = false;
          this.telemetry?.log('info', `${described.call} failed; checking images by tag`, {
            version,
            error: summarizeError(described.error),
          });
        }
      }
      const plan = planImages(containers, digests, await this.client.config.region(), digestsKnown);
      const images = await Promise.all(this.imageChecks(plan));
      return { ...viabilityOf([definition.findings, ...images]), recheck: encodePlan(plan) };
    } finally {
      lookup.abort();
    }
  }

  /**
   * The retention guard (docs/decisions.md, "Before it acts"): which versions' images are gone or due to be
   * expired by their repository's ECR lifecycle policy. Only versions whose images a viability check has
   * planned (their `recheck`) are judged; the others are judged after their first check.
   */
  async retentionRisks(
    target: RuntimeTarget,
    versions: readonly { readonly version: string; readonly recheck?: string }[],
  ): Promise<RetentionRisk[]> {
    ecsTarget(target);
    if (!this.images) return [];
    const planned = versions.flatMap(({ version, recheck }) => {
      const plan = decodePlan(recheck);
      return plan && plan.images.length > 0 ? [{ version, plan }] : [];
    });
    if (planned.length === 0) return [];
    return this.images.risks(planned, this.now(), (repository, error) =>
      this.telemetry?.log('warn', 'could not judge the lifecycle policy of an ECR repository', {
        target: target.id,
        repository,
        error: summarizeError(error),
      }),
    );
  }

  /** DescribeTaskDefinition of `version`: whether ECS would still deploy it, and its containers. */
  private async definitionStatus(
    version: string,
  ): Promise<{ readonly findings: ViabilityFindings; readonly taskDefinition?: TaskDefinition }> {
    let taskDefinition: TaskDefinition | undefined;
    try {
      const out = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition: version }));
      taskDefinition = out.taskDefinition;
    } catch (err) {
      const { name, message } = summarizeError(err);
      // ECS answers a deleted (or never registered) revision with a ClientException.
      if (name === 'ClientException' && /unable to describe|not found|does not exist/i.test(message ?? '')) {
        return { findings: { missing: [`task definition ${version} no longer exists (${message})`] } };
      }
      switch (classifyAwsError(err)) {
        case 'retryable':
          throw new RetryableError(`DescribeTaskDefinition of ${version} failed: ${describeError(err)}`, {
            cause: err,
          });
        case 'terminal':
          return {
            findings: {
              unchecked: [
                `task definition ${version} could not be checked: DescribeTaskDefinition was refused (${describeError(err)})`,
              ],
            },
          };
        case 'conflict':
        case 'unknown':
          throw err;
      }
    }
    if (!taskDefinition) {
      return { findings: { missing: [`task definition ${version} no longer exists`] } };
    }
    const status = taskDefinition.status;
    if (status === 'INACTIVE' || status === 'DELETE_IN_PROGRESS') {
      return {
        findings: {
          missing: [
            `task definition ${version} is ${status === 'INACTIVE' ? 'INACTIVE (deregistered)' : 'being deleted'}: ECS refuses to update a service to it; register it again as a new revision`,
          ],
        },
        taskDefinition,
      };
    }
    return { findings: {}, taskDefinition };
  }

  /** The image lookups of a plan, and what it could not check; without an ECR client, nothing is looked up. */
  private imageChecks(plan: ImagePlan): Promise<ViabilityFindings>[] {
    const skipped: ViabilityFindings = { unchecked: [...plan.unchecked] };
    if (!this.images) {
      return [
        Promise.resolve({
          unchecked: [
            ...plan.unchecked,
            ...plan.images.map(
              (i) => `image ${i.image} was not checked: the watchdog has no ECR client here`,
            ),
          ],
        }),
      ];
    }
    return [Promise.resolve(skipped), this.images.present(plan.images).then(merged)];
  }

  private async containers(taskDefinition: string): Promise<readonly ContainerDefinition[]> {
    const out = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    return out.taskDefinition?.containerDefinitions ?? [];
  }

  /**
   * The revisions of the service's newest deployments, newest first. Each deployment's brief names its target
   * revision; the source revisions are in DescribeServiceDeployments only, a further round trip, and a source
   * is the target of an earlier deployment anyway (ECS makes no new revision for a rollback). Never rejects.
   */
  private async revisionArns(target: RuntimeTarget, signal: AbortSignal): Promise<Lookup<readonly string[]>> {
    try {
      const { cluster, service } = ecsTarget(target);
      const out = await this.client.send(
        new ListServiceDeploymentsCommand({ cluster, service, maxResults: DEPLOYMENT_PAGE_SIZE }),
        { abortSignal: signal },
      );
      return { ok: true, value: newestRevisionArns(out.serviceDeployments ?? []) };
    } catch (error) {
      return { ok: false, call: 'ListServiceDeployments', error };
    }
  }

  private async describeRevisions(
    listed: Promise<Lookup<readonly string[]>>,
    signal: AbortSignal,
  ): Promise<Lookup<DescribeServiceRevisionsCommandOutput | undefined>> {
    const arns = await listed;
    if (!arns.ok) return arns;
    if (arns.value.length === 0 || signal.aborted) return { ok: true, value: undefined };
    try {
      const out = await this.client.send(
        new DescribeServiceRevisionsCommand({ serviceRevisionArns: [...arns.value] }),
        { abortSignal: signal },
      );
      return { ok: true, value: out };
    } catch (error) {
      return { ok: false, call: 'DescribeServiceRevisions', error };
    }
  }

  /** What ECS resolved the containers of `from` and `to` to, or nothing (logged once) when it cannot say. */
  private async resolvedDigests(
    listed: Promise<Lookup<readonly string[]>>,
    from: string,
    to: string,
    signal: AbortSignal,
  ): Promise<ResolvedDigests> {
    const described = await Promise.race([this.describeRevisions(listed, signal), whenAborted(signal)]);
    if (described === TIMED_OUT) {
      this.telemetry?.log('info', 'image digest lookup timed out; notifying without image digests', {
        from,
        to,
        timeoutMs: this.digestLookupTimeoutMs,
      });
      return NO_DIGESTS;
    }
    if (!described.ok) {
      this.telemetry?.log('info', `${described.call} failed; notifying without image digests`, {
        from,
        to,
        error: summarizeError(described.error),
      });
      return NO_DIGESTS;
    }
    const failures = described.value?.failures ?? [];
    if (failures.length > 0) {
      // Revisions created before 25 October 2024 cannot be described; the others still give their digests.
      this.telemetry?.log('info', 'DescribeServiceRevisions could not describe some revisions', {
        from,
        to,
        failures: failures.map((f) => ({ arn: f.arn, reason: f.reason })),
      });
    }
    const revisions = described.value?.serviceRevisions ?? [];
    return { from: digestsOf(revisions, from), to: digestsOf(revisions, to) };
  }

  /**
   * ListServiceDeployments is newer than the rest of the ECS API and needs its own IAM action. When it is denied
   * or unsupported, inspect degrades instead of failing: without it there is no stop handle (the use case
   * redeploys the known-good version instead) and native rollbacks are recognised from the PRIMARY deployment's
   * rolloutStateReason alone. Transient failures still fail the inspect, so Lambda retries with the full picture.
   */
  private serviceDeployments(
    listed: PromiseSettledResult<ListServiceDeploymentsCommandOutput>,
    target: RuntimeTarget,
  ): readonly ServiceDeploymentBrief[] {
    if (listed.status === 'fulfilled') return listed.value.serviceDeployments ?? [];
    const err: unknown = listed.reason;
    switch (classifyAwsError(err)) {
      case 'retryable':
        throw new RetryableError(
          `ListServiceDeployments of ${describeTarget(target)} failed: ${describeError(err)}`,
          {
            cause: err,
          },
        );
      case 'terminal':
        this.telemetry?.log('warn', 'ListServiceDeployments failed; inspecting without service deployments', {
          target: target.id,
          error: summarizeError(err),
        });
        return [];
      case 'conflict':
      case 'unknown':
        throw err;
    }
  }
}

/** The findings of several reads as one. */
function merged(findings: readonly ViabilityFindings[]): ViabilityFindings {
  return {
    missing: findings.flatMap((f) => f.missing ?? []),
    unchecked: findings.flatMap((f) => f.unchecked ?? []),
  };
}

/** The outcome of a lookup that must not throw: its value, or the call that failed (named in the log). */
type Lookup<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly call: string; readonly error: unknown };

/** Container name → the digest ECS resolved its image to, for one task definition. */
type Digests = ReadonlyMap<string, string>;
interface ResolvedDigests {
  readonly from: Digests;
  readonly to: Digests;
}
const NO_DIGESTS: ResolvedDigests = { from: new Map(), to: new Map() };

const TIMED_OUT = Symbol('timed out');

/** Resolves once `signal` aborts (at once if it has), so a lookup can be raced against its deadline. */
function whenAborted(signal: AbortSignal): Promise<typeof TIMED_OUT> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(TIMED_OUT);
    else signal.addEventListener('abort', () => resolve(TIMED_OUT), { once: true });
  });
}

/** Distinct target revisions of the briefs, newest deployment first, as many as one describe call takes. */
function newestRevisionArns(briefs: readonly ServiceDeploymentBrief[]): string[] {
  const arns = new Set<string>();
  for (const brief of [...briefs].sort((a, b) => briefTime(b) - briefTime(a))) {
    if (brief.targetServiceRevisionArn) arns.add(brief.targetServiceRevisionArn);
  }
  return [...arns].slice(0, MAX_DESCRIBED_REVISIONS);
}

/**
 * The digests of the newest revision of `version`. A task definition deployed again (a redeploy of the
 * known-good one among them) has a revision per deployment, and ECS resolves its tags anew each time: the
 * newest is what runs now, or what the rollback brings back.
 */
function digestsOf(revisions: readonly ServiceRevision[], version: string): Digests {
  const wanted = toVersion(version);
  const time = (r: ServiceRevision) => r.createdAt?.getTime() ?? 0;
  const newestOfVersion = revisions
    .filter((r) => r.taskDefinition !== undefined && toVersion(r.taskDefinition) === wanted)
    .reduce<ServiceRevision | undefined>((best, r) => (!best || time(r) > time(best) ? r : best), undefined);
  const digests = new Map<string, string>();
  for (const image of newestOfVersion?.containerImages ?? []) {
    if (image.containerName && image.imageDigest) digests.set(image.containerName, image.imageDigest);
  }
  return digests;
}

interface Image {
  readonly image: string;
  readonly digest: string | undefined;
  /** The image names its digest itself, so the line shows nothing more. */
  readonly pinned: boolean;
}

function imagesOf(containers: readonly ContainerDefinition[], resolved: Digests): Map<string, Image> {
  return new Map(
    containers.map((c) => {
      const name = c.name ?? '';
      const image = c.image ?? '';
      const pinned = pinnedDigest(image);
      return [name, { image, digest: pinned ?? resolved.get(name), pinned: pinned !== undefined }];
    }),
  );
}

/** An image named by tag, which ECS resolves to a digest at deployment; not one pinned by digest. */
function isResolvedByEcs(container: ContainerDefinition): boolean {
  return pinnedDigest(container.image ?? '') === undefined;
}

function pinnedDigest(image: string): string | undefined {
  return PINNED_DIGEST.exec(image)?.[1];
}

/** `sha256:4f1c2a9e0b7d`: the algorithm and the first 12 hex digits. */
function shortDigest(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest.slice(0, SHORT_DIGEST_HEX) : digest.slice(0, colon + 1 + SHORT_DIGEST_HEX);
}

function show({ image, digest, pinned }: Image): string {
  return digest === undefined || pinned ? image : `${image} (${shortDigest(digest)})`;
}

/**
 * Lines for containers whose image changed, was added or was removed, in the order of `to`, then removed
 * ones; and for a tag that stayed but now names another image (re-pushed), when both digests are known.
 */
function imageChanges(
  from: readonly ContainerDefinition[],
  to: readonly ContainerDefinition[],
  digests: ResolvedDigests,
): string[] {
  const before = imagesOf(from, digests.from);
  const after = imagesOf(to, digests.to);
  const lines: string[] = [];
  for (const [name, image] of after) {
    const previous = before.get(name);
    if (previous === undefined) lines.push(`${name}: added ${show(image)}`);
    else if (previous.image !== image.image) lines.push(`${name}: ${show(previous)} → ${show(image)}`);
    else if (
      previous.digest !== undefined &&
      image.digest !== undefined &&
      previous.digest !== image.digest
    ) {
      lines.push(`${name}: ${show(previous)} → same tag, re-pushed (${shortDigest(image.digest)})`);
    }
  }
  for (const [name, image] of before) {
    if (!after.has(name)) lines.push(`${name}: removed (was ${show(image)})`);
  }
  return lines;
}

function describeTarget(target: RuntimeTarget): string {
  const { cluster, service } = ecsTarget(target);
  return `service ${service} in cluster ${cluster}`;
}

/** The runtime routes targets to deployers by type; a mismatch is a wiring bug, not a target problem. */
function ecsTarget(target: RuntimeTarget): RuntimeEcsTarget {
  if (target.type !== 'ecs-service')
    throw new TypeError(`EcsDeployer cannot handle ${target.type} target ${target.id}`);
  return target;
}

/** Terminal read failures describe the target as invalid; transient ones throw for Lambda to retry. */
function invalidOrThrow(err: unknown, call: string): LiveTarget {
  switch (classifyAwsError(err)) {
    case 'terminal':
      return { kind: 'invalid', why: `${call} failed: ${describeError(err)}` };
    case 'retryable':
      throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
    case 'conflict':
    case 'unknown':
      throw err;
  }
}

/** Why the service cannot be rolled back by this deployer, if it cannot. */
function serviceProblem(out: DescribeServicesCommandOutput, target: RuntimeTarget): string | undefined {
  const failure = out.failures?.[0];
  if (failure) {
    return failure.reason === 'MISSING'
      ? `${describeTarget(target)} does not exist`
      : `DescribeServices reported ${failure.reason ?? 'a failure'}${failure.detail ? ` (${failure.detail})` : ''} for ${describeTarget(target)}`;
  }
  const svc = out.services?.[0];
  if (!svc) return `DescribeServices returned nothing for ${describeTarget(target)}`;
  if (svc.status !== 'ACTIVE')
    return `${describeTarget(target)} is ${svc.status ?? 'in an unknown state'}, not ACTIVE`;
  switch (svc.deploymentController?.type) {
    case 'CODE_DEPLOY':
      return `${describeTarget(target)} uses the CODE_DEPLOY deployment controller: protect its CodeDeploy deployment group instead`;
    case 'EXTERNAL':
      return `${describeTarget(target)} uses the EXTERNAL deployment controller: its task sets are deployed outside ECS, which the watchdog cannot roll back`;
    case 'ECS':
    case undefined:
      return undefined;
  }
}

/** `arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:41` and `checkout:41` both give `checkout:41`. */
export function toVersion(taskDefinition: string): string {
  const slash = taskDefinition.lastIndexOf('/');
  return taskDefinition.startsWith('arn:') && slash >= 0 ? taskDefinition.slice(slash + 1) : taskDefinition;
}

function toLiveDeployment(d: Deployment, deploymentCount: number): LiveDeployment | undefined {
  if (!d.id || !d.taskDefinition || !d.createdAt) return undefined;
  const state = rolloutState(d, deploymentCount);
  return {
    id: d.id,
    version: toVersion(d.taskDefinition),
    state,
    startedAt: d.createdAt.getTime(),
    ...(state === 'completed' && d.updatedAt ? { completedAt: d.updatedAt.getTime() } : {}),
  };
}

/**
 * ECS reports no rolloutState for services behind a Classic Load Balancer. Such a deployment counts as completed
 * only when it is alone and at its desired count; otherwise it is still in progress, so it is never mistaken for a
 * proven version.
 */
function rolloutState(d: Deployment, deploymentCount: number): LiveDeploymentState {
  switch (d.rolloutState) {
    case 'COMPLETED':
      return 'completed';
    case 'FAILED':
      return 'failed';
    case 'IN_PROGRESS':
      return 'in-progress';
    case undefined:
      return deploymentCount === 1 && (d.runningCount ?? 0) >= (d.desiredCount ?? 0)
        ? 'completed'
        : 'in-progress';
  }
}

/**
 * What a new deployment of the service goes through, for a service whose strategy shifts traffic: the least
 * time its steps and bakes take (LINEAR: a step bake between steps, none after the one that reaches 100 %;
 * CANARY: the canary bake; then the deployment's bake; lifecycle hooks and scale-up come on top), and the
 * fast track past them when there is something to skip. ROLLING services have neither.
 */
export function redeployPlanOf(config: DeploymentConfiguration | undefined): RedeployPlan | undefined {
  const strategy = config?.strategy ?? 'ROLLING';
  if (!config || strategy === 'ROLLING') return undefined;
  const replays = { strategy, settings: settingsText(config), minutes: strategyMinutes(config) };
  const fast = fastTrackSettings(config);
  if (sameSettings(fast, config)) return { replays };
  return { replays, fastTrack: { settings: settingsText(fast), restore: JSON.stringify(config) } };
}

function strategyMinutes(config: DeploymentConfiguration): number {
  const bake = config.bakeTimeInMinutes ?? 0;
  switch (config.strategy) {
    case 'LINEAR': {
      const step = config.linearConfiguration?.stepPercent ?? ECS_LINEAR_DEFAULTS.stepPercent;
      const stepBake =
        config.linearConfiguration?.stepBakeTimeInMinutes ?? ECS_LINEAR_DEFAULTS.stepBakeMinutes;
      // Shares move in tenths of a percent: 3.3 % steps reach 100 % at the 31st step.
      const steps = Math.ceil(1000 / Math.round(step * 10));
      return (steps - 1) * stepBake + bake;
    }
    case 'CANARY':
      return (
        (config.canaryConfiguration?.canaryBakeTimeInMinutes ?? ECS_CANARY_DEFAULTS.canaryBakeMinutes) + bake
      );
    default:
      return bake;
  }
}

/**
 * The settings a fast-tracked rollback deploys under: all traffic at once (BLUE_GREEN), no bake, and no pause
 * hook, which would hold the rollback until someone continues it. Lambda hooks stay: they are the team's own
 * checks, and ECS runs its traffic-shift hooks even during its own rollback. Everything else is the service's.
 */
export function fastTrackSettings(config: DeploymentConfiguration): DeploymentConfiguration {
  const { linearConfiguration: _steps, canaryConfiguration: _canary, lifecycleHooks, ...rest } = config;
  const hooks = lifecycleHooks?.filter((h) => h.targetType !== 'PAUSE');
  return {
    ...rest,
    strategy: 'BLUE_GREEN',
    bakeTimeInMinutes: 0,
    ...(lifecycleHooks !== undefined ? { lifecycleHooks: hooks } : {}),
  };
}

/** Whether two configurations deploy the same way (strategy, steps, bakes and hooks). */
function sameSettings(
  a: DeploymentConfiguration | undefined,
  b: DeploymentConfiguration | undefined,
): boolean {
  return JSON.stringify(settingsKey(a)) === JSON.stringify(settingsKey(b));
}

function settingsKey(c: DeploymentConfiguration | undefined): unknown[] {
  const strategy = c?.strategy ?? 'ROLLING';
  return [
    strategy,
    c?.bakeTimeInMinutes ?? 0,
    strategy === 'LINEAR'
      ? [c?.linearConfiguration?.stepPercent, c?.linearConfiguration?.stepBakeTimeInMinutes]
      : [],
    strategy === 'CANARY'
      ? [c?.canaryConfiguration?.canaryPercent, c?.canaryConfiguration?.canaryBakeTimeInMinutes]
      : [],
    (c?.lifecycleHooks ?? []).map((h) => [h.targetType ?? 'AWS_LAMBDA', h.hookTargetArn, h.lifecycleStages]),
  ];
}

/** `LINEAR (10 % every 6 min, bake 30 min)`, `BLUE_GREEN with no bake`, for messages and logs. */
function settingsText(c: DeploymentConfiguration | undefined): string {
  const strategy = c?.strategy ?? 'ROLLING';
  const bake = c?.bakeTimeInMinutes ?? 0;
  const pauses = (c?.lifecycleHooks ?? []).filter((h) => h.targetType === 'PAUSE').length;
  const bakeText = bake === 0 ? 'no bake' : `bake ${bake} min`;
  const detail =
    strategy === 'LINEAR'
      ? `${c?.linearConfiguration?.stepPercent ?? ECS_LINEAR_DEFAULTS.stepPercent} % every ${c?.linearConfiguration?.stepBakeTimeInMinutes ?? ECS_LINEAR_DEFAULTS.stepBakeMinutes} min, ${bakeText}`
      : strategy === 'CANARY'
        ? `${c?.canaryConfiguration?.canaryPercent ?? ECS_CANARY_DEFAULTS.canaryPercent} % for ${c?.canaryConfiguration?.canaryBakeTimeInMinutes ?? ECS_CANARY_DEFAULTS.canaryBakeMinutes} min, ${bakeText}`
        : strategy === 'ROLLING'
          ? ''
          : bakeText;
  const hooks = pauses > 0 ? `, ${pauses} pause hook${pauses === 1 ? '' : 's'}` : '';
  if (strategy === 'BLUE_GREEN') return `BLUE_GREEN with ${detail}${hooks}`;
  return detail === '' ? `${strategy}${hooks}` : `${strategy} (${detail}${hooks})`;
}

/** The service's own configuration, as inspect serialised it into the fast track. */
function parseSettings(restore: string, target: RuntimeTarget): DeploymentConfiguration {
  try {
    const parsed: unknown = JSON.parse(restore);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed;
    }
  } catch {
    // Reported below, with the target.
  }
  throw new TargetInvalidError(
    `the deployment configuration recorded for ${describeTarget(target)} is not a JSON object; restore it by hand`,
  );
}

/**
 * ECS's traffic-shifting strategies (BLUE_GREEN, LINEAR, CANARY) keep the replaced revision running through
 * their bake time, and their service deployment stays IN_PROGRESS until the bake and clean-up are over
 * (`SERVICE_DEPLOYMENT_COMPLETED`), whatever the PRIMARY deployment's rolloutState says meanwhile. Until then
 * the release is in progress: not yet a candidate for known-good, and stopped with ECS's rollback (a traffic flip
 * back to the revision still running) rather than redeployed. ROLLING services keep the rolloutState reading.
 */
function stillShifting(
  latest: LiveDeployment | undefined,
  svc: Service,
  stopRef: string | undefined,
): LiveDeployment | undefined {
  const strategy = svc.deploymentConfiguration?.strategy ?? 'ROLLING';
  if (!latest || strategy === 'ROLLING' || stopRef === undefined || latest.state !== 'completed') {
    return latest;
  }
  const { completedAt: _notYet, ...rest } = latest;
  return { ...rest, state: 'in-progress' };
}

function newestFirst(a: Deployment, b: Deployment): number {
  return (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0);
}

function briefTime(d: ServiceDeploymentBrief): number {
  return (d.createdAt ?? d.startedAt)?.getTime() ?? 0;
}

function newest(list: readonly ServiceDeploymentBrief[]): ServiceDeploymentBrief | undefined {
  return list.reduce<ServiceDeploymentBrief | undefined>(
    (best, d) => (!best || briefTime(d) > briefTime(best) ? d : best),
    undefined,
  );
}

function isIn(status: ServiceDeploymentStatus | undefined, set: readonly ServiceDeploymentStatus[]): boolean {
  return status !== undefined && set.includes(status);
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
