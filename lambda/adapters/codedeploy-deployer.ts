import { createHash } from 'node:crypto';
import {
  BatchGetDeploymentsCommand,
  CreateDeploymentCommand,
  GetApplicationRevisionCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
  type CodeDeployClient,
  type DeploymentInfo,
  type DeploymentStatus,
  type RevisionLocation,
  type RevisionLocationType,
  type S3Location,
} from '@aws-sdk/client-codedeploy';
import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { CODEDEPLOY_CREATOR_PREFIX, type RuntimeCodeDeployTarget, type RuntimeTarget } from '../contract';
import type { LiveDeployment, LiveDeploymentState, LiveTarget, Viability } from '../domain';
import { schemaFactsOfDescription } from './schema-tags';
import { RetryableError, TargetInvalidError } from '../use-cases/errors';
import type { ActionResult, Deployer, Telemetry, VersionFacts } from '../use-cases/ports';
import { actionError, answeredARetry, classifyAwsError, describeError, summarizeError } from './aws-errors';
import { toVersion } from './ecs-deployer';
import { viabilityOf, type ViabilityFindings } from './viability-findings';

/** Deployments that are still running: StopDeployment applies to them, and CreateDeployment is refused. */
const ACTIVE: readonly DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

/** BatchGetDeployments accepts at most 25 deployment ids per call. */
const BATCH_GET_LIMIT = 25;

/** Deployments read to seed a group's ledger: enough to find the last few revisions that served. */
const HISTORY_LIMIT = 50;

/** CodeDeploy's own rollback deployments say so in `creator`. */
const ROLLBACK_CREATOR = 'codeDeployRollback';

const REVISION_TYPES: readonly RevisionLocationType[] = ['S3', 'GitHub', 'String', 'AppSpecContent'];

/**
 * The description is for humans reading the CodeDeploy console; the revision travels in `revision`. CodeDeploy
 * rejects over-long descriptions (DescriptionTooLongException) without documenting the limit, so a long S3 key
 * is shortened here rather than becoming the reason a rollback fails.
 */
const MAX_DESCRIPTION_LENGTH = 100;

export interface CodeDeployDeployerOptions {
  readonly client: CodeDeployClient;
  /** Receives warnings about deployments that inspect had to leave out. */
  readonly telemetry?: Pick<Telemetry, 'log'>;
  /** Waits between reads while a stopped deployment winds down. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * The S3 client the viability check reads an S3 revision's bundle with, created on first use: only S3
   * revisions need it. @default - none: the bundle is reported unchecked
   */
  readonly s3?: () => S3Client;
}

/** How long `replace` waits for a stopped deployment to stop counting as active: about 7 s in all. */
const REPLACE_BACKOFF_MS: readonly number[] = [500, 1_000, 2_000, 3_500];

/** A deployment as the deployer works with it: the platform's record and its mapping for the domain. */
interface Fetched {
  readonly info: DeploymentInfo;
  readonly live: LiveDeployment;
  readonly active: boolean;
}

/**
 * Reads and rolls back CodeDeploy deployment groups (ECS blue/green, Lambda aliases, EC2/on-premises): stops an
 * active deployment with CodeDeploy's own rollback, or deploys a known-good revision again exactly as it was
 * deployed (the revision location recorded in the ledger as the version's artifact).
 */
export class CodeDeployDeployer implements Deployer {
  private readonly client: CodeDeployClient;
  private readonly telemetry: Pick<Telemetry, 'log'> | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly s3: (() => S3Client) | undefined;

  constructor(options: CodeDeployDeployerOptions) {
    this.client = options.client;
    this.telemetry = options.telemetry;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.s3 = options.s3;
  }

