import {
  ApplicationDoesNotExistException,
  ApplicationNameRequiredException,
  BatchLimitExceededException,
  DeploymentAlreadyCompletedException,
  DeploymentDoesNotExistException,
  DeploymentGroupDoesNotExistException,
  DeploymentGroupNameRequiredException,
  DeploymentIdRequiredException,
  DeploymentLimitExceededException,
  RevisionDoesNotExistException,
  RevisionRequiredException,
  type AutoRollbackConfiguration,
  type BatchGetDeploymentsCommandInput,
  type CreateDeploymentCommandInput,
  type DeploymentInfo,
  type DeploymentStatus,
  type GetApplicationRevisionCommandInput,
  type GetDeploymentGroupCommandInput,
  type LastDeploymentInfo,
  type ListDeploymentsCommandInput,
  type RevisionLocation,
  type RollbackInfo,
  type StopDeploymentCommandInput,
} from '@aws-sdk/client-codedeploy';
import { CODEDEPLOY_STATE, type CodeDeployState } from '../../contract';
import type { CodeDeployGroupSpec, VersionSpec } from '../scenario';
import { simCommand, type SimCommands } from '../sim-commands';
import { SIM_ACCOUNT, codeDeployStateChangeEvent, stableToken, stableUuid } from './account';
import { versionTags, type ServingListener } from './ecs';
import { SimulatorGapError, codeDeploySource, type WorldContext } from './world-context';

const DAY_MS = 86_400_000;
/** BatchGetDeployments answers at most this many ids per call. */
const BATCH_LIMIT = 25;
const DEPLOYMENT_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DEPLOYMENT_CONFIG = 'CodeDeployDefault.AllAtOnce';
const AUTO_ROLLBACK: AutoRollbackConfiguration = {
  enabled: true,
  events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'],
};

/**
 * A simulated revision label `name@rev` as CodeDeploy knows it: the GitHub revision `name` at commit `rev`,
 * split at the last `@` (the watchdog's adapter labels a GitHub revision `${repository}@${commitId}`).
 * Undefined when either part would be empty.
 */
export function splitRevisionLabel(label: string): { repository: string; commitId: string } | undefined {
  const at = label.lastIndexOf('@');
  if (at <= 0 || at === label.length - 1) return undefined;
  return { repository: label.slice(0, at), commitId: label.slice(at + 1) };
}

/** The RevisionLocation of a revision label (see `splitRevisionLabel`). */
export function revisionLocation(label: string): RevisionLocation {
  const parts = splitRevisionLabel(label);
  if (!parts) throw new Error(`${JSON.stringify(label)} is not a revision label "name@rev"`);
  return { revisionType: 'GitHub', gitHubLocation: { ...parts } };
}

/** The revision label of a RevisionLocation; the simulated account stores GitHub revisions only. */
function revisionLabelOf(location: RevisionLocation, operation = 'CreateDeployment'): string {
  const gh = location.gitHubLocation;
  if (location.revisionType !== 'GitHub' || !gh?.repository || !gh.commitId) {
    throw new SimulatorGapError(
      `codedeploy:${operation} with revision ${JSON.stringify(location)} is not modelled: the simulated account knows only GitHub revisions { revisionType: "GitHub", gitHubLocation: { repository, commitId } }`,
    );
  }
  return `${gh.repository}@${gh.commitId}`;
}

type Creator = 'user' | 'codeDeployRollback';
type Status = Extract<DeploymentStatus, 'InProgress' | 'Succeeded' | 'Failed' | 'Stopped'>;

/** One CodeDeploy deployment of a group. */
interface CdDeployment {
  readonly id: string;
  /** The revision label it deploys. */
  readonly revision: string;
  /** What served before it started (`previousRevision`). */
  readonly previous: string | undefined;
  status: Status;
  readonly createTime: number;
  completeTime?: number;
  readonly creator: Creator;
  readonly description?: string;
  rollbackInfo?: RollbackInfo;
  errorMessage?: string;
  /** The watchdog deployed a revision that is gone (`unavailableVersions`): it fails at the end of its rollout. */
  readonly unavailable?: boolean;
}

interface GroupState {
  readonly spec: CodeDeployGroupSpec;
  /** `codedeploy:application/group`: orders effects and keys this group's id counters. */
  readonly source: string;
  readonly targetId: string | undefined;
  readonly groupId: string;
  /** The revision the group serves now. */
  serving: string;
  /** Newest first. */
  readonly deployments: CdDeployment[];
  readonly lost: ReadonlySet<string>;
}

