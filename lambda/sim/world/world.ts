import type { AwsClientName } from '../../adapters/aws-clients';
import type { AlarmStateValue } from '../../contract';
import type { Scenario } from '../scenario';
import type { SimCommands } from '../sim-commands';
import { CloudWatchWorld } from './cloudwatch';
import { cloudTrailApiCallEvent, stableUuid, type EventBridgeEvent } from './account';
import { CodeDeployWorld, revisionLocation } from './codedeploy';
import { CodePipelineWorld, stageKey } from './codepipeline';
import { EcsWorld, type ServingListener } from './ecs';
import { SnsWorld, type PublishedNotification } from './sns';
import { codeDeploySource, ecsSource, type WorldContext } from './world-context';
import { allSimKinds } from '../../kinds/sim-registry';
import type { SimKindWorld } from '../../kinds/sim-kind';

/** What happened to targets and alarms over time: the raw material of time-to-detect and time-to-recover. */
export type WorldHistory =
  | {
      readonly kind: 'serving';
      readonly at: number;
      readonly target: string;
      readonly version: string;
      readonly settled: boolean;
    }
  | { readonly kind: 'alarm'; readonly at: number; readonly alarm: string; readonly value: AlarmStateValue };

/** The services the simulator answers for: the SDK middleware looks operations up here (DynamoDB is real). */
export type CommandTable = Partial<Record<AwsClientName, SimCommands>>;

/** The simulated AWS account of one scenario run. */
export class SimWorld {
  readonly ecs: EcsWorld;
  readonly codedeploy: CodeDeployWorld;
  readonly cloudwatch: CloudWatchWorld;
  readonly codepipeline: CodePipelineWorld;
  readonly sns: SnsWorld;
  readonly history: WorldHistory[] = [];
  /** The worlds of the kinds that bring their own (lambda/kinds/sim-registry.ts). */
  private readonly kindWorlds: SimKindWorld[] = [];
  private readonly extra: Record<string, SimCommands> = {};
  private readonly ecsTargets = new Map<string, { cluster: string; service: string }>();
  private readonly codeDeployTargets = new Map<string, { application: string; deploymentGroup: string }>();

  constructor(
    scenario: Scenario,
    private readonly ctx: WorldContext,
    onPublish: (notification: PublishedNotification) => void,
  ) {
    const serviceToTarget = new Map<string, string>();
    const groupToTarget = new Map<string, string>();
    const freezeOwners = new Map<string, string>();
    for (const target of scenario.config.targets) {
      const freeze = target.freeze;
      if (freeze && !freezeOwners.has(stageKey(freeze.pipeline, freeze.stage)))
        freezeOwners.set(stageKey(freeze.pipeline, freeze.stage), target.id);
      switch (target.type) {
        case 'ecs-service':
          this.ecsTargets.set(target.id, { cluster: target.cluster, service: target.service });
          serviceToTarget.set(`${target.cluster}/${target.service}`, target.id);
          break;
        case 'codedeploy':
          this.codeDeployTargets.set(target.id, {
            application: target.application,
            deploymentGroup: target.deploymentGroup,
          });
          groupToTarget.set(`${target.application}/${target.deploymentGroup}`, target.id);
          break;
        default:
          // A kind with its own world (lambda/kinds/sim-registry.ts): mapped below.
          break;
      }
    }
    const { world } = scenario;
    this.cloudwatch = new CloudWatchWorld(ctx, world.alarms, new Set(world.badVersions), (alarm, value) => {
      this.history.push({ kind: 'alarm', at: ctx.clock.now(), alarm, value });
    });
    const onServing: ServingListener = (target, version, settled) => {
      this.history.push({ kind: 'serving', at: ctx.clock.now(), target, version, settled });
      this.cloudwatch.servingChanged(target, version, settled);
    };
    const failing = new Set(world.failingVersions);
    const unavailable = new Set(world.unavailableVersions);
    const versions = new Map(Object.entries(world.versions));
    this.ecs = new EcsWorld(
      ctx,
      world.ecsServices,
      serviceToTarget,
      failing,
      versions,
      onServing,
      unavailable,
    );
    this.codedeploy = new CodeDeployWorld(
      ctx,
      world.codeDeployGroups,
      groupToTarget,
      failing,
      onServing,
      versions,
      unavailable,
    );
    this.codepipeline = new CodePipelineWorld(ctx, world.pipelines, freezeOwners);
    for (const kind of allSimKinds()) {
      const targets = new Map<string, string>();
      for (const target of scenario.config.targets)
        if (target.type === kind.type) targets.set(kind.targetResource(target), target.id);
      this.kindWorlds.push(
        kind.createWorld({
          ctx,
          entries: world.kinds[kind.worldKey] ?? [],
          targets,
          failingVersions: failing,
          unavailableVersions: unavailable,
          onServing,
        }),
      );
    }
    this.sns = new SnsWorld(ctx, onPublish);
  }

