import {
  ImageNotFoundException,
  LifecyclePolicyNotFoundException,
  RepositoryNotFoundException as EcrRepositoryNotFoundException,
  type DescribeImagesCommandInput,
  type GetLifecyclePolicyCommandInput,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import {
  ClusterNotFoundException,
  ConflictException,
  InvalidParameterException,
  ServiceDeploymentNotFoundException,
  ServiceNotFoundException,
  type Deployment,
  type DeploymentConfiguration,
  type DescribeServiceRevisionsCommandInput,
  type DescribeServicesCommandInput,
  type DescribeTaskDefinitionCommandInput,
  type ListServiceDeploymentsCommandInput,
  type Service,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
  type ServiceRevision,
  type StopServiceDeploymentCommandInput,
  type Tag,
  type UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import { ECS_DEPLOYMENT_EVENT, MIN_COMPATIBLE_SCHEMA_TAG, SCHEMA_TAG } from '../../contract';
import {
  ECS_CANARY_DEFAULTS,
  ECS_LINEAR_DEFAULTS,
  ECS_SIM_STRATEGIES,
  type EcsServiceSpec,
  type EcsSimStrategy,
  type VersionSpec,
} from '../scenario';
import { simCommand, type SimCommands } from '../sim-commands';
import {
  SIM_ACCOUNT,
  ecsClusterArn,
  ecsDeploymentEvent,
  ecsServiceArn,
  stableToken,
  stableUuid,
  taskDefinitionArn,
} from './account';
import { SimulatorGapError, ecsSource, type WorldContext } from './world-context';

const DAY_MS = 86_400_000;
const TASK_DEFINITION = /^(?:arn:aws:ecs:[^:]+:\d{12}:task-definition\/)?([A-Za-z0-9_-]{1,255}:[1-9]\d*)$/;
/** Statuses in which a service deployment can still be stopped. */
const STOPPABLE: readonly ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS'];
const DESIRED_COUNT = 2;
/** DescribeServiceRevisions takes at most this many ARNs. */
const MAX_REVISION_ARNS = 20;
/** ECS's range for every bake time of a deployment configuration, in whole minutes. */
const MAX_BAKE_MINUTES = 1440;
/** What DescribeServices reports for the settings the sim does not model: all an UpdateService may send. */
const CIRCUIT_BREAKER = { enable: true, rollback: true } as const;
const MAXIMUM_PERCENT = 200;
const MINIMUM_HEALTHY_PERCENT = 100;

/** ECS's limits on a resource's tags (its API reference, `Tag`): how many, and how long a key or value. */
export const ECS_TAG_LIMITS = { tags: 50, keyLength: 128, valueLength: 256 } as const;

/**
 * The tags of a version's task definition: the two its schema settings make, then its raw `tags`, which win
 * over those with the same key (so a scenario can give the watchdog a malformed value).
 */
export function versionTags(spec: VersionSpec | undefined): Tag[] {
  if (!spec) return [];
  const tags = new Map<string, string>();
  if (spec.schema !== undefined) tags.set(SCHEMA_TAG, String(spec.schema));
  if (spec.minCompatibleSchema !== undefined)
    tags.set(MIN_COMPATIBLE_SCHEMA_TAG, String(spec.minCompatibleSchema));
  for (const [key, value] of Object.entries(spec.tags)) tags.set(key, value);
  return [...tags].map(([key, value]) => ({ key, value }));
}

/**
 * The part of a service's `deploymentConfiguration` the sim models: the strategy and its traffic-shifting
 * settings. The scenario's spec gives the initial one; UpdateService can change it.
 */
export type EcsStrategyConfig = Pick<EcsServiceSpec, 'strategy' | 'bakeTimeInMinutes' | 'linear' | 'canary'>;

/** One rollout of a service (ECS's `ecs-svc/...` deployment). */
interface EcsDeployment {
  readonly id: string;
  readonly taskDefinition: string;
  status: 'PRIMARY' | 'ACTIVE';
  rolloutState: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  rolloutStateReason: string;
  readonly createdAt: number;
  updatedAt: number;
  /** This rollout restores the source of its service deployment (circuit breaker or stop with rollback). */
  readonly isRollback: boolean;
  readonly serviceDeployment: ServiceDeployment;
  /** The watchdog deployed a version whose image is gone (`unavailableVersions`): it fails as a failing one. */
  readonly unavailable?: boolean;
}

/** The ServiceDeployment resource (ListServiceDeployments / StopServiceDeployment): one requested change. */
interface ServiceDeployment {
  readonly arn: string;
  /** The revision it deploys (its target); a rollback deploys its source's, and ECS makes no new one for it. */
  readonly serviceRevisionArn: string;
  /** The version of that revision. */
  readonly taskDefinition: string;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  /** Version the service ran before, and the rollout that ran it: what a rollback restores. */
  readonly source: { readonly taskDefinition: string; readonly deploymentId: string } | undefined;
  readonly createdAt: number;
  finishedAt?: number;
  /**
   * The deployment configuration in force when it started (ECS records one on each service deployment). Its
   * rollouts, forward and ECS's own rollback, run under it, so a later UpdateService of the configuration
   * never changes a deployment already running.
   */
  readonly configuration: EcsStrategyConfig;
}

interface ServiceState {
  readonly spec: EcsServiceSpec;
  /** `ecs:cluster/service`: orders effects and keys this service's id counters. */
  readonly source: string;
  /** 1-based position in the scenario; makes deployment ids unique across services. */
  readonly number: number;
  readonly targetId: string | undefined;
  /** What DescribeServices reports as the service's task definition. */
  taskDefinition: string;
  /** The configuration the next deployment will run under (DescribeServices reports it). */
  configuration: EcsStrategyConfig;
  /** PRIMARY first, then ACTIVE ones newest first (ECS's order). */
  deployments: EcsDeployment[];
  /** Newest first. */
  readonly serviceDeployments: ServiceDeployment[];
}

/** Told whenever the version a service serves changes or finishes rolling out; drives the alarms. */
export type ServingListener = (targetId: string, version: string, settled: boolean) => void;

/**
 * The ECS part of the simulated account: rolling, blue/green, linear and canary deployments with the circuit
 * breaker and rollback enabled, the ServiceDeployment API, and `ECS Deployment State Change` events
 * (docs/architecture.md, "World semantics").
 */
export class EcsWorld {
  private readonly services = new Map<string, ServiceState>();

  constructor(
    private readonly ctx: WorldContext,
    specs: readonly EcsServiceSpec[],
    /** `cluster/service` → config target id. */
    targets: ReadonlyMap<string, string>,
    private readonly failingVersions: ReadonlySet<string>,
    /** `family:revision` → what the scenario's `world.versions` says of it (its task definition's tags). */
    private readonly versions: ReadonlyMap<string, VersionSpec>,
    private readonly onServing: ServingListener,
    /**
     * The scenario's `unavailableVersions`: their images were deleted after they served. ECR's DescribeImages
     * no longer lists them, and the watchdog's UpdateService onto one fails at the end of its rollout (the
     * tasks cannot pull the image), when the circuit breaker restores what ran; a timeline `deploy` of one
     * deploys as usual.
     */
    private readonly unavailableVersions: ReadonlySet<string> = new Set(),
  ) {
    const start = ctx.clock.now();
    specs.forEach((spec, index) => {
      const key = `${spec.cluster}/${spec.service}`;
      const state: ServiceState = {
        spec,
        source: ecsSource(spec.cluster, spec.service),
        number: index + 1,
        targetId: targets.get(key),
        taskDefinition: spec.taskDefinition,
        configuration: {
          strategy: spec.strategy,
          bakeTimeInMinutes: spec.bakeTimeInMinutes,
          linear: spec.linear,
          canary: spec.canary,
        },
        deployments: [],
        serviceDeployments: [],
      };
      // The initial version finished rolling out a day before the scenario starts, so it is known-good.
      const createdAt = start - DAY_MS - spec.rolloutSeconds * 1_000;
      const sd = this.newServiceDeployment(state, spec.taskDefinition, undefined, createdAt);
      sd.status = 'SUCCESSFUL';
      sd.finishedAt = start - DAY_MS;
      const id = this.newDeploymentId(state);
      state.deployments.push({
        id,
        taskDefinition: spec.taskDefinition,
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        rolloutStateReason: `ECS deployment ${id} completed.`,
        createdAt,
        updatedAt: start - DAY_MS,
        isRollback: false,
        serviceDeployment: sd,
      });
      this.services.set(key, state);
    });
  }

  /** The version each service runs, by config target id. */
  versionOf(targetId: string): string | undefined {
    return [...this.services.values()].find((s) => s.targetId === targetId)?.taskDefinition;
  }

  /** A release by someone other than the watchdog (the timeline's `deploy`). */
  release(cluster: string, service: string, version: string): void {
    const state = this.services.get(`${cluster}/${service}`);
    if (!state) throw new Error(`no ECS service ${cluster}/${service} in the world`);
    this.ctx.note(
      state.source,
      'deploy',
      `${state.targetId ?? service}: release ${state.taskDefinition} → ${version}`,
    );
    this.startDeployment(state, version);
  }

  /**
   * The service as UpdateService answers with it now: what the CloudTrail record of a release carries in
   * `responseElements` (world.ts records the call for a timeline `deploy` that names who deployed).
   */
  serviceNow(cluster: string, service: string): Service {
    return this.describe(this.require(cluster, service));
  }

  /** Whether a rollout fails: its version fails, or its image is gone. */
  private fails(deployment: EcsDeployment): boolean {
    return this.failingVersions.has(deployment.taskDefinition) || deployment.unavailable === true;
  }

  /**
   * ECR in the simulated account: one repository per task definition family, holding the image of every
   * version its services have deployed (tagged with the revision, digest digestOf) but the
   * `unavailableVersions`, and no lifecycle policy.
   */
  ecrCommands(): SimCommands {
    return {
      DescribeImages: simCommand<DescribeImagesCommandInput>({
        run: (input) => this.describeImages(input),
      }),
      GetLifecyclePolicy: simCommand<GetLifecyclePolicyCommandInput>({
        run: (input) => {
          throw new LifecyclePolicyNotFoundException({
            message: `Lifecycle policy does not exist for the repository with name '${input.repositoryName ?? ''}'`,
            $metadata: {},
          });
        },
      }),
    };
  }

  private describeImages(input: DescribeImagesCommandInput): Record<string, unknown> {
    const repository = input.repositoryName ?? '';
    const versions = new Map<string, number>();
    for (const state of this.services.values()) {
      for (const sd of state.serviceDeployments) {
        const [family = ''] = sd.taskDefinition.split(':');
        if (family !== repository || this.unavailableVersions.has(sd.taskDefinition)) continue;
        const pushed = versions.get(sd.taskDefinition);
        if (pushed === undefined || sd.createdAt < pushed) versions.set(sd.taskDefinition, sd.createdAt);
      }
    }
    const images = [...versions].map(([version, pushedAt]) => {
      const image = imageOf(version, this.ctx.region);
      return {
        registryId: SIM_ACCOUNT,
        repositoryName: repository,
        imageDigest: digestOf(image),
        imageTags: [version.split(':')[1] ?? ''],
        imagePushedAt: new Date(pushedAt),
        imageStatus: 'ACTIVE',
      };
    });
    if (
      images.length === 0 &&
      ![...this.services.values()].some((s) => s.taskDefinition.startsWith(`${repository}:`))
    ) {
      throw new EcrRepositoryNotFoundException({
        message: `The repository with name '${repository}' does not exist in the registry with id '${SIM_ACCOUNT}'`,
        $metadata: {},
      });
    }
    const ids = input.imageIds;
    if (!ids) return { imageDetails: images };
    const found = ids.map((id) =>
      images.find((i) =>
        id.imageDigest ? i.imageDigest === id.imageDigest : i.imageTags.includes(id.imageTag ?? 'latest'),
      ),
    );
    if (found.some((f) => f === undefined)) {
      throw new ImageNotFoundException({
        message: `The image requested does not exist in the specified repository.`,
        $metadata: {},
      });
    }
    return { imageDetails: found };
  }

  /** The SDK-level answers of the ECS API (the simulator's middleware dispatches to these). */
  commands(): SimCommands {
    return {
      DescribeServices: simCommand<DescribeServicesCommandInput>({
        target: (input) => this.targetOf(input),
        run: (input) => this.describeServices(input),
      }),
      DescribeTaskDefinition: simCommand<DescribeTaskDefinitionCommandInput>({
        run: (input) => this.describeTaskDefinition(input),
      }),
      DescribeServiceRevisions: simCommand<DescribeServiceRevisionsCommandInput>({
        run: (input) => this.describeServiceRevisions(input),
      }),
      ListServiceDeployments: simCommand<ListServiceDeploymentsCommandInput>({
        target: (input) => this.targetOf(input),
        run: (input) => this.listServiceDeployments(input),
      }),
      StopServiceDeployment: simCommand<StopServiceDeploymentCommandInput>({
        target: (input) => {
          const found = this.findServiceDeployment(input.serviceDeploymentArn);
          return found?.state.targetId ?? found?.state.spec.service;
        },
        run: (input) => this.stopServiceDeployment(input),
      }),
      UpdateService: simCommand<UpdateServiceCommandInput>({
        target: (input) => this.targetOf(input),
        run: (input) => this.updateService(input),
      }),
    };
  }

  private targetOf(input: { cluster?: string; service?: string; services?: string[] }): string | undefined {
    const name = input.service ?? input.services?.[0];
    if (name === undefined) return undefined;
    return this.services.get(`${clusterName(input.cluster)}/${name}`)?.targetId ?? name;
  }

  private describeServices(input: DescribeServicesCommandInput): Record<string, unknown> {
    const cluster = clusterName(input.cluster);
    const services: Service[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const name of input.services ?? []) {
      const state = this.lookup(cluster, name);
      if (state) services.push(this.describe(state));
      else failures.push({ arn: ecsServiceArn(cluster, name, this.ctx.region), reason: 'MISSING' });
    }
    return { services, failures };
  }

  /**
   * Every `family:revision` is registered in the simulated account (UpdateService accepts any), each with one
   * essential container named after the family whose image is tagged with the revision, so two versions of a
   * target always differ in exactly that image. With `include: ['TAGS']` the answer has the task definition's
   * tags beside it, as ECS's does (`versionTags`: none for a version `world.versions` does not list).
   */
  private describeTaskDefinition(input: DescribeTaskDefinitionCommandInput): Record<string, unknown> {
    const include: readonly string[] = input.include ?? [];
    const unknownField = include.find((field) => field !== 'TAGS');
    if (unknownField !== undefined)
      throw invalid(
        `include must list only TAGS, the one field ECS can add (got ${JSON.stringify(unknownField)}).`,
      );
    const m = TASK_DEFINITION.exec(input.taskDefinition ?? '');
    if (!m?.[1]) {
      throw new SimulatorGapError(
        `ecs:DescribeTaskDefinition of ${String(input.taskDefinition)} is not modelled: the simulated account knows task definitions only as family:revision or their ARN (a family alone would need the latest revision)`,
      );
    }
    const familyRevision = m[1];
    const [family = '', revision = ''] = familyRevision.split(':');
    return {
      taskDefinition: {
        taskDefinitionArn: taskDefinitionArn(familyRevision, this.ctx.region),
        family,
        revision: Number(revision),
        status: 'ACTIVE',
        containerDefinitions: [
          { name: family, image: imageOf(familyRevision, this.ctx.region), essential: true },
        ],
      },
      ...(include.includes('TAGS') ? { tags: versionTags(this.versions.get(familyRevision)) } : {}),
    };
  }

  /**
   * The revisions the service deployments deployed, each with the digest ECS resolved its image to: the
   * sha256 of the image reference, so a version always has the same digest and every run prints the same.
   * An ARN the world never made is reported in `failures` as MISSING, as ECS reports one it cannot describe.
   */
  private describeServiceRevisions(input: DescribeServiceRevisionsCommandInput): Record<string, unknown> {
    const arns = input.serviceRevisionArns ?? [];
    if (arns.length === 0 || arns.length > MAX_REVISION_ARNS) {
      throw new InvalidParameterException({
        message: `serviceRevisionArns must name 1 to ${MAX_REVISION_ARNS} service revisions (got ${arns.length}).`,
        $metadata: {},
      });
    }
    const serviceRevisions: ServiceRevision[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const arn of arns) {
      const found = this.findServiceRevision(arn);
      if (!found) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      const { state, sd } = found;
      const [family = ''] = sd.taskDefinition.split(':');
      const image = imageOf(sd.taskDefinition, this.ctx.region);
      serviceRevisions.push({
        serviceRevisionArn: sd.serviceRevisionArn,
        serviceArn: ecsServiceArn(state.spec.cluster, state.spec.service, this.ctx.region),
        clusterArn: ecsClusterArn(state.spec.cluster, this.ctx.region),
        taskDefinition: taskDefinitionArn(sd.taskDefinition, this.ctx.region),
        launchType: 'FARGATE',
        containerImages: [{ containerName: family, image, imageDigest: digestOf(image) }],
        createdAt: new Date(sd.createdAt),
      });
    }
    return { serviceRevisions, failures };
  }

  private listServiceDeployments(input: ListServiceDeploymentsCommandInput): Record<string, unknown> {
    const state = this.require(clusterName(input.cluster), input.service ?? '');
    const wanted = input.status;
    const after = input.createdAt?.after?.getTime();
    const before = input.createdAt?.before?.getTime();
    const serviceDeployments: ServiceDeploymentBrief[] = state.serviceDeployments
      .filter(
        (sd) =>
          (wanted === undefined || wanted.length === 0 || wanted.includes(sd.status)) &&
          (after === undefined || sd.createdAt >= after) &&
          (before === undefined || sd.createdAt <= before),
      )
      .map((sd) => ({
        serviceDeploymentArn: sd.arn,
        serviceArn: ecsServiceArn(state.spec.cluster, state.spec.service, this.ctx.region),
        clusterArn: ecsClusterArn(state.spec.cluster, this.ctx.region),
        createdAt: new Date(sd.createdAt),
        startedAt: new Date(sd.createdAt),
        ...(sd.finishedAt === undefined ? {} : { finishedAt: new Date(sd.finishedAt) }),
        targetServiceRevisionArn: sd.serviceRevisionArn,
        status: sd.status,
        ...(sd.statusReason === undefined ? {} : { statusReason: sd.statusReason }),
      }));
    return { serviceDeployments };
  }

  private stopServiceDeployment(input: StopServiceDeploymentCommandInput): Record<string, unknown> {
    const stopType = input.stopType ?? 'ROLLBACK';
    if (stopType !== 'ROLLBACK') {
      throw new SimulatorGapError(
        `ecs:StopServiceDeployment with stopType ${stopType} is not modelled (only ROLLBACK)`,
      );
    }
    const found = this.findServiceDeployment(input.serviceDeploymentArn);
    if (!found) {
      throw new ServiceDeploymentNotFoundException({
        message: `The service deployment ${String(input.serviceDeploymentArn)} does not exist.`,
        $metadata: {},
      });
    }
    const { state, sd } = found;
    if (!STOPPABLE.includes(sd.status)) {
      throw new ConflictException({
        message: `The service deployment ${sd.arn} is ${sd.status} and can no longer be stopped.`,
        $metadata: {},
      });
    }
    const stopped = state.deployments[0].id;
    this.ctx.note(
      state.source,
      'ecs',
      `${state.targetId ?? state.spec.service}: ${stopped} stopped with rollback`,
    );
    this.rollBack(state, sd, `ECS deployment ${stopped} stopped by StopServiceDeployment`);
    return { serviceDeploymentArn: sd.arn };
  }

  private updateService(input: UpdateServiceCommandInput): Record<string, unknown> {
    const modelled = new Set([
      'cluster',
      'service',
      'taskDefinition',
      'forceNewDeployment',
      'deploymentConfiguration',
    ]);
    const unmodelled = Object.entries(input)
      .filter(([k, v]) => v !== undefined && !modelled.has(k))
      .map(([k]) => k);
    if (unmodelled.length > 0) {
      throw new SimulatorGapError(`ecs:UpdateService parameters ${unmodelled.join(', ')} are not modelled`);
    }
    const state = this.require(clusterName(input.cluster), input.service ?? '');
    let version = state.taskDefinition;
    if (input.taskDefinition !== undefined) {
      const m = TASK_DEFINITION.exec(input.taskDefinition);
      if (!m?.[1]) {
        throw new InvalidParameterException({
          message: `The simulated account knows task definitions only as family:revision or their ARN (got ${input.taskDefinition}).`,
          $metadata: {},
        });
      }
      version = m[1];
    }
    const deploys = version !== state.taskDefinition || input.forceNewDeployment === true;
    const who = state.targetId ?? state.spec.service;
    if (input.deploymentConfiguration !== undefined) {
      const next = nextConfiguration(state.configuration, input.deploymentConfiguration);
      // ECS's API reference: changing the deployment configuration does not start a deployment; the new one
      // applies from the next. With a deployment in the same call it is undocumented which configuration that
      // deployment runs under; the sim applies the configuration first and deploys under it. (The watchdog
      // always sends the two as separate calls.)
      this.ctx.note(
        state.source,
        'ecs',
        `${who}: deployment configuration ${describeConfiguration(state.configuration)} → ${describeConfiguration(next)}${deploys ? '' : '; no deployment started'}`,
      );
      state.configuration = next;
    }
    if (deploys) {
      this.ctx.note(state.source, 'ecs', `${who}: UpdateService ${state.taskDefinition} → ${version}`);
      this.startDeployment(state, version, this.unavailableVersions.has(version));
    }
    return { service: this.describe(state) };
  }

  /** A new rollout: the service reports the new version at once; the old PRIMARY keeps serving as ACTIVE. */
  private startDeployment(state: ServiceState, version: string, unavailable = false): void {
    const now = this.ctx.clock.now();
    const previous = state.deployments[0];
    for (const sd of state.serviceDeployments) {
      if (STOPPABLE.includes(sd.status) || sd.status === 'ROLLBACK_IN_PROGRESS') {
        sd.status = 'STOPPED';
        sd.statusReason = 'Replaced by a newer service deployment.';
        sd.finishedAt = now;
      }
    }
    const source = previous ? { taskDefinition: state.taskDefinition, deploymentId: previous.id } : undefined;
    const sd = this.newServiceDeployment(state, version, source, now);
    sd.status = 'IN_PROGRESS';
    const id = this.newDeploymentId(state);
    const deployment: EcsDeployment = {
      id,
      taskDefinition: version,
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `ECS deployment ${id} in progress.`,
      createdAt: now,
      updatedAt: now,
      isRollback: false,
      serviceDeployment: sd,
      ...(unavailable ? { unavailable } : {}),
    };
    this.makePrimary(state, deployment);
    state.taskDefinition = version;
    this.emit(state, ECS_DEPLOYMENT_EVENT.inProgress, deployment);
    if (shiftsTraffic(sd.configuration)) {
      // Green starts beside blue and takes no production traffic until it is up.
      this.ctx.clock.after(state.spec.rolloutSeconds * 1_000, () => this.shiftTraffic(state, deployment));
      return;
    }
    this.servingChanged(state, false);
    this.ctx.clock.after(state.spec.rolloutSeconds * 1_000, () => this.finish(state, deployment));
  }

  /**
   * The traffic-shifting strategies, green up: production traffic moves to it step by step (BLUE_GREEN all at
   * once; LINEAR by `stepPercent` every `stepBakeMinutes`; CANARY `canaryPercent`, then the rest after
   * `canaryBakeMinutes`), blue keeps running through ECS's bake time after the last step, and the deployment
   * completes after it. A failing version fails before any traffic reaches it, and blue never stopped serving.
   */
  private shiftTraffic(state: ServiceState, deployment: EcsDeployment, step = 0): void {
    if (state.deployments[0] !== deployment || deployment.rolloutState !== 'IN_PROGRESS') return;
    if (step === 0 && this.fails(deployment)) {
      this.finish(state, deployment);
      return;
    }
    const steps = trafficSteps(deployment.serviceDeployment.configuration);
    const current = steps[step];
    if (!current) return;
    this.ctx.note(
      state.source,
      'ecs',
      `${state.targetId ?? state.spec.service}: ${current.percent}% of production traffic shifted to ${deployment.taskDefinition}; ${step === steps.length - 1 ? 'bake time' : 'step bake'} ${current.waitMinutes} min`,
    );
    // The version serves (and its errors show) from the first step on.
    if (step === 0) this.servingChanged(state, false);
    this.ctx.clock.after(current.waitMinutes * 60_000, () =>
      step === steps.length - 1
        ? this.finish(state, deployment)
        : this.shiftTraffic(state, deployment, step + 1),
    );
  }

  /** End of a rollout: completes, or fails and lets the circuit breaker restore the source version. */
  private finish(state: ServiceState, deployment: EcsDeployment): void {
    if (state.deployments[0] !== deployment || deployment.rolloutState !== 'IN_PROGRESS') return;
    const now = this.ctx.clock.now();
    const sd = deployment.serviceDeployment;
    deployment.updatedAt = now;
    const who = state.targetId ?? state.spec.service;
    if (this.fails(deployment)) {
      deployment.rolloutState = 'FAILED';
      deployment.rolloutStateReason = deployment.unavailable
        ? 'ECS deployment circuit breaker: tasks failed to start (CannotPullContainerError: the image is gone).'
        : 'ECS deployment circuit breaker: tasks failed to start.';
      this.ctx.note(
        state.source,
        'ecs',
        `${who}: ${deployment.id} (${deployment.taskDefinition}) failed${deployment.isRollback ? '' : `; the circuit breaker rolls back to ${sd.source?.taskDefinition ?? '?'}`}`,
      );
      if (deployment.isRollback) {
        // ECS never rolls a rollback back: the service is left on the version that failed.
        sd.status = 'ROLLBACK_FAILED';
        sd.statusReason = deployment.rolloutStateReason;
        sd.finishedAt = now;
        this.emit(state, ECS_DEPLOYMENT_EVENT.failed, deployment);
        return;
      }
      this.emit(state, ECS_DEPLOYMENT_EVENT.failed, deployment);
      this.rollBack(state, sd, 'ECS deployment circuit breaker');
      return;
    }
    deployment.rolloutState = 'COMPLETED';
    deployment.rolloutStateReason = `ECS deployment ${deployment.id} completed.`;
    // Older rollouts drain away once the new one is steady.
    state.deployments = [deployment];
    sd.status = deployment.isRollback ? 'ROLLBACK_SUCCESSFUL' : 'SUCCESSFUL';
    sd.finishedAt = now;
    this.ctx.note(
      state.source,
      'ecs',
      `${who}: ${deployment.id} (${deployment.taskDefinition}) completed${deployment.isRollback ? ' (rollback)' : ''}`,
    );
    this.emit(state, ECS_DEPLOYMENT_EVENT.completed, deployment);
    this.servingChanged(state, true);
  }

  /**
   * ECS's own rollback of a service deployment (circuit breaker, or StopServiceDeployment with ROLLBACK):
   * the service goes back to the source version at once and a new rollout of it starts.
   */
  private rollBack(state: ServiceState, sd: ServiceDeployment, why: string): void {
    const source = sd.source;
    if (!source) throw new Error(`service deployment ${sd.arn} has no source to roll back to`);
    const now = this.ctx.clock.now();
    sd.status = 'ROLLBACK_IN_PROGRESS';
    sd.statusReason = `${why}: rolling back to ${source.taskDefinition}.`;
    const id = this.newDeploymentId(state);
    const deployment: EcsDeployment = {
      id,
      taskDefinition: source.taskDefinition,
      status: 'PRIMARY',
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: `${why}: rolling back to deploymentId ${source.deploymentId}.`,
      createdAt: now,
      updatedAt: now,
      isRollback: true,
      serviceDeployment: sd,
    };
    // The rollback belongs to the service deployment it rolls back, and so runs under its configuration.
    const blueRunning =
      shiftsTraffic(sd.configuration) &&
      state.deployments.some((d) => d.id === source.deploymentId && d.status === 'ACTIVE');
    this.makePrimary(state, deployment);
    state.taskDefinition = source.taskDefinition;
    this.emit(state, ECS_DEPLOYMENT_EVENT.inProgress, deployment);
    this.servingChanged(state, false);
    // Blue never stopped: the rollback moves traffic back to it and ends, with no task to start.
    const takes = blueRunning ? 0 : state.spec.rolloutSeconds * 1_000;
    if (blueRunning) {
      this.ctx.note(
        state.source,
        'ecs',
        `${state.targetId ?? state.spec.service}: production traffic shifted back to ${source.taskDefinition}, still running`,
      );
    }
    this.ctx.clock.after(takes, () => this.finish(state, deployment));
  }

  private makePrimary(state: ServiceState, deployment: EcsDeployment): void {
    for (const d of state.deployments) d.status = 'ACTIVE';
    state.deployments = [deployment, ...state.deployments];
  }

  private emit(state: ServiceState, eventName: string, deployment: EcsDeployment): void {
    const at = this.ctx.clock.now();
    this.ctx.emit(
      state.source,
      ecsDeploymentEvent({
        id: stableUuid(`event:${state.source}`, this.ctx.next(`event:${state.source}`)),
        at,
        cluster: state.spec.cluster,
        service: state.spec.service,
        eventName,
        deploymentId: deployment.id,
        reason: deployment.rolloutStateReason,
        region: this.ctx.region,
      }),
      1,
    );
  }

  private servingChanged(state: ServiceState, settled: boolean): void {
    if (state.targetId !== undefined) this.onServing(state.targetId, state.taskDefinition, settled);
  }

  /** `ecs-svc/` and a number, like ECS's: unique per service and independent of other services' timing. */
  private newDeploymentId(state: ServiceState): string {
    return `ecs-svc/${state.number * 1_000_000_000 + this.ctx.next(`deployment:${state.source}`)}`;
  }

  private newServiceDeployment(
    state: ServiceState,
    taskDefinition: string,
    source: ServiceDeployment['source'],
    createdAt: number,
  ): ServiceDeployment {
    const n = this.ctx.next(`service-deployment:${state.source}`);
    const { cluster, service } = state.spec;
    const sd: ServiceDeployment = {
      arn: `arn:aws:ecs:${this.ctx.region}:${SIM_ACCOUNT}:service-deployment/${cluster}/${service}/${stableToken(`service-deployment:${state.source}`, n)}`,
      serviceRevisionArn: `arn:aws:ecs:${this.ctx.region}:${SIM_ACCOUNT}:service-revision/${cluster}/${service}/${stableToken(`service-revision:${state.source}`, n)}`,
      taskDefinition,
      status: 'PENDING',
      source,
      createdAt,
      configuration: state.configuration,
    };
    state.serviceDeployments.unshift(sd);
    return sd;
  }

  private describe(state: ServiceState): Service {
    const { cluster, service } = state.spec;
    const deployments: Deployment[] = state.deployments.map((d) => ({
      id: d.id,
      status: d.status,
      taskDefinition: taskDefinitionArn(d.taskDefinition, this.ctx.region),
      desiredCount: d.status === 'PRIMARY' ? DESIRED_COUNT : 0,
      pendingCount: 0,
      runningCount:
        d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED'
          ? DESIRED_COUNT
          : d.status === 'ACTIVE'
            ? DESIRED_COUNT
            : 0,
      failedTasks: d.rolloutState === 'FAILED' ? DESIRED_COUNT : 0,
      createdAt: new Date(d.createdAt),
      updatedAt: new Date(d.updatedAt),
      launchType: 'FARGATE',
      rolloutState: d.rolloutState,
      rolloutStateReason: d.rolloutStateReason,
    }));
    return {
      serviceArn: ecsServiceArn(cluster, service, this.ctx.region),
      serviceName: service,
      clusterArn: ecsClusterArn(cluster, this.ctx.region),
      status: 'ACTIVE',
      desiredCount: DESIRED_COUNT,
      runningCount: DESIRED_COUNT,
      pendingCount: 0,
      launchType: 'FARGATE',
      taskDefinition: taskDefinitionArn(state.taskDefinition, this.ctx.region),
      deploymentConfiguration: reportedConfiguration(state.configuration),
      deploymentController: { type: 'ECS' },
      deployments,
      currentServiceDeployment: state.serviceDeployments[0]?.arn,
      createdAt: new Date(state.serviceDeployments[state.serviceDeployments.length - 1]?.createdAt ?? 0),
      schedulingStrategy: 'REPLICA',
    };
  }

  private lookup(cluster: string, service: string): ServiceState | undefined {
    return this.services.get(`${cluster}/${service}`);
  }

  /** The service, or the error ECS returns when it does not exist. */
  private require(cluster: string, service: string): ServiceState {
    const state = this.lookup(cluster, service);
    if (state) return state;
    if (![...this.services.values()].some((s) => s.spec.cluster === cluster)) {
      throw new ClusterNotFoundException({ message: `Cluster not found: ${cluster}.`, $metadata: {} });
    }
    throw new ServiceNotFoundException({ message: `Service not found: ${service}.`, $metadata: {} });
  }

  private findServiceRevision(arn: string): { state: ServiceState; sd: ServiceDeployment } | undefined {
    for (const state of this.services.values()) {
      const sd = state.serviceDeployments.find((d) => d.serviceRevisionArn === arn);
      if (sd) return { state, sd };
    }
    return undefined;
  }

  private findServiceDeployment(
    arn: string | undefined,
  ): { state: ServiceState; sd: ServiceDeployment } | undefined {
    for (const state of this.services.values()) {
      const sd = state.serviceDeployments.find((d) => d.arn === arn);
      if (sd) return { state, sd };
    }
    return undefined;
  }
}

/** BLUE_GREEN, LINEAR and CANARY: green starts beside blue, which runs until the deployment completes. */
function shiftsTraffic(config: EcsStrategyConfig): boolean {
  return config.strategy !== 'ROLLING';
}

/** The production-traffic steps of a traffic-shifting deployment: the share green has, and the wait after it. */
export function trafficSteps(config: EcsStrategyConfig): { percent: number; waitMinutes: number }[] {
  const bake = config.bakeTimeInMinutes;
  switch (config.strategy) {
    case 'ROLLING':
      return [];
    case 'BLUE_GREEN':
      return [{ percent: 100, waitMinutes: bake }];
    case 'CANARY':
      return [
        { percent: config.canary.canaryPercent, waitMinutes: config.canary.canaryBakeMinutes },
        { percent: 100, waitMinutes: bake },
      ];
    case 'LINEAR': {
      const steps: { percent: number; waitMinutes: number }[] = [];
      const { stepPercent, stepBakeMinutes } = config.linear;
      // Shares are kept to a tenth of a percent, as ECS takes them.
      for (let share = stepPercent; share < 100; share = Math.round((share + stepPercent) * 10) / 10) {
        steps.push({ percent: share, waitMinutes: stepBakeMinutes });
      }
      steps.push({ percent: 100, waitMinutes: bake });
      return steps;
    }
  }
}

/** The service's `deploymentConfiguration` as DescribeServices reports it (no lifecycle hooks, no alarms). */
function reportedConfiguration(config: EcsStrategyConfig): DeploymentConfiguration {
  return {
    deploymentCircuitBreaker: { ...CIRCUIT_BREAKER },
    maximumPercent: MAXIMUM_PERCENT,
    minimumHealthyPercent: MINIMUM_HEALTHY_PERCENT,
    strategy: config.strategy,
    ...(shiftsTraffic(config) ? { bakeTimeInMinutes: config.bakeTimeInMinutes } : {}),
    ...(config.strategy === 'LINEAR'
      ? {
          linearConfiguration: {
            stepPercent: config.linear.stepPercent,
            stepBakeTimeInMinutes: config.linear.stepBakeMinutes,
          },
        }
      : {}),
    ...(config.strategy === 'CANARY'
      ? {
          canaryConfiguration: {
            canaryPercent: config.canary.canaryPercent,
            canaryBakeTimeInMinutes: config.canary.canaryBakeMinutes,
          },
        }
      : {}),
  };
}

/** The configuration for the timeline: `LINEAR (10% every 6 min, bake 30 min)`. */
function describeConfiguration(config: EcsStrategyConfig): string {
  const bake = `bake ${config.bakeTimeInMinutes} min`;
  switch (config.strategy) {
    case 'ROLLING':
      return 'ROLLING';
    case 'BLUE_GREEN':
      return `BLUE_GREEN (${bake})`;
    case 'LINEAR':
      return `LINEAR (${config.linear.stepPercent}% every ${config.linear.stepBakeMinutes} min, ${bake})`;
    case 'CANARY':
      return `CANARY (${config.canary.canaryPercent}% for ${config.canary.canaryBakeMinutes} min, ${bake})`;
  }
}

/**
 * The configuration after UpdateService's `deploymentConfiguration`, validated as ECS does (its API reference's
 * ranges) and refusing what the sim does not model. Settings left out keep their current values, except that a
 * switch to LINEAR or CANARY without its settings takes ECS's defaults for them.
 */
function nextConfiguration(current: EcsStrategyConfig, given: DeploymentConfiguration): EcsStrategyConfig {
  checkUnmodelled(given);
  const strategy = given.strategy === undefined ? current.strategy : strategyOf(given.strategy);
  const switched = strategy !== current.strategy;
  const { linearConfiguration: linear, canaryConfiguration: canary } = given;
  // ECS takes each only with its own strategy (API reference: "only valid when ... strategy set to LINEAR").
  if (linear !== undefined && strategy !== 'LINEAR') {
    throw invalid(
      `deploymentConfiguration.linearConfiguration is valid only with strategy LINEAR (not ${strategy}).`,
    );
  }
  if (canary !== undefined && strategy !== 'CANARY') {
    throw invalid(
      `deploymentConfiguration.canaryConfiguration is valid only with strategy CANARY (not ${strategy}).`,
    );
  }
  onlyKeys('deploymentConfiguration.linearConfiguration', linear, ['stepPercent', 'stepBakeTimeInMinutes']);
  onlyKeys('deploymentConfiguration.canaryConfiguration', canary, [
    'canaryPercent',
    'canaryBakeTimeInMinutes',
  ]);
  const linearBase = switched && strategy === 'LINEAR' ? ECS_LINEAR_DEFAULTS : current.linear;
  const canaryBase = switched && strategy === 'CANARY' ? ECS_CANARY_DEFAULTS : current.canary;
  return {
    strategy,
    bakeTimeInMinutes:
      bakeMinutes('deploymentConfiguration.bakeTimeInMinutes', given.bakeTimeInMinutes) ??
      current.bakeTimeInMinutes,
    linear: {
      stepPercent:
        share('deploymentConfiguration.linearConfiguration.stepPercent', linear?.stepPercent, 3) ??
        linearBase.stepPercent,
      stepBakeMinutes:
        bakeMinutes(
          'deploymentConfiguration.linearConfiguration.stepBakeTimeInMinutes',
          linear?.stepBakeTimeInMinutes,
        ) ?? linearBase.stepBakeMinutes,
    },
    canary: {
      canaryPercent:
        share('deploymentConfiguration.canaryConfiguration.canaryPercent', canary?.canaryPercent, 0.1) ??
        canaryBase.canaryPercent,
      canaryBakeMinutes:
        bakeMinutes(
          'deploymentConfiguration.canaryConfiguration.canaryBakeTimeInMinutes',
          canary?.canaryBakeTimeInMinutes,
        ) ?? canaryBase.canaryBakeMinutes,
    },
  };
}

/**
 * The settings the sim does not model are accepted only as DescribeServices reports them, so a call never
 * silently asks for behaviour the world would not show; anything else is a simulator gap.
 */
function checkUnmodelled(given: DeploymentConfiguration): void {
  onlyKeys('deploymentConfiguration', given, [
    'strategy',
    'bakeTimeInMinutes',
    'linearConfiguration',
    'canaryConfiguration',
    'deploymentCircuitBreaker',
    'maximumPercent',
    'minimumHealthyPercent',
    'alarms',
    'lifecycleHooks',
  ]);
  const breaker = given.deploymentCircuitBreaker;
  if (
    breaker !== undefined &&
    !(
      breaker.enable === CIRCUIT_BREAKER.enable &&
      breaker.rollback === CIRCUIT_BREAKER.rollback &&
      definedKeys(breaker).length === 2
    )
  ) {
    throw new SimulatorGapError(
      `ecs:UpdateService deploymentConfiguration.deploymentCircuitBreaker ${JSON.stringify(breaker)} is not modelled (only ${JSON.stringify(CIRCUIT_BREAKER)}, as the simulated services have)`,
    );
  }
  for (const [field, value, only] of [
    ['maximumPercent', given.maximumPercent, MAXIMUM_PERCENT],
    ['minimumHealthyPercent', given.minimumHealthyPercent, MINIMUM_HEALTHY_PERCENT],
  ] as const) {
    if (value !== undefined && value !== only) {
      throw new SimulatorGapError(
        `ecs:UpdateService deploymentConfiguration.${field} ${String(value)} is not modelled (only ${only}, as the simulated services have)`,
      );
    }
  }
  const alarms = given.alarms;
  if (alarms !== undefined && !(alarms.enable === false && (alarms.alarmNames ?? []).length === 0)) {
    throw new SimulatorGapError(
      'ecs:UpdateService deploymentConfiguration.alarms is not modelled (only absent, or disabled with no alarm names: the simulated services have no deployment alarms)',
    );
  }
  if (given.lifecycleHooks !== undefined && given.lifecycleHooks.length > 0) {
    throw new SimulatorGapError(
      'ecs:UpdateService deploymentConfiguration.lifecycleHooks: lifecycle hooks are not modelled (only none)',
    );
  }
}

function strategyOf(value: unknown): EcsSimStrategy {
  const found = ECS_SIM_STRATEGIES.find((s) => s === value);
  if (found === undefined) {
    throw invalid(
      `deploymentConfiguration.strategy must be one of ${ECS_SIM_STRATEGIES.join(', ')} (got ${JSON.stringify(value)}).`,
    );
  }
  return found;
}

/** A bake time, if given: a whole number of minutes from 0 to 1440. */
function bakeMinutes(field: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_BAKE_MINUTES) {
    throw invalid(
      `${field} must be a whole number of minutes from 0 to ${MAX_BAKE_MINUTES} (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

/** A share of traffic, if given: a multiple of 0.1 from `min` to 100. */
function share(field: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    value > 100 ||
    Math.abs(value * 10 - Math.round(value * 10)) > 1e-9
  ) {
    throw invalid(
      `${field} must be a multiple of 0.1 from ${min.toFixed(1)} to 100.0 percent (got ${JSON.stringify(value)}).`,
    );
  }
  return value;
}

/** Keys of `value` outside `known` (with a value) are parts of ECS's API the sim does not model. */
function onlyKeys(field: string, value: object | undefined, known: readonly string[]): void {
  if (value === undefined) return;
  const unknown = definedKeys(value).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new SimulatorGapError(`ecs:UpdateService ${field} fields ${unknown.join(', ')} are not modelled`);
  }
}

function definedKeys(value: object): string[] {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
}

function invalid(message: string): InvalidParameterException {
  return new InvalidParameterException({ message, $metadata: {} });
}

/**
 * The image of a version's one container: the family's repository in the account's registry in `region`,
 * tagged with the revision.
 */
function imageOf(familyRevision: string, region: string): string {
  const [family = '', revision = ''] = familyRevision.split(':');
  return `${SIM_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${family}:${revision}`;
}

/** The digest ECS resolves `image` to in the simulated account: deterministic, one per image reference. */
function digestOf(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** ECS defaults the cluster to `default`; an ARN names it after the last slash. */
function clusterName(cluster: string | undefined): string {
  if (cluster === undefined) return 'default';
  const slash = cluster.lastIndexOf('/');
  return cluster.startsWith('arn:') && slash !== -1 ? cluster.slice(slash + 1) : cluster;
}