  /**
   * Two round trips, since this read sits on the path from alarm to rollback: GetDeploymentGroup (last
   * successful and last attempted deployment) runs concurrently with ListDeployments of the active ones, then
   * one BatchGetDeployments reads all of them. A group has at most one active deployment (CodeDeploy refuses a
   * second with DeploymentLimitExceededException), so the first page of ListDeployments is enough.
   *
   * Statuses are taken from BatchGetDeployments, the later read: a deployment that finished between the two
   * round trips is seen as finished.
   *
   * A third round trip happens only while the newest deployment is CodeDeploy's own rollback: then the
   * deployment it rolls back is neither active, last successful nor (being older) last attempted, yet its STOP
   * or FAILURE event still has to be attributed to its own revision, not to the one being restored. The
   * watchdog never acts on a target in that state (a native rollback is in progress, or it has just put back a
   * known-good revision), so the extra read does not delay a rollback.
   */
  async inspect(target: RuntimeTarget): Promise<LiveTarget> {
    const names = groupNames(target);
    const [group, listed] = await Promise.allSettled([
      this.client.send(new GetDeploymentGroupCommand(names)),
      this.client.send(new ListDeploymentsCommand({ ...names, includeOnlyStatuses: [...ACTIVE] })),
    ]);
    if (group.status === 'rejected') {
      return invalidOrThrow(group.reason, `GetDeploymentGroup of ${describeTarget(target)}`);
    }
    if (listed.status === 'rejected') {
      return invalidOrThrow(listed.reason, `ListDeployments of ${describeTarget(target)}`);
    }
    const info = group.value.deploymentGroupInfo;
    if (!info)
      return { kind: 'invalid', why: `GetDeploymentGroup returned nothing for ${describeTarget(target)}` };

    // The group's own pointers go first so that the batch limit can only ever cut extra active deployments.
    const ids = unique(
      [
        info.lastSuccessfulDeployment?.deploymentId,
        info.lastAttemptedDeployment?.deploymentId,
        ...(listed.value.deployments ?? []),
      ].filter(isDefined),
    );
    if (ids.length === 0) {
      return {
        kind: 'invalid',
        why: `${describeTarget(target)} has never been deployed: there is no current revision to protect`,
      };
    }
    if (ids.length > BATCH_GET_LIMIT) {
      this.telemetry?.log(
        'warn',
        'More deployments to read than BatchGetDeployments accepts; reading the first',
        {
          target: target.id,
          ignored: ids.slice(BATCH_GET_LIMIT),
        },
      );
    }

    let deploymentsInfo: readonly DeploymentInfo[];
    try {
      const out = await this.client.send(
        new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(0, BATCH_GET_LIMIT) }),
      );
      deploymentsInfo = out.deploymentsInfo ?? [];
    } catch (err) {
      return invalidOrThrow(err, `BatchGetDeployments of ${describeTarget(target)}`);
    }

    const first = this.toFetched(deploymentsInfo, target);
    const fetched = [...first, ...(await this.rolledBack(first, target))].sort(newestFirst);
    const active = fetched.filter((d) => d.active);
    const lastSuccess = fetched.find((d) => d.info.status === 'Succeeded');
    const latest = latestOf(fetched);
    // The new revision serves from the moment its deployment starts; after a failed or
    // stopped deployment the last successful revision serves again.
    const current = active[0] ?? lastSuccess;
    if (!latest || !current) {
      return {
        kind: 'invalid',
        why: `${describeTarget(target)} has no active or successful deployment: the revision it serves is unknown`,
      };
    }

    const stoppable = latest.active && latest.live.isRollback !== true;
    return {
      kind: 'ok',
      currentVersion: current.live.version,
      latest: {
        ...latest.live,
        // CodeDeploy runs one deployment per group at a time: while this one is active, a new one is refused.
        ...(latest.active ? { blocksNewDeployments: true } : {}),
        ...(stoppable ? { stopRef: latest.live.id } : {}),
        // StopDeployment(autoRollbackEnabled) redeploys the last successful revision.
        ...(stoppable && lastSuccess ? { stopRestores: lastSuccess.live.version } : {}),
      },
      previous: fetched.filter((d) => d !== latest).map((d) => d.live),
      nativeRollback: active.some((d) => d.live.isRollback === true),
    };
  }

  /** `StopDeployment(autoRollbackEnabled)`: CodeDeploy stops it and redeploys the last successful revision. */
  async stop(target: RuntimeTarget, deploymentRef: string): Promise<ActionResult> {
    codeDeployTarget(target);
    try {
      await this.client.send(
        new StopDeploymentCommand({ deploymentId: deploymentRef, autoRollbackEnabled: true }),
      );
      return { status: 'issued', deploymentRef };
    } catch (err) {
      if (classifyAwsError(err) === 'conflict') {
        if (answeredARetry(err)) throw ambiguous(err, `StopDeployment of ${deploymentRef}`, target);
        return {
          status: 'already-finished',
          detail: `${deploymentRef} had already finished (${describeError(err)})`,
        };
      }
      throw actionError(err, `StopDeployment of ${deploymentRef} (${describeTarget(target)})`);
    }
  }

  /**
   * Succeeded deployments of the group created since `sinceMs`, newest first: at most HISTORY_LIMIT of them, in
   * one ListDeployments page and at most two BatchGetDeployments. CodeDeploy does not document the order in
   * which ListDeployments lists, so the deployments are sorted here.
   */
  async history(target: RuntimeTarget, sinceMs: number): Promise<LiveDeployment[]> {
    const names = groupNames(target);
    let ids: string[];
    try {
      const out = await this.client.send(
        new ListDeploymentsCommand({
          ...names,
          includeOnlyStatuses: ['Succeeded'],
          createTimeRange: { start: new Date(sinceMs) },
        }),
      );
      ids = (out.deployments ?? []).slice(0, HISTORY_LIMIT);
    } catch (err) {
      return this.noHistory(err, `ListDeployments (history) of ${describeTarget(target)}`, target);
    }
    const infos: DeploymentInfo[] = [];
    for (let i = 0; i < ids.length; i += BATCH_GET_LIMIT) {
      try {
        const out = await this.client.send(
          new BatchGetDeploymentsCommand({ deploymentIds: ids.slice(i, i + BATCH_GET_LIMIT) }),
        );
        infos.push(...(out.deploymentsInfo ?? []));
      } catch (err) {
        return this.noHistory(err, `BatchGetDeployments (history) of ${describeTarget(target)}`, target);
      }
    }
    return this.toFetched(infos, target)
      .sort(newestFirst)
      .map((d) => d.live);
  }

  /** History only adds detail: refused → none (logged); transient → fail, so that Lambda retries. */
  private noHistory(err: unknown, call: string, target: RuntimeTarget): LiveDeployment[] {
    switch (classifyAwsError(err)) {
      case 'terminal':
        this.telemetry?.log('warn', 'Could not read the deployment history; seeding without it', {
          target: target.id,
          error: summarizeError(err),
        });
        return [];
      case 'retryable':
        throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
      case 'conflict':
      case 'unknown':
        throw err;
    }
  }

  /**
   * The active deployment must go, but CodeDeploy's own rollback would restore a revision that never proved
   * itself: `StopDeployment` without automatic rollback, then, once CodeDeploy no longer counts it as active,
   * `CreateDeployment` of the known-good revision. A deployment still active after the wait is reported as a
   * transient failure; the claim routine then reads the group again and finishes the replace (the stop has
   * already happened) or retries it.
   */
  async replace(
    target: RuntimeTarget,
    deploymentRef: string,
    version: string,
    artifact?: string,
    decisionId?: string,
  ): Promise<ActionResult> {
    try {
      await this.client.send(
        new StopDeploymentCommand({ deploymentId: deploymentRef, autoRollbackEnabled: false }),
      );
    } catch (err) {
      // Already finished (or a retry of our own stop): either way nothing is left to stop.
      if (classifyAwsError(err) !== 'conflict') {
        throw actionError(err, `StopDeployment of ${deploymentRef} (${describeTarget(target)})`);
      }
    }
    for (const wait of [0, ...REPLACE_BACKOFF_MS]) {
      if (wait > 0) await this.sleep(wait);
      if (!(await this.stillActive(target, deploymentRef)))
        return this.redeploy(target, version, artifact, decisionId);
    }
    throw new RetryableError(
      `${deploymentRef} of ${describeTarget(target)} was stopped but is still active after ${REPLACE_BACKOFF_MS.reduce((a, b) => a + b, 0)} ms; ${version} is deployed on the next attempt`,
    );
  }

  private async stillActive(target: RuntimeTarget, deploymentId: string): Promise<boolean> {
    try {
      const out = await this.client.send(new BatchGetDeploymentsCommand({ deploymentIds: [deploymentId] }));
      return isActive(out.deploymentsInfo?.[0]?.status);
    } catch (err) {
      throw actionError(err, `BatchGetDeployments of ${deploymentId} (${describeTarget(target)})`);
    }
  }

  /**
   * `CreateDeployment` of the revision recorded for `version`, exactly as CodeDeploy reported it when that
   * version was deployed. The adapter never retries it: CreateDeployment has no idempotency token, and a retry
   * after a failure whose outcome is unknown (timeout, 5xx) could start a second deployment. The SDK's own
   * retry does resend such requests, but while the first deployment is active CodeDeploy refuses the second
   * with DeploymentLimitExceededException (see `answeredARetry`); the use case guards against a duplicate on
   * ambiguous failures by inspecting the group again before it acts again.
   */
  async redeploy(
    target: RuntimeTarget,
    version: string,
    artifact?: string,
    decisionId?: string,
  ): Promise<ActionResult> {
    const names = groupNames(target);
    const revision = recordedRevision(target, version, artifact);
    try {
      const out = await this.client.send(
        new CreateDeploymentCommand({
          ...names,
          revision,
          description: rollbackDescription(version, decisionId),
        }),
      );
      return {
        status: 'issued',
        ...(out.deploymentId !== undefined ? { deploymentRef: out.deploymentId } : {}),
      };
    } catch (err) {
      if (classifyAwsError(err) === 'conflict') {
        if (answeredARetry(err)) throw ambiguous(err, `CreateDeployment of ${version}`, target);
        return {
          status: 'busy',
          detail: `another deployment of ${describeTarget(target)} is already active (${describeError(err)})`,
        };
      }
      throw actionError(err, `CreateDeployment of ${version} to ${describeTarget(target)}`);
    }
  }

  /**
   * Whether the revision recorded for `version` (the ledger's artifact) can still be deployed, by its type:
   * - S3: GetApplicationRevision (still registered with the application) and HeadObject of the bundle (still
   *   there, and where the location pins an ETag, still the same object), concurrently. GetApplicationRevision
   *   answers from CodeDeploy's registration (GenericRevisionInfo: when it was registered and used), not from
   *   the bucket, so only S3 can say whether the bundle is still there.
   * - GitHub: GetApplicationRevision; the commit itself, in GitHub, is not checked.
   * - AppSpecContent, String (ECS and Lambda): the AppSpec travels in the deployment itself, so nothing stored
   *   can be gone; the task definition or function version it names is not checked here.
   * No recorded location, or one that does not describe `version`: reported unchecked (redeploy refuses it).
   * Refused reads are reported unchecked; transient failures throw RetryableError, to be checked again.
   */
  async viability(
    target: RuntimeTarget,
    version: string,
    known: { readonly artifact?: string; readonly recheck?: string },
  ): Promise<Omit<Viability, 'checkedAt'>> {
    const { application } = codeDeployTarget(target);
    const read = readRevision(target, version, known.artifact);
    if ('problem' in read) return viabilityOf([{ unchecked: [`${read.why}: it was not checked`] }]);
    const { revision } = read;
    const type = revisionType(revision);
    switch (type) {
      case 'S3':
        return viabilityOf(
          await Promise.all([
            this.registration(application, version, revision),
            this.bundle(version, revision.s3Location),
          ]),
        );
      case 'GitHub':
        return viabilityOf([
          await this.registration(application, version, revision),
          {
            unchecked: [
              `the GitHub commit of revision ${version} was not checked: CodeDeploy fetches it from GitHub when it deploys`,
            ],
          },
        ]);
      case 'AppSpecContent':
      case 'String':
      case undefined:
        return viabilityOf([
          {
            unchecked: [
              `revision ${version} is an AppSpec carried by the deployment itself (revisionType ${type ?? 'unknown'}): nothing stored to check; the task definition or function version it names was not checked`,
            ],
          },
        ]);
    }
  }

  /** GetApplicationRevision: whether CodeDeploy still knows the revision (and the application). */
  private async registration(
    application: string,
    version: string,
    revision: RevisionLocation,
  ): Promise<ViabilityFindings> {
    try {
      await this.client.send(new GetApplicationRevisionCommand({ applicationName: application, revision }));
      return {};
    } catch (err) {
      const call = `GetApplicationRevision of ${version} (application ${application})`;
      switch (summarizeError(err).name) {
        case 'RevisionDoesNotExistException':
          return {
            missing: [
              `revision ${version} is no longer registered with application ${application}: CodeDeploy no longer knows it`,
            ],
          };
        case 'ApplicationDoesNotExistException':
          return {
            missing: [
              `application ${application} no longer exists: none of its revisions, ${version} included, can be deployed`,
            ],
          };
      }
      return this.unreadable(
        err,
        call,
        `whether revision ${version} is still registered with application ${application}`,
      );
    }
  }

  /** HeadObject of an S3 revision's bundle: there, and the same object the revision was deployed from. */
  private async bundle(version: string, location: S3Location | undefined): Promise<ViabilityFindings> {
    const { bucket, key, version: versionId, eTag } = location ?? {};
    if (!bucket || !key) {
      return { unchecked: [`revision ${version} names no S3 bucket and key: its bundle was not checked`] };
    }
    const object = `S3 object s3://${bucket}/${key}${versionId ? ` (version ${versionId})` : ''}`;
    const grant = versionId ? 's3:GetObjectVersion' : 's3:GetObject';
    if (!this.s3) return { unchecked: [`${object} was not checked: the watchdog has no S3 client here`] };
    let head: HeadObjectCommandOutput;
    try {
      head = await this.s3().send(
        new HeadObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
      );
    } catch (err) {
      return this.headFailed(err, object, version, grant);
    }
    const expected = eTag === undefined ? undefined : unquoted(eTag);
    const actual = head.ETag === undefined ? undefined : unquoted(head.ETag);
    if (expected && actual && expected !== actual) {
      return {
        missing: [
          `${object} was replaced: its ETag is ${actual}, revision ${version} was ${expected}, so the bundle CodeDeploy would download is not the one that was deployed`,
        ],
      };
    }
    return {};
  }

  /**
   * A HEAD has no body, so S3 answers with a status and a generic name (the SDK's `NotFound` for 404): 404 is
   * a missing object or bucket, 405 a version that is a delete marker; 403 is a denied read, and also how S3
   * answers a missing object to a caller without s3:ListBucket, so it is only ever reported unchecked.
   */
  private headFailed(err: unknown, object: string, version: string, grant: string): ViabilityFindings {
    const { name, httpStatusCode: status } = summarizeError(err);
    if (status === 404 || ['NotFound', 'NoSuchKey', 'NoSuchBucket', 'NoSuchVersion'].includes(name)) {
      return {
        missing: [`${object} is gone: CodeDeploy can no longer download the bundle of revision ${version}`],
      };
    }
    if (status === 405) {
      return { missing: [`${object} is a delete marker: the bundle of revision ${version} was deleted`] };
    }
    if (status === 403 || /AccessDenied|Forbidden/.test(name)) {
      return {
        unchecked: [
          `${object} could not be checked: access denied (S3 also answers so for a missing object when s3:ListBucket is not granted); grant ${grant} on it to the watchdog's roles, or ignore this`,
        ],
      };
    }
    if (classifyAwsError(err) === 'retryable') {
      throw new RetryableError(`HeadObject of ${object} failed: ${describeError(err)}`, { cause: err });
    }
    // Any other refusal (400, a redirect to another region) repeats itself: reported, not retried.
    if (status !== undefined && status >= 400 && status < 500) {
      return { unchecked: [`${object} could not be checked: HeadObject answered ${describeError(err)}`] };
    }
    throw err;
  }

  /** A refused read is reported unchecked, naming the call; a transient one throws, to be checked again. */
  private unreadable(err: unknown, call: string, what: string): ViabilityFindings {
    switch (classifyAwsError(err)) {
      case 'retryable':
        throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
      case 'terminal':
        return { unchecked: [`${what} could not be checked: ${call} was refused (${describeError(err)})`] };
      case 'conflict':
      case 'unknown':
        throw err;
    }
  }

  /**
   * The deployment that the newest deployment, a CodeDeploy rollback, is rolling back, when it was not read
   * already. It only adds detail: if CodeDeploy refuses to describe it, inspect goes on without it; a transient
   * failure still fails the inspect, so that Lambda retries with the full picture.
   */
  private async rolledBack(fetched: readonly Fetched[], target: RuntimeTarget): Promise<Fetched[]> {
    const latest = latestOf(fetched);
    const triggerId = latest?.live.isRollback
      ? latest.info.rollbackInfo?.rollbackTriggeringDeploymentId
      : undefined;
    if (triggerId === undefined || fetched.some((d) => d.live.id === triggerId)) return [];
    try {
      const out = await this.client.send(new BatchGetDeploymentsCommand({ deploymentIds: [triggerId] }));
      return this.toFetched(out.deploymentsInfo ?? [], target);
    } catch (err) {
      const call = `BatchGetDeployments of ${triggerId}, rolled back in ${describeTarget(target)}`;
      switch (classifyAwsError(err)) {
        case 'retryable':
          throw new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
        case 'terminal':
          this.telemetry?.log('warn', 'Could not read the deployment that CodeDeploy is rolling back', {
            target: target.id,
            deploymentId: triggerId,
            error: summarizeError(err),
          });
          return [];
        case 'conflict':
        case 'unknown':
          throw err;
      }
    }
  }

  /** Deployments without an id, a creation time or a revision cannot be placed in the ledger: left out. */
  private toFetched(infos: readonly DeploymentInfo[], target: RuntimeTarget): Fetched[] {
    const fetched: Fetched[] = [];
    for (const info of infos) {
      const live = toLiveDeployment(info);
      if (live) {
        fetched.push({ info, live, active: isActive(info.status) });
      } else {
        this.telemetry?.log('warn', 'CodeDeploy reported a deployment without id, createTime or revision', {
          target: target.id,
          deploymentId: info.deploymentId,
          status: info.status,
        });
      }
    }
    return fetched;
  }
}