/**
 * The CodeDeploy part of the simulated account (docs/architecture.md, "World semantics"): in-place
 * deployments of GitHub revisions with automatic rollback on failure and on stop, one active deployment per
 * group, and `CodeDeploy Deployment State-change Notification` events, some of which a group may lose
 * (`lostEvents`).
 */
export class CodeDeployWorld {
  private readonly groups = new Map<string, GroupState>();
  private readonly byId = new Map<string, { state: GroupState; deployment: CdDeployment }>();

  constructor(
    private readonly ctx: WorldContext,
    specs: readonly CodeDeployGroupSpec[],
    /** `application/group` → config target id. */
    targets: ReadonlyMap<string, string>,
    private readonly failingVersions: ReadonlySet<string>,
    private readonly onServing: ServingListener,
    /** The scenario's `versions`: a release's description declares them, as a pipeline would write it. */
    private readonly versions: ReadonlyMap<string, VersionSpec> = new Map(),
    /**
     * The scenario's `unavailableVersions`: revisions deleted after they served. GetApplicationRevision reports
     * them gone, and the watchdog's CreateDeployment of one fails at the end of its rollout (CodeDeploy cannot
     * download the bundle), after which CodeDeploy rolls back to the last successful revision.
     */
    private readonly unavailableVersions: ReadonlySet<string> = new Set(),
  ) {
    const start = ctx.clock.now();
    for (const spec of specs) {
      const key = `${spec.application}/${spec.deploymentGroup}`;
      const source = codeDeploySource(spec.application, spec.deploymentGroup);
      const state: GroupState = {
        spec,
        source,
        targetId: targets.get(key),
        groupId: stableUuid(`deployment-group:${source}`, 1),
        serving: spec.revision,
        deployments: [],
        lost: new Set(spec.lostEvents),
      };
      // The initial revision's deployment succeeded a day before the scenario starts, so it is known-good.
      const initial: CdDeployment = {
        id: this.newDeploymentId(state),
        revision: spec.revision,
        previous: undefined,
        status: 'Succeeded',
        createTime: start - DAY_MS - spec.rolloutSeconds * 1_000,
        completeTime: start - DAY_MS,
        creator: 'user',
        ...this.releaseDescription(spec.revision),
      };
      this.add(state, initial);
      this.groups.set(key, state);
    }
  }

  /** The revision each group serves, by config target id. */
  versionOf(targetId: string): string | undefined {
    return [...this.groups.values()].find((g) => g.targetId === targetId)?.serving;
  }

  /**
   * A release by someone other than the watchdog (the timeline's `deploy`). CodeDeploy refuses it while
   * another deployment of the group is active, as it would refuse anyone; the timeline shows the refusal.
   * Returns the new deployment's id, or undefined when CodeDeploy refused it.
   */
  release(application: string, deploymentGroup: string, version: string): string | undefined {
    const state = this.groups.get(`${application}/${deploymentGroup}`);
    if (!state)
      throw new Error(`no CodeDeploy deployment group ${application}/${deploymentGroup} in the world`);
    const who = this.who(state);
    const active = this.active(state);
    if (active) {
      this.ctx.note(
        state.source,
        'deploy',
        `${who}: release ${version} refused: ${active.id} (${active.revision}) is still active (DeploymentLimitExceededException)`,
      );
      return undefined;
    }
    const id = this.newDeploymentId(state);
    this.ctx.note(state.source, 'deploy', `${who}: release ${state.serving} → ${version} (${id})`);
    this.start(state, { id, revision: version, creator: 'user', ...this.releaseDescription(version) });
    return id;
  }

  /** What a pipeline writes into a release's description: the scenario's `versions` as `key=value` pairs. */
  private releaseDescription(version: string): { description?: string } {
    const declared = versionTags(this.versions.get(version)).map((t) => `${t.key}=${t.value}`);
    return declared.length > 0 ? { description: `Release ${version} ${declared.join(' ')}` } : {};
  }

