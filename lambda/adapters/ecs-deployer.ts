import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type Deployment,
  type DescribeServicesCommandOutput,
  type ECSClient,
  type ListServiceDeploymentsCommandOutput,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
} from '@aws-sdk/client-ecs';
import type { RuntimeEcsTarget, RuntimeTarget } from '../contract';
import type { LiveDeployment, LiveDeploymentState, LiveTarget } from '../domain';
import { RetryableError, TargetInvalidError } from '../use-cases/errors';
import type { ActionResult, Deployer, Telemetry } from '../use-cases/ports';
import { answeredARetry, classifyAwsError, describeError, summarizeError } from './aws-errors';

/** Service deployments that `StopServiceDeployment(ROLLBACK)` turns into a rollback. */
const STOPPABLE: readonly ServiceDeploymentStatus[] = ['IN_PROGRESS', 'PENDING'];
/** Service deployments that ECS is already rolling back (our stop, the circuit breaker or an alarm rollback). */
const ROLLING_BACK: readonly ServiceDeploymentStatus[] = ['ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'];
/**
 * The circuit breaker and the CloudWatch-alarm rollback start a new PRIMARY deployment of the last completed
 * revision whose rolloutStateReason reads "...: rolling back to deploymentId ecs-svc/...".
 */
const ROLLING_BACK_REASON = /\brolling back\b/i;

export interface EcsDeployerOptions {
  readonly client: ECSClient;
  /** Receives a warning when inspect has to run without ListServiceDeployments. */
  readonly telemetry?: Pick<Telemetry, 'log'>;
}

/**
 * Reads and rolls back ECS services that use the rolling-update (`ECS`) deployment controller: stops an
 * in-progress service deployment with ECS's own rollback, or redeploys a known-good task definition.
 */
export class EcsDeployer implements Deployer {
  private readonly client: ECSClient;
  private readonly telemetry: Pick<Telemetry, 'log'> | undefined;

  constructor(options: EcsDeployerOptions) {
    this.client = options.client;
    this.telemetry = options.telemetry;
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
    const latest = primary && toLiveDeployment(primary, deployments.length);
    const stopRef = newest(serviceDeployments.filter((d) => isIn(d.status, STOPPABLE)))?.serviceDeploymentArn;
    const restores = others.find((d) => d.status === 'ACTIVE')?.taskDefinition;
    const nativeRollback =
      serviceDeployments.some((d) => isIn(d.status, ROLLING_BACK)) ||
      (primary?.rolloutState === 'IN_PROGRESS' && ROLLING_BACK_REASON.test(primary.rolloutStateReason ?? ''));

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

  /** `UpdateService(taskDefinition = version)`; the new PRIMARY deployment's id is the reference. */
  async redeploy(target: RuntimeTarget, version: string): Promise<ActionResult> {
    const { cluster, service } = ecsTarget(target);
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
   * The container images that differ between two task definitions, one line per container
   * (`web: 111.dkr.ecr…/web:1.5.0 → 111.dkr.ecr…/web:1.4.2`). Both task definitions are read concurrently.
   * For notifications only, so it never throws: a failed read (including a missing
   * `ecs:DescribeTaskDefinition` permission) gives no lines, and the message names the versions alone.
   */
  async describeChange(_target: RuntimeTarget, from: string, to: string): Promise<string[]> {
    const [before, after] = await Promise.allSettled([this.containers(from), this.containers(to)]);
    if (before.status === 'fulfilled' && after.status === 'fulfilled') {
      return imageChanges(before.value, after.value);
    }
    const failure = [before, after].find((r): r is PromiseRejectedResult => r.status === 'rejected');
    this.telemetry?.log('info', 'DescribeTaskDefinition failed; notifying without the image change', {
      from,
      to,
      error: summarizeError(failure?.reason),
    });
    return [];
  }

  private async containers(taskDefinition: string): Promise<readonly ContainerDefinition[]> {
    const out = await this.client.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    return out.taskDefinition?.containerDefinitions ?? [];
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

/** Lines for containers whose image changed, was added or was removed, in the order of `to`, then removed ones. */
function imageChanges(from: readonly ContainerDefinition[], to: readonly ContainerDefinition[]): string[] {
  const before = new Map(from.map((c) => [c.name ?? '', c.image ?? '']));
  const after = new Map(to.map((c) => [c.name ?? '', c.image ?? '']));
  const lines: string[] = [];
  for (const [name, image] of after) {
    const previous = before.get(name);
    if (previous === undefined) lines.push(`${name}: added ${image}`);
    else if (previous !== image) lines.push(`${name}: ${previous} → ${image}`);
  }
  for (const [name, image] of before) {
    if (!after.has(name)) lines.push(`${name}: removed (was ${image})`);
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

function actionError(err: unknown, call: string): unknown {
  switch (classifyAwsError(err)) {
    case 'terminal':
      return new TargetInvalidError(`${call} was refused: ${describeError(err)}`, { cause: err });
    case 'retryable':
      return new RetryableError(`${call} failed: ${describeError(err)}`, { cause: err });
    case 'conflict':
    case 'unknown':
      return err;
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

function newestFirst(a: Deployment, b: Deployment): number {
  return (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0);
}

function newest(list: readonly ServiceDeploymentBrief[]): ServiceDeploymentBrief | undefined {
  const time = (d: ServiceDeploymentBrief) => (d.createdAt ?? d.startedAt)?.getTime() ?? 0;
  return list.reduce<ServiceDeploymentBrief | undefined>(
    (best, d) => (!best || time(d) > time(best) ? d : best),
    undefined,
  );
}

function isIn(status: ServiceDeploymentStatus | undefined, set: readonly ServiceDeploymentStatus[]): boolean {
  return status !== undefined && set.includes(status);
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