/**
 * The version label of a CodeDeploy revision: what the ledger, decisions and notifications call it.
 * - GitHub: `repository@commitId` (the simulator encodes its versions this way, so it round-trips exactly).
 * - S3: `s3://bucket/key@version`, else `@eTag`, else the bare location (which names whatever object is there).
 * - AppSpecContent: the ECS task definition `family:revision`, else the Lambda function `name:targetVersion`,
 *   else `appspec:` and the first 12 hex digits of the content's SHA-256.
 * - String (the deprecated Lambda form): `string:` and the first 12 hex digits of its SHA-256.
 * Deterministic: the same revision always gets the same label, which redeploy relies on to check an artifact.
 */
export function revisionLabel(revision: RevisionLocation): string {
  switch (revisionType(revision)) {
    case 'GitHub': {
      const { repository, commitId } = revision.gitHubLocation ?? {};
      if (repository && commitId) return `${repository}@${commitId}`;
      break;
    }
    case 'S3': {
      const { bucket, key, version, eTag } = revision.s3Location ?? {};
      if (bucket && key) {
        const pin = version || (eTag ? eTag.replace(/^"|"$/g, '') : undefined);
        return `s3://${bucket}/${key}${pin ? `@${pin}` : ''}`;
      }
      break;
    }
    case 'AppSpecContent': {
      const { content, sha256 } = revision.appSpecContent ?? {};
      const named = content !== undefined ? appSpecVersion(content) : undefined;
      if (named) return named;
      const digest = sha256 || (content !== undefined ? sha256Hex(content) : undefined);
      if (digest) return `appspec:${shortDigest(digest)}`;
      break;
    }
    case 'String': {
      const { content, sha256 } = revision.string ?? {};
      const digest = sha256 || (content !== undefined ? sha256Hex(content) : undefined);
      if (digest) return `string:${shortDigest(digest)}`;
      break;
    }
    case undefined:
      break;
  }
  // Incomplete or unknown shapes still get a stable label rather than none.
  return `revision:${shortDigest(sha256Hex(JSON.stringify(revision)))}`;
}