  /** The SDK-level answers of the CodeDeploy API (the simulator's middleware dispatches to these). */
  commands(): SimCommands {
    return {
      GetDeploymentGroup: simCommand<GetDeploymentGroupCommandInput>({
        target: (input) => this.targetOf(input.applicationName, input.deploymentGroupName),
        run: (input) => this.getDeploymentGroup(input),
      }),
      ListDeployments: simCommand<ListDeploymentsCommandInput>({
        target: (input) => this.targetOf(input.applicationName, input.deploymentGroupName),
        run: (input) => this.listDeployments(input),
      }),
      BatchGetDeployments: simCommand<BatchGetDeploymentsCommandInput>({
        target: (input) => this.targetOfDeployment(input.deploymentIds?.[0]),
        run: (input) => this.batchGetDeployments(input),
      }),
      StopDeployment: simCommand<StopDeploymentCommandInput>({
        target: (input) => this.targetOfDeployment(input.deploymentId),
        run: (input) => this.stopDeployment(input),
      }),
      CreateDeployment: simCommand<CreateDeploymentCommandInput>({
        target: (input) => this.targetOf(input.applicationName, input.deploymentGroupName),
        run: (input) => this.createDeployment(input),
      }),
      GetApplicationRevision: simCommand<GetApplicationRevisionCommandInput>({
        run: (input) => this.getApplicationRevision(input),
      }),
    };
  }

  /**
   * The revisions an application knows are the ones its groups have deployed (a deployment registers its
   * revision); `unavailableVersions` are gone, as are revisions never deployed.
   */
  private getApplicationRevision(input: GetApplicationRevisionCommandInput): Record<string, unknown> {
    if (!input.applicationName) {
      throw new ApplicationNameRequiredException({
        message: 'The application name must be specified.',
        $metadata: {},
      });
    }
    const application = input.applicationName;
    const groups = [...this.groups.values()].filter((g) => g.spec.application === application);
    if (groups.length === 0) {
      throw new ApplicationDoesNotExistException({
        message: `No application found for name: ${application}`,
        $metadata: {},
      });
    }
    if (!input.revision) {
      throw new RevisionRequiredException({ message: 'The revision must be specified.', $metadata: {} });
    }
    const revision = revisionLabelOf(input.revision, 'GetApplicationRevision');
    const used = groups.flatMap((g) => g.deployments.filter((d) => d.revision === revision));
    if (used.length === 0 || this.unavailableVersions.has(revision)) {
      throw new RevisionDoesNotExistException({
        message: `No application revision found for revision ${revision} of application ${application}`,
        $metadata: {},
      });
    }
    const times = used.map((d) => d.createTime);
    const first = Math.min(...times);
    return {
      applicationName: application,
      revision: revisionLocation(revision),
      revisionInfo: {
        registerTime: new Date(first),
        firstUsedTime: new Date(first),
        lastUsedTime: new Date(Math.max(...times)),
        deploymentGroups: groups.filter((g) => g.serving === revision).map((g) => g.spec.deploymentGroup),
      },
    };
  }

  private targetOf(application: string | undefined, group: string | undefined): string | undefined {
    if (application === undefined || group === undefined) return undefined;
    return this.groups.get(`${application}/${group}`)?.targetId ?? group;
  }

  private targetOfDeployment(id: string | undefined): string | undefined {
    const found = id === undefined ? undefined : this.byId.get(id);
    return found ? (found.state.targetId ?? found.state.spec.deploymentGroup) : undefined;
  }

  private getDeploymentGroup(input: GetDeploymentGroupCommandInput): Record<string, unknown> {
    const state = this.require(input.applicationName, input.deploymentGroupName);
    const { application, deploymentGroup } = state.spec;
    const latest = state.deployments[0];
    const lastSuccessful = state.deployments.find((d) => d.status === 'Succeeded');
    return {
      deploymentGroupInfo: {
        applicationName: application,
        deploymentGroupId: state.groupId,
        deploymentGroupName: deploymentGroup,
        deploymentConfigName: DEPLOYMENT_CONFIG,
        serviceRoleArn: `arn:aws:iam::${SIM_ACCOUNT}:role/${application}-codedeploy`,
        ...(latest ? { targetRevision: revisionLocation(latest.revision) } : {}),
        autoRollbackConfiguration: AUTO_ROLLBACK,
        deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
        ...(lastSuccessful ? { lastSuccessfulDeployment: lastDeploymentInfo(lastSuccessful) } : {}),
        ...(latest ? { lastAttemptedDeployment: lastDeploymentInfo(latest) } : {}),
        computePlatform: 'Server',
      },
    };
  }