  /** The SDK operations of every simulated service (extend a service by adding to its table). */
  commands(): CommandTable {
    return {
      ecs: this.ecs.commands(),
      ecr: this.ecs.ecrCommands(),
      codedeploy: this.codedeploy.commands(),
      cloudwatch: this.cloudwatch.commands(),
      codepipeline: this.codepipeline.commands(),
      sns: this.sns.commands(),
      ...this.kindCommands(),
      ...this.extra,
    };
  }

  /** Adds a service of the run's own (the version bus of a run with several regions) to commands(). */
  addService(client: string, commands: SimCommands): void {
    this.extra[client] = commands;
  }

  /** The kinds' worlds' operations, merged by client (two kinds may share one). */
  private kindCommands(): CommandTable {
    const table: Record<string, SimCommands> = {};
    for (const world of this.kindWorlds)
      for (const [client, commands] of Object.entries(world.commands()))
        table[client] = { ...table[client], ...commands };
    return table;
  }

  /**
   * The timeline's `deploy`: a release by someone other than the watchdog. With `by`, the account has a trail:
   * the release's API call (ECS UpdateService, CodeDeploy CreateDeployment) is recorded by CloudTrail, whose
   * record reaches EventBridge after the platform's own deployment event (docs/reliability.md, "Who deployed").
   * A call CodeDeploy refused is not delivered: the watchdog's rule leaves failed calls out.
   */
  deploy(targetId: string, version: string, by?: string): void {
    const ecs = this.ecsTargets.get(targetId);
    if (ecs) {
      this.ecs.release(ecs.cluster, ecs.service, version);
      if (by !== undefined) this.recordEcsRelease(ecs.cluster, ecs.service, version, by);
      return;
    }
    const group = this.codeDeployTargets.get(targetId);
    if (group) {
      const id = this.codedeploy.release(group.application, group.deploymentGroup, version);
      if (by !== undefined && id !== undefined)
        this.recordCodeDeployRelease(group.application, group.deploymentGroup, version, id, by);
      return;
    }
    if (this.kindWorlds.some((world) => world.deploy(targetId, version, by))) return;
    throw new Error(`target ${targetId} is not a resource of the simulated account`);
  }

  /** The CloudTrail record of the `UpdateService` that released `version`, answered with the service as it is now. */
  private recordEcsRelease(cluster: string, service: string, version: string, by: string): void {
    const answered = this.ecs.serviceNow(cluster, service);
    this.emitCall(ecsSource(cluster, service), (id, eventId) =>
      cloudTrailApiCallEvent({
        id,
        eventId,
        at: this.ctx.clock.now(),
        platform: 'ecs',
        region: this.ctx.region,
        eventName: 'UpdateService',
        by,
        requestParameters: { cluster, service, taskDefinition: version },
        responseElements: {
          service: {
            serviceArn: answered.serviceArn,
            serviceName: answered.serviceName,
            clusterArn: answered.clusterArn,
            status: answered.status,
            desiredCount: answered.desiredCount,
            taskDefinition: answered.taskDefinition,
            deployments: (answered.deployments ?? []).map((d) => ({
              id: d.id,
              status: d.status,
              taskDefinition: d.taskDefinition,
              rolloutState: d.rolloutState,
            })),
          },
        },
      }),
    );
  }

  /** The CloudTrail record of the `CreateDeployment` that released `version` as deployment `deploymentId`. */
  private recordCodeDeployRelease(
    application: string,
    deploymentGroup: string,
    version: string,
    deploymentId: string,
    by: string,
  ): void {
    this.emitCall(codeDeploySource(application, deploymentGroup), (id, eventId) =>
      cloudTrailApiCallEvent({
        id,
        eventId,
        at: this.ctx.clock.now(),
        platform: 'codedeploy',
        region: this.ctx.region,
        eventName: 'CreateDeployment',
        by,
        requestParameters: {
          applicationName: application,
          deploymentGroupName: deploymentGroup,
          revision: revisionLocation(version),
        },
        responseElements: { deploymentId },
      }),
    );
  }

  /** On the resource's own sequence, so it follows the deployment event the release emitted. */
  private emitCall(source: string, event: (id: string, eventId: string) => EventBridgeEvent): void {
    const n = this.ctx.next(`cloudtrail:${source}`);
    this.ctx.emit(
      source,
      event(stableUuid(`cloudtrail-event:${source}`, n), stableUuid(`cloudtrail:${source}`, n)),
      1,
    );
  }

  /** The version each config target runs now (a CodeDeploy group's: the revision label it serves). */
  versions(targetIds: readonly string[]): Record<string, string> {
    return Object.fromEntries(
      targetIds.map((id) => [
        id,
        this.ecs.versionOf(id) ??
          this.codedeploy.versionOf(id) ??
          this.kindWorlds.map((w) => w.versionOf(id)).find((v) => v !== undefined) ??
          '',
      ]),
    );
  }
}