/** `revisionType`, or for a location that omits it, the type its one filled-in location implies. */
function revisionType(revision: RevisionLocation): RevisionLocationType | undefined {
  if (revision.revisionType && REVISION_TYPES.includes(revision.revisionType)) return revision.revisionType;
  if (revision.gitHubLocation) return 'GitHub';
  if (revision.s3Location) return 'S3';
  if (revision.appSpecContent) return 'AppSpecContent';
  if (revision.string) return 'String';
  return undefined;
}

/**
 * The version an AppSpec names, read from its JSON or YAML text without a YAML parser: ECS names the task
 * definition in `TaskDefinition`, Lambda the function in `Name` and the version traffic shifts to in
 * `TargetVersion`. AppSpec keys appear both capitalised and in lower case, so matching ignores case.
 */
function appSpecVersion(content: string): string | undefined {
  const taskDefinition = appSpecProperty(content, 'TaskDefinition');
  if (taskDefinition) return toVersion(taskDefinition);
  const name = appSpecProperty(content, 'Name');
  const targetVersion = appSpecProperty(content, 'TargetVersion');
  return name && targetVersion ? `${name}:${targetVersion}` : undefined;
}

/** The first value of `key` (the whole key, not a suffix such as `ContainerName`): quoted or a bare scalar. */
function appSpecProperty(content: string, key: string): string | undefined {
  const pattern = new RegExp(
    `(?:^|[\\s{,])["']?${key}["']?\\s*:\\s*(?:"([^"]*)"|'([^']*)'|([^\\s,}\\]#"']+))`,
    'im',
  );
  const match = pattern.exec(content);
  const value = match?.[1] ?? match?.[2] ?? match?.[3];
  return value?.trim() || undefined;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function shortDigest(hex: string): string {
  return hex.toLowerCase().slice(0, 12);
}

/**
 * The revision to deploy for `version`, from the ledger's artifact. Without one, or when it does not describe
 * that very version, the watchdog cannot know what to deploy: a target problem for a human, never a guess.
 */
function recordedRevision(
  target: RuntimeTarget,
  version: string,
  artifact: string | undefined,
): RevisionLocation {
  const read = readRevision(target, version, artifact);
  if ('problem' in read) {
    throw new TargetInvalidError(
      read.problem === 'none'
        ? `no CodeDeploy revision is recorded for ${version} of ${describeTarget(target)}: the watchdog can only redeploy a revision it saw deployed`
        : read.why,
      read.cause === undefined ? undefined : { cause: read.cause },
    );
  }
  return read.revision;
}

/** The ledger's artifact as the revision location of `version`, or what is wrong with it. */
function readRevision(
  target: RuntimeTarget,
  version: string,
  artifact: string | undefined,
):
  | { readonly revision: RevisionLocation }
  | { readonly problem: 'none' | 'invalid'; readonly why: string; readonly cause?: unknown } {
  const where = `${version} of ${describeTarget(target)}`;
  if (artifact === undefined || artifact.trim() === '') {
    return { problem: 'none', why: `no CodeDeploy revision location is recorded for ${where}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(artifact);
  } catch (err) {
    return {
      problem: 'invalid',
      why: `the CodeDeploy revision recorded for ${where} is not valid JSON`,
      cause: err,
    };
  }
  if (!isRevisionLocation(parsed)) {
    return {
      problem: 'invalid',
      why: `the CodeDeploy revision recorded for ${where} is not a revision location (revisionType ${REVISION_TYPES.join(', ')})`,
    };
  }
  const label = revisionLabel(parsed);
  if (label !== version) {
    return {
      problem: 'invalid',
      why: `the CodeDeploy revision recorded for ${where} describes ${label} instead`,
    };
  }
  return { revision: parsed };
}

function isRevisionLocation(value: unknown): value is RevisionLocation {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const type = (value as { revisionType?: unknown }).revisionType;
  return typeof type === 'string' && (REVISION_TYPES as readonly string[]).includes(type);
}

/**
 * The description of a rollback deployment: for humans in the console, and for the watchdog itself, which reads
 * the decision id back to recognise its own deployment after an answer was lost. The id comes first, since a
 * long version is what the length limit cuts.
 */
export function rollbackDescription(version: string, decisionId: string | undefined): string {
  const by = decisionId === undefined ? 'Rollback Watchdog' : `${DESCRIPTION_PREFIX} ${decisionId}`;
  return truncate(`${by}: roll back to ${version}`, MAX_DESCRIPTION_LENGTH);
}

const DESCRIPTION_PREFIX = 'Rollback Watchdog decision';
const INITIATED_BY = new RegExp(
  `^${DESCRIPTION_PREFIX} ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):`,
);

function toLiveDeployment(info: DeploymentInfo): LiveDeployment | undefined {
  const { deploymentId, createTime, revision } = info;
  if (!deploymentId || !createTime || !revision) return undefined;
  const state = deploymentState(info.status);
  return {
    id: deploymentId,
    version: revisionLabel(revision),
    state,
    startedAt: createTime.getTime(),
    ...(state === 'completed' && info.completeTime ? { completedAt: info.completeTime.getTime() } : {}),
    // JSON of the location exactly as CodeDeploy returned it, so a redeploy sends back the same revision.
    artifact: JSON.stringify(revision),
    ...(isRollback(info) ? { isRollback: true } : {}),
    ...initiatedBy(info.description),
    ...(info.creator ? { deployedBy: `${CODEDEPLOY_CREATOR_PREFIX}${info.creator}` } : {}),
    ...declaredSchemaOf(info.description),
  };
}

/** The schema gate's facts, when the description declares them (lambda/adapters/schema-tags.ts). */
function declaredSchemaOf(description: string | undefined): { declaredSchema?: VersionFacts } {
  const facts = schemaFactsOfDescription(description);
  return facts ? { declaredSchema: facts } : {};
}

/**
 * CodeDeploy creates its own rollback deployments (after a failure, an alarm, or StopDeployment with
 * autoRollbackEnabled) with `creator: codeDeployRollback`; `rollbackTriggeringDeploymentId` says the same and
 * names the deployment being rolled back. (`rollbackDeploymentId` is set on that other deployment instead.)
 */
function isRollback(info: DeploymentInfo): boolean {
  return info.creator === ROLLBACK_CREATOR || Boolean(info.rollbackInfo?.rollbackTriggeringDeploymentId);
}

/** Stopped counts as failed: that version did not complete, whoever stopped it. */
function deploymentState(status: DeploymentStatus | undefined): LiveDeploymentState {
  switch (status) {
    case 'Succeeded':
      return 'completed';
    case 'Failed':
    case 'Stopped':
      return 'failed';
    case 'Created':
    case 'Queued':
    case 'InProgress':
    case 'Baking':
    case 'Ready':
    case undefined:
      return 'in-progress';
  }
}

function isActive(status: DeploymentStatus | undefined): boolean {
  return status !== undefined && ACTIVE.includes(status);
}

/** The active deployment, else the newest one (normally the group's last attempted deployment). */
function latestOf(deployments: readonly Fetched[]): Fetched | undefined {
  const newest = [...deployments].sort(newestFirst);
  return newest.find((d) => d.active) ?? newest[0];
}

function newestFirst(a: Fetched, b: Fetched): number {
  return b.live.startedAt - a.live.startedAt;
}

function describeTarget(target: RuntimeTarget): string {
  const { application, deploymentGroup } = codeDeployTarget(target);
  return `deployment group ${deploymentGroup} of application ${application}`;
}

function groupNames(target: RuntimeTarget): { applicationName: string; deploymentGroupName: string } {
  const { application, deploymentGroup } = codeDeployTarget(target);
  return { applicationName: application, deploymentGroupName: deploymentGroup };
}

/** The runtime routes targets to deployers by type; a mismatch is a wiring bug, not a target problem. */
function codeDeployTarget(target: RuntimeTarget): RuntimeCodeDeployTarget {
  if (target.type !== 'codedeploy') {
    throw new TypeError(`CodeDeployDeployer cannot handle ${target.type} target ${target.id}`);
  }
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

/**
 * Neither `already-finished` nor `busy` would be true for certain, so the outcome is reported as unknown: a
 * RetryableError, on which the use case inspects the group to see whether its action is under way, instead of
 * standing down from a rollback it may itself have started.
 */
function ambiguous(err: unknown, call: string, target: RuntimeTarget): RetryableError {
  return new RetryableError(
    `${call} (${describeTarget(target)}) was refused on a retry of a request that may already have taken effect: ${describeError(err)}`,
    { cause: err },
  );
}

function initiatedBy(description: string | undefined): { initiatedBy?: string } {
  const id = description === undefined ? undefined : INITIATED_BY.exec(description)?.[1];
  return id === undefined ? {} : { initiatedBy: id };
}

/** An ETag without the double quotes S3 puts around it (CodeDeploy may record it either way). */
function unquoted(eTag: string): string {
  return eTag.replace(/^"|"$/g, '');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