  private listDeployments(input: ListDeploymentsCommandInput): Record<string, unknown> {
    const unmodelled = (['externalId', 'nextToken'] as const).filter((k) => input[k] !== undefined);
    if (unmodelled.length > 0) {
      throw new SimulatorGapError(`codedeploy:ListDeployments ${unmodelled.join(', ')} is not modelled`);
    }
    // CodeDeploy lists a group's deployments, or the account's when neither name is given.
    let groups: GroupState[];
    if (input.applicationName === undefined && input.deploymentGroupName === undefined) {
      groups = [...this.groups.values()];
    } else {
      groups = [this.require(input.applicationName, input.deploymentGroupName)];
    }
    const wanted = input.includeOnlyStatuses;
    const after = input.createTimeRange?.start?.getTime();
    const before = input.createTimeRange?.end?.getTime();
    const deployments = groups
      .flatMap((g) => g.deployments)
      .filter(
        (d) =>
          (wanted === undefined || wanted.length === 0 || wanted.includes(d.status)) &&
          (after === undefined || d.createTime >= after) &&
          (before === undefined || d.createTime <= before),
      )
      .sort((a, b) => b.createTime - a.createTime)
      .map((d) => d.id);
    return { deployments };
  }

  private batchGetDeployments(input: BatchGetDeploymentsCommandInput): Record<string, unknown> {
    const ids = input.deploymentIds ?? [];
    if (ids.length === 0) {
      throw new DeploymentIdRequiredException({
        message: 'At least one deployment ID must be specified.',
        $metadata: {},
      });
    }
    if (ids.length > BATCH_LIMIT) {
      throw new BatchLimitExceededException({
        message: `The maximum number of deployment IDs you can specify is ${BATCH_LIMIT} (got ${ids.length}).`,
        $metadata: {},
      });
    }
    // Ids the account does not know are left out of the answer, not an error.
    const deploymentsInfo = ids.flatMap((id) => {
      const found = this.byId.get(id);
      return found ? [this.describe(found.state, found.deployment)] : [];
    });
    return { deploymentsInfo };
  }

  private stopDeployment(input: StopDeploymentCommandInput): Record<string, unknown> {
    if (!input.deploymentId) {
      throw new DeploymentIdRequiredException({
        message: 'A deployment ID must be specified.',
        $metadata: {},
      });
    }
    const found = this.byId.get(input.deploymentId);
    if (!found) {
      throw new DeploymentDoesNotExistException({
        message: `The deployment ${input.deploymentId} could not be found.`,
        $metadata: {},
      });
    }
    const { state, deployment } = found;
    if (deployment.status !== 'InProgress') {
      throw new DeploymentAlreadyCompletedException({
        message: `The deployment ${deployment.id} has already completed (${deployment.status}).`,
        $metadata: {},
      });
    }
    if (input.autoRollbackEnabled !== true) {
      // Without rollback CodeDeploy leaves the group as far as the deployment got: the revision keeps
      // serving until the next deployment replaces it.
      deployment.status = 'Stopped';
      deployment.completeTime = this.ctx.clock.now();
      deployment.errorMessage = 'The deployment was stopped by StopDeployment.';
      this.ctx.note(
        state.source,
        'codedeploy',
        `${this.who(state)}: ${deployment.id} (${deployment.revision}) stopped without rollback; ${state.serving} serves until the next deployment`,
      );
      this.emit(state, CODEDEPLOY_STATE.stop, deployment);
      return { status: 'Succeeded', statusMessage: `Deployment ${deployment.id} was stopped.` };
    }
    deployment.status = 'Stopped';
    deployment.completeTime = this.ctx.clock.now();
    deployment.errorMessage = 'The deployment was stopped by StopDeployment.';
    const rollbackId = this.newDeploymentId(state);
    this.ctx.note(
      state.source,
      'codedeploy',
      `${this.who(state)}: ${deployment.id} (${deployment.revision}) stopped; CodeDeploy rolls back to ${this.lastGood(state) ?? '?'} (${rollbackId})`,
    );
    this.emit(state, CODEDEPLOY_STATE.stop, deployment);
    this.rollBack(state, deployment, rollbackId, 'was stopped with automatic rollback');
    return { status: 'Succeeded', statusMessage: `Deployment ${deployment.id} was stopped.` };
  }

  private createDeployment(input: CreateDeploymentCommandInput): Record<string, unknown> {
    const modelled = new Set(['applicationName', 'deploymentGroupName', 'revision', 'description']);
    const unmodelled = Object.entries(input)
      .filter(([k, v]) => v !== undefined && !modelled.has(k))
      .map(([k]) => k);
    if (unmodelled.length > 0) {
      throw new SimulatorGapError(
        `codedeploy:CreateDeployment parameters ${unmodelled.join(', ')} are not modelled`,
      );
    }
    const state = this.require(input.applicationName, input.deploymentGroupName);
    if (!input.revision) {
      throw new RevisionRequiredException({ message: 'The revision must be specified.', $metadata: {} });
    }
    const revision = revisionLabelOf(input.revision);
    const active = this.active(state);
    if (active) {
      throw new DeploymentLimitExceededException({
        message: `The deployment group ${state.spec.deploymentGroup} already has an active deployment (${active.id}).`,
        $metadata: {},
      });
    }
    const id = this.newDeploymentId(state);
    this.ctx.note(
      state.source,
      'codedeploy',
      `${this.who(state)}: CreateDeployment ${state.serving} → ${revision} (${id})`,
    );
    this.start(state, {
      id,
      revision,
      creator: 'user',
      ...(input.description === undefined ? {} : { description: input.description }),
      ...(this.unavailableVersions.has(revision) ? { unavailable: true } : {}),
    });
    return { deploymentId: id };
  }

  /** A new deployment: its revision serves from START; it succeeds (or fails) after rolloutSeconds. */
  private start(
    state: GroupState,
    d: Pick<CdDeployment, 'id' | 'revision' | 'creator' | 'description' | 'rollbackInfo' | 'unavailable'>,
  ): void {
    const deployment: CdDeployment = {
      ...d,
      previous: state.serving,
      status: 'InProgress',
      createTime: this.ctx.clock.now(),
    };
    this.add(state, deployment);
    state.serving = deployment.revision;
    this.emit(state, CODEDEPLOY_STATE.start, deployment);
    this.servingChanged(state, false);
    this.ctx.clock.after(state.spec.rolloutSeconds * 1_000, () => this.finish(state, deployment));
  }

  /** End of a deployment's rollout: it succeeds, or fails and CodeDeploy rolls it back automatically. */
  private finish(state: GroupState, deployment: CdDeployment): void {
    if (deployment.status !== 'InProgress') return;
    deployment.completeTime = this.ctx.clock.now();
    const who = this.who(state);
    const rollback = deployment.creator === 'codeDeployRollback';
    if (this.failingVersions.has(deployment.revision) || deployment.unavailable === true) {
      deployment.status = 'Failed';
      deployment.errorMessage = deployment.unavailable
        ? `The deployment of ${deployment.revision} failed: its bundle could not be downloaded (the revision is gone).`
        : `The deployment of ${deployment.revision} failed its health checks.`;
      // CodeDeploy never rolls a rollback back: the group is left on the revision that failed.
      const rollbackId =
        rollback || this.lastGood(state) === undefined ? undefined : this.newDeploymentId(state);
      this.ctx.note(
        state.source,
        'codedeploy',
        `${who}: ${deployment.id} (${deployment.revision}) failed${rollbackId ? `; CodeDeploy rolls back to ${this.lastGood(state) ?? '?'} (${rollbackId})` : ''}`,
      );
      this.emit(state, CODEDEPLOY_STATE.failure, deployment);
      if (rollbackId) this.rollBack(state, deployment, rollbackId, 'failed');
      return;
    }
    deployment.status = 'Succeeded';
    this.ctx.note(
      state.source,
      'codedeploy',
      `${who}: ${deployment.id} (${deployment.revision}) succeeded${rollback ? ' (rollback)' : ''}`,
    );
    this.emit(state, CODEDEPLOY_STATE.success, deployment);
    this.servingChanged(state, true);
  }

  /**
   * CodeDeploy's automatic rollback: a new deployment, by CodeDeploy itself, of the last revision that deployed
   * successfully (the previous revision, unless that one never succeeded).
   */
  private rollBack(state: GroupState, from: CdDeployment, rollbackId: string, why: string): void {
    const previous = this.lastGood(state);
    if (previous === undefined)
      throw new Error(`deployment ${from.id} has no successful revision to roll back to`);
    from.rollbackInfo = {
      rollbackDeploymentId: rollbackId,
      rollbackMessage: `Deployment ${from.id} ${why}; CodeDeploy rolls back with deployment ${rollbackId}.`,
    };
    this.start(state, {
      id: rollbackId,
      revision: previous,
      creator: 'codeDeployRollback',
      rollbackInfo: {
        rollbackTriggeringDeploymentId: from.id,
        rollbackMessage: `Rollback of deployment ${from.id}, which ${why}: redeploys ${previous}.`,
      },
    });
  }

  /** The revision of the group's last successful deployment: what its automatic rollbacks restore. */
  private lastGood(state: GroupState): string | undefined {
    return state.deployments.find((d) => d.status === 'Succeeded')?.revision;
  }

  private active(state: GroupState): CdDeployment | undefined {
    return state.deployments.find((d) => d.status === 'InProgress');
  }

  private add(state: GroupState, deployment: CdDeployment): void {
    state.deployments.unshift(deployment);
    this.byId.set(deployment.id, { state, deployment });
  }

  /** Emits a state-change event, unless the group loses events in that state (then the timeline says so). */
  private emit(state: GroupState, eventState: CodeDeployState, deployment: CdDeployment): void {
    if (state.lost.has(eventState)) {
      this.ctx.note(
        state.source,
        'lost',
        `${this.who(state)}: event lost: ${eventState} of ${deployment.id} (${deployment.revision}) is never delivered`,
      );
      return;
    }
    this.ctx.emit(
      state.source,
      codeDeployStateChangeEvent({
        id: stableUuid(`event:${state.source}`, this.ctx.next(`event:${state.source}`)),
        at: this.ctx.clock.now(),
        application: state.spec.application,
        deploymentGroup: state.spec.deploymentGroup,
        instanceGroupId: state.groupId,
        deploymentId: deployment.id,
        state: eventState,
        region: this.ctx.region,
      }),
      1,
    );
  }

  private servingChanged(state: GroupState, settled: boolean): void {
    if (state.targetId !== undefined) this.onServing(state.targetId, state.serving, settled);
  }

  /** `d-` and nine upper-case letters and digits, like CodeDeploy's; stable per group and counter. */
  private newDeploymentId(state: GroupState): string {
    for (;;) {
      const n = this.ctx.next(`deployment:${state.source}`);
      const id = `d-${stableToken(`deployment:${state.source}`, n, 9, DEPLOYMENT_ID_ALPHABET)}`;
      if (!this.byId.has(id)) return id;
    }
  }

  private describe(state: GroupState, d: CdDeployment): DeploymentInfo {
    return {
      applicationName: state.spec.application,
      deploymentGroupName: state.spec.deploymentGroup,
      deploymentConfigName: DEPLOYMENT_CONFIG,
      deploymentId: d.id,
      ...(d.previous === undefined ? {} : { previousRevision: revisionLocation(d.previous) }),
      revision: revisionLocation(d.revision),
      status: d.status,
      ...(d.errorMessage === undefined
        ? {}
        : {
            errorInformation: {
              code: d.status === 'Stopped' ? 'MANUAL_STOP' : 'HEALTH_CONSTRAINTS',
              message: d.errorMessage,
            },
          }),
      createTime: new Date(d.createTime),
      startTime: new Date(d.createTime),
      ...(d.completeTime === undefined ? {} : { completeTime: new Date(d.completeTime) }),
      ...(d.description === undefined ? {} : { description: d.description }),
      creator: d.creator,
      autoRollbackConfiguration: AUTO_ROLLBACK,
      ...(d.rollbackInfo === undefined ? {} : { rollbackInfo: d.rollbackInfo }),
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITHOUT_TRAFFIC_CONTROL' },
      computePlatform: 'Server',
    };
  }

  /** The group, or the error CodeDeploy returns when a name is missing or unknown. */
  private require(application: string | undefined, group: string | undefined): GroupState {
    if (!application) {
      throw new ApplicationNameRequiredException({
        message: 'The application name must be specified.',
        $metadata: {},
      });
    }
    if (!group) {
      throw new DeploymentGroupNameRequiredException({
        message: 'The deployment group name must be specified.',
        $metadata: {},
      });
    }
    const state = this.groups.get(`${application}/${group}`);
    if (state) return state;
    if (![...this.groups.values()].some((g) => g.spec.application === application)) {
      throw new ApplicationDoesNotExistException({
        message: `No application found for name: ${application}`,
        $metadata: {},
      });
    }
    throw new DeploymentGroupDoesNotExistException({
      message: `No Deployment Group found for name: ${group}`,
      $metadata: {},
    });
  }

  private who(state: GroupState): string {
    return state.targetId ?? `${state.spec.application}/${state.spec.deploymentGroup}`;
  }
}

function lastDeploymentInfo(d: CdDeployment): LastDeploymentInfo {
  return {
    deploymentId: d.id,
    status: d.status,
    createTime: new Date(d.createTime),
    ...(d.completeTime === undefined ? {} : { endTime: new Date(d.completeTime) }),
  };
}
