import { CfnResource, Token, type Duration } from 'aws-cdk-lib';
import type * as appconfig from 'aws-cdk-lib/aws-appconfig';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { codeDeployManagedAliasProblem } from './kinds/lambda-alias';
import {
  runbookUrlProblem,
  type ApprovalTimeoutAction,
  type Mode,
  type RuntimeTarget,
} from '../lambda/contract';

/** How many rollbacks a target may have within a sliding window before the watchdog escalates instead. */
export interface MaxRollbacks {
  /** Rollbacks allowed per window; a whole number >= 1. */
  readonly count: number;
  /** Length of the sliding window; whole minutes, more than zero. */
  readonly window: Duration;
}

/**
 * Rollback policy of a target. Every field is optional: unset fields come from the watchdog's `defaults`,
 * then from the built-in defaults (docs/decisions.md, "Policy and its defaults"). Durations must be whole
 * minutes.
 */
export interface RollbackPolicy {
  /**
   * `auto` rolls back; `approval` asks (an `approval-requested` notification), holds the target and rolls
   * back when `watchdog approve <target>` arrives within `approvalTimeout`; `dry-run` decides and notifies
   * what it would have done without changing anything.
   *
   * @default - the watchdog's `defaults.mode`, else `auto`
   */
  readonly mode?: Mode;
  /**
   * After a rollback of this target, further alarms within this period are skipped (`cooldown`).
   *
   * @default - the watchdog's `defaults.cooldown`, else 15 minutes
   */
  readonly cooldown?: Duration;
  /**
   * How long a version must serve with no trigger alarm in ALARM before it counts as known-good.
   *
   * @default - the watchdog's `defaults.bake`, else 10 minutes
   */
  readonly bake?: Duration;
  /**
   * How long after a deployment completes an alarm is still blamed on it; later alarms only notify.
   *
   * @default - the watchdog's `defaults.watchWindow`, else 60 minutes
   */
  readonly watchWindow?: Duration;
  /**
   * Rollbacks allowed per sliding window; past it the watchdog escalates to a human (`rate-limited`).
   *
   * @default - the watchdog's `defaults.maxRollbacks`, else 2 per 60 minutes
   */
  readonly maxRollbacks?: MaxRollbacks;
  /**
   * How long an approval request waits before it expires (used by `approval` mode).
   *
   * @default - the watchdog's `defaults.approvalTimeout`, else 15 minutes
   */
  readonly approvalTimeout?: Duration;
  /**
   * What `approval` mode does when nobody approves within `approvalTimeout`: `hold` (do nothing) or
   * `rollback`. People are notified either way.
   *
   * @default - the watchdog's `defaults.approvalTimeoutAction`, else `hold`
   */
  readonly approvalTimeoutAction?: ApprovalTimeoutAction;
  /**
   * After a rollback completes, its trigger alarms must be back to OK within this time, or the watchdog
   * escalates to a human. Whole minutes, more than zero.
   *
   * @default - the watchdog's `defaults.verificationTimeout`, else 15 minutes
   */
  readonly verificationTimeout?: Duration;
  /**
   * When a rollback has to redeploy an ECS service whose strategy shifts traffic in steps or bakes
   * (BLUE_GREEN with a bake, LINEAR, CANARY), deploy the known-good task definition as BLUE_GREEN with no
   * bake and restore the service's own deployment configuration once that deployment has ended. With
   * `false`, the rollback replays the service's strategy, and its notification says how long that takes.
   * Other kinds of target ignore it.
   *
   * @default - the watchdog's `defaults.fastRollback`, else true
   */
  readonly fastRollback?: boolean;
}

/**
 * A deploy freeze: after a rollback of the target, the watchdog disables the inbound transition of this
 * pipeline stage (with the reason) so the bad version is not delivered again; `watchdog resume` enables it.
 */
export interface DeployFreeze {
  /**
   * The pipeline, by name or construct (its name may be a token). It must be in the watchdog's account and
   * region.
   */
  readonly pipeline: string | codepipeline.IPipeline;
  /** The stage whose inbound transition is disabled, usually the one that deploys the target. */
  readonly stage: string;
}

/** Options of {@link RollbackTarget.ecsService}: give either `service`, or `cluster` and `serviceName`. */
export interface EcsServiceTargetOptions {
  /** Unique id of the target within the watchdog: lowercase letters, digits and `-`. Appears in CLI commands. */
  readonly id: string;
  /**
   * The service to protect. Its names may be tokens (a service created in the same stack). It must use the
   * rolling-update (`ECS`) deployment controller: a service created in the same app with the `CODE_DEPLOY`
   * or `EXTERNAL` controller fails synth (protect a `CODE_DEPLOY` service through its deployment group with
   * {@link RollbackTarget.codeDeployGroup}). An imported service, or one named by `cluster` and
   * `serviceName`, is checked at runtime instead: the watchdog reports it `target-invalid`.
   *
   * @default - the service is named by `cluster` and `serviceName`
   */
  readonly service?: ecs.IBaseService;
  /**
   * The cluster of the service, by name or construct. Required with `serviceName`.
   *
   * @default - taken from `service`
   */
  readonly cluster?: string | ecs.ICluster;
  /**
   * Name of the service. Required with `cluster`.
   *
   * @default - taken from `service`
   */
  readonly serviceName?: string;
  /** The CloudWatch alarms (metric or composite) that guard the service, as constructs or alarm names. */
  readonly alarms: ReadonlyArray<cloudwatch.IAlarm | string>;
  /**
   * Disable a delivery pipeline stage after a rollback, until `watchdog resume`.
   *
   * @default - no deploy freeze
   */
  readonly freeze?: DeployFreeze;
  /**
   * Overrides of the watchdog's default policy for this target.
   *
   * @default - the watchdog's `defaults`
   */
  readonly policy?: RollbackPolicy;
  /**
   * An https link to the target's runbook: the first link of every message about the target.
   *
   * @default - no runbook link
   */
  readonly runbookUrl?: string;
}

/** A CodeDeploy deployment group construct of any compute platform. */
export type CodeDeployDeploymentGroup =
  codedeploy.IEcsDeploymentGroup | codedeploy.ILambdaDeploymentGroup | codedeploy.IServerDeploymentGroup;

/**
 * Options of {@link RollbackTarget.codeDeployGroup}: give either `deploymentGroup`, or `application` and
 * `deploymentGroupName`.
 */
export interface CodeDeployGroupTargetOptions {
  /** Unique id of the target within the watchdog: lowercase letters, digits and `-`. Appears in CLI commands. */
  readonly id: string;
  /**
   * The deployment group to protect (ECS blue/green, Lambda alias or EC2/on-premises). Its names may be
   * tokens (a group created in the same stack).
   *
   * @default - the group is named by `application` and `deploymentGroupName`
   */
  readonly deploymentGroup?: CodeDeployDeploymentGroup;
  /**
   * Name of the CodeDeploy application. Required with `deploymentGroupName`.
   *
   * @default - taken from `deploymentGroup`
   */
  readonly application?: string;
  /**
   * Name of the deployment group. Required with `application`.
   *
   * @default - taken from `deploymentGroup`
   */
  readonly deploymentGroupName?: string;
  /** The CloudWatch alarms (metric or composite) that guard the group, as constructs or alarm names. */
  readonly alarms: ReadonlyArray<cloudwatch.IAlarm | string>;
  /**
   * Disable a delivery pipeline stage after a rollback, until `watchdog resume`.
   *
   * @default - no deploy freeze
   */
  readonly freeze?: DeployFreeze;
  /**
   * Overrides of the watchdog's default policy for this target.
   *
   * @default - the watchdog's `defaults`
   */
  readonly policy?: RollbackPolicy;
  /**
   * An https link to the target's runbook: the first link of every message about the target.
   *
   * @default - no runbook link
   */
  readonly runbookUrl?: string;
}

/** The ECS service a target protects, by cluster and service name (either may be a token). */
export interface EcsServiceReference {
  readonly clusterName: string;
  readonly serviceName: string;
}

/**
 * Options of {@link RollbackTarget.of}: a target of any kind the watchdog knows, named by the fields its kind
 * names its resource with (`lambda-alias`: `functionName` and `alias`; `appconfig`: `application`,
 * `environment`, `configurationProfile`). README, "Target kinds".
 */
export interface KindTargetOptions {
  /** Unique id of the target within the watchdog: lowercase letters, digits and `-`. Appears in CLI commands. */
  readonly id: string;
  /** The resource's identity fields, as strings (tokens allowed where the kind says so). */
  readonly resource: Readonly<Record<string, string>>;
  /** The CloudWatch alarms (metric or composite) that guard the resource, as constructs or alarm names. */
  readonly alarms: ReadonlyArray<cloudwatch.IAlarm | string>;
  /** @default - no deploy freeze */
  readonly freeze?: DeployFreeze;
  /** @default - the watchdog's `defaults` */
  readonly policy?: RollbackPolicy;
  /** @default - no runbook link */
  readonly runbookUrl?: string;
  /** Problems a kind's factory found in its own options, reported at synth. @default - none */
  readonly problems?: readonly string[];
  /**
   * Problems that can only be known once the app is complete (a CodeDeploy deployment group created after the
   * target), asked for when the watchdog is validated. @default - none
   */
  readonly deferredProblems?: () => readonly string[];
}

/**
 * Options of {@link RollbackTarget.appConfig}. Each of the three is a name, an id, or the construct (its id is
 * used). Ids let the grants be scoped to the environment and the profile; with names they are scoped to the
 * application (README, "AppConfig").
 */
export interface AppConfigTargetOptions {
  /** Unique id of the target within the watchdog: lowercase letters, digits and `-`. Appears in CLI commands. */
  readonly id: string;
  readonly application: string | appconfig.IApplication;
  readonly environment: string | appconfig.IEnvironment;
  readonly configurationProfile: string | appconfig.IConfiguration;
  /** The CloudWatch alarms (metric or composite) that guard the configuration, as constructs or alarm names. */
  readonly alarms: ReadonlyArray<cloudwatch.IAlarm | string>;
  /** @default - no deploy freeze */
  readonly freeze?: DeployFreeze;
  /** @default - the watchdog's `defaults` */
  readonly policy?: RollbackPolicy;
  /** @default - no runbook link */
  readonly runbookUrl?: string;
}

/**
 * Options of {@link RollbackTarget.lambdaAlias}: give either `alias`, or `functionName` and `aliasName`.
 */
export interface LambdaAliasTargetOptions {
  /** Unique id of the target within the watchdog: lowercase letters, digits and `-`. Appears in CLI commands. */
  readonly id: string;
  /**
   * The alias to protect. An alias whose shifts CodeDeploy runs (a `LambdaDeploymentGroup` of this app uses it)
   * fails synth: protect that deployment group with {@link RollbackTarget.codeDeployGroup} instead.
   *
   * @default - the alias is named by `functionName` and `aliasName`
   */
  readonly alias?: lambda.IAlias;
  /** The function's name (not an ARN). Required with `aliasName`. @default - taken from `alias` */
  readonly functionName?: string;
  /** The alias's name. Required with `functionName`. @default - taken from `alias` */
  readonly aliasName?: string;
  /** The CloudWatch alarms (metric or composite) that guard the alias, as constructs or alarm names. */
  readonly alarms: ReadonlyArray<cloudwatch.IAlarm | string>;
  /** @default - no deploy freeze */
  readonly freeze?: DeployFreeze;
  /** @default - the watchdog's `defaults` */
  readonly policy?: RollbackPolicy;
  /** @default - no runbook link */
  readonly runbookUrl?: string;
}

/** The CodeDeploy deployment group a target protects, by application and group name (either may be a token). */
export interface CodeDeployGroupReference {
  readonly applicationName: string;
  readonly deploymentGroupName: string;
}

/** The pipeline stage a target freezes, by pipeline and stage name (either may be a token). */
export interface FreezeReference {
  readonly pipelineName: string;
  readonly stageName: string;
  /** The pipeline construct, when one was given: its account and region are checked at synth. */
  readonly pipeline?: codepipeline.IPipeline;
}

/** A runbook URL must be literal (it is written into the config item) and an https link. */
function runbookProblems(url: string | undefined): string[] {
  if (url === undefined) return [];
  if (Token.isUnresolved(url)) return ['runbookUrl: must be a literal URL, not a token'];
  const problem = runbookUrlProblem(url);
  return problem ? [`runbookUrl: ${problem} (got ${JSON.stringify(url)})`] : [];
}

function freezeOf(freeze: DeployFreeze | undefined): FreezeReference | undefined {
  if (!freeze) return undefined;
  const { pipeline, stage } = freeze;
  return typeof pipeline === 'string'
    ? { pipelineName: pipeline, stageName: stage }
    : { pipelineName: pipeline.pipelineName, stageName: stage, pipeline };
}

/** Deployment controllers whose services the ecsService target cannot roll back, with what to do instead. */
const UNSUPPORTED_CONTROLLERS: Readonly<Record<string, string>> = {
  CODE_DEPLOY:
    'the service uses the CODE_DEPLOY deployment controller, so CodeDeploy deploys it; protect its ' +
    'deployment group with RollbackTarget.codeDeployGroup instead',
  EXTERNAL:
    'the service uses the EXTERNAL deployment controller: its task sets are deployed outside ECS, which ' +
    'the watchdog cannot roll back',
};

/**
 * The deployment controller problem of a service created in this app (its CfnService is visible). Imported
 * services have no CfnService; the ECS adapter reports those `target-invalid` at runtime.
 */
function controllerProblem(service: ecs.IBaseService): string | undefined {
  const cfn = service.node.defaultChild;
  // By resource type rather than CfnService.isCfnService, which aws-cdk-lib 2.200 and older lack.
  if (!CfnResource.isCfnResource(cfn) || cfn.cfnResourceType !== ecs.CfnService.CFN_RESOURCE_TYPE_NAME)
    return undefined;
  const controller = (cfn as ecs.CfnService).deploymentController;
  if (controller === undefined || Token.isUnresolved(controller)) return undefined;
  const type = (controller as ecs.CfnService.DeploymentControllerProperty).type;
  return type === undefined || Token.isUnresolved(type) ? undefined : UNSUPPORTED_CONTROLLERS[type];
}

const alarmNamesOf = (alarms: ReadonlyArray<cloudwatch.IAlarm | string>): string[] => [
  ...new Set(alarms.map((alarm) => (typeof alarm === 'string' ? alarm : alarm.alarmName))),
];

/**
 * Something the watchdog can roll back. Create one with {@link RollbackTarget.ecsService} or
 * {@link RollbackTarget.codeDeployGroup} and pass it in `RollbackWatchdogProps.targets` or to
 * `RollbackWatchdog.addTarget()`.
 *
 * Factories never throw: problems with their options are reported, together with every other problem,
 * when the watchdog is validated at synth.
 */
export class RollbackTarget {
  /**
   * Protects an ECS service that uses the rolling-update (`ECS`) deployment controller: stops an
   * in-progress deployment with ECS's own rollback, or redeploys the last known-good task definition.
   */
  public static ecsService(options: EcsServiceTargetOptions): RollbackTarget {
    const problems: string[] = [];
    const byNames = options.cluster !== undefined || options.serviceName !== undefined;
    let ecsService: EcsServiceReference;
    if (options.service) {
      if (byNames) problems.push('give either service, or cluster and serviceName, not both');
      const controller = controllerProblem(options.service);
      if (controller) problems.push(controller);
      ecsService = {
        clusterName: options.service.cluster.clusterName,
        serviceName: options.service.serviceName,
      };
    } else {
      if (options.cluster === undefined) problems.push('cluster is required unless service is given');
      if (options.serviceName === undefined) problems.push('serviceName is required unless service is given');
      const cluster = options.cluster;
      ecsService = {
        clusterName: typeof cluster === 'string' ? cluster : (cluster?.clusterName ?? ''),
        serviceName: options.serviceName ?? '',
      };
    }
    return new RollbackTarget(
      options.id,
      'ecs-service',
      ecsService,
      undefined,
      alarmNamesOf(options.alarms),
      options.policy ?? {},
      freezeOf(options.freeze),
      [...problems, ...runbookProblems(options.runbookUrl)],
      options.runbookUrl,
    );
  }

  /**
   * Protects a CodeDeploy deployment group (ECS blue/green, Lambda alias or EC2/on-premises): stops an
   * active deployment with CodeDeploy's automatic rollback, or deploys the last known-good revision again.
   */
  public static codeDeployGroup(options: CodeDeployGroupTargetOptions): RollbackTarget {
    const problems: string[] = [];
    const byNames = options.application !== undefined || options.deploymentGroupName !== undefined;
    let group: CodeDeployGroupReference;
    if (options.deploymentGroup) {
      if (byNames)
        problems.push('give either deploymentGroup, or application and deploymentGroupName, not both');
      group = {
        applicationName: options.deploymentGroup.application.applicationName,
        deploymentGroupName: options.deploymentGroup.deploymentGroupName,
      };
    } else {
      if (options.application === undefined)
        problems.push('application is required unless deploymentGroup is given');
      if (options.deploymentGroupName === undefined)
        problems.push('deploymentGroupName is required unless deploymentGroup is given');
      group = {
        applicationName: options.application ?? '',
        deploymentGroupName: options.deploymentGroupName ?? '',
      };
    }
    return new RollbackTarget(
      options.id,
      'codedeploy',
      undefined,
      group,
      alarmNamesOf(options.alarms),
      options.policy ?? {},
      freezeOf(options.freeze),
      [...problems, ...runbookProblems(options.runbookUrl)],
      options.runbookUrl,
    );
  }

  /**
   * A target of any kind in the registry (lib/kinds/registry.ts), by its identity fields. The kinds' own
   * factories (`RollbackTarget.lambdaAlias`, ...) call it; it is public for kinds added in a user's app.
   */
  public static of(type: RuntimeTarget['type'], options: KindTargetOptions): RollbackTarget {
    const target = new RollbackTarget(
      options.id,
      type,
      undefined,
      undefined,
      alarmNamesOf(options.alarms),
      options.policy ?? {},
      freezeOf(options.freeze),
      [...(options.problems ?? []), ...runbookProblems(options.runbookUrl)],
      options.runbookUrl,
      { ...options.resource },
    );
    target.deferredProblems = options.deferredProblems;
    return target;
  }

  /**
   * Protects a Lambda function alias (`lambda-alias`): stops a weighted shift in progress by routing every
   * request to the alias's primary version again, or points the alias at the last known-good published version.
   */
  public static lambdaAlias(options: LambdaAliasTargetOptions): RollbackTarget {
    const problems: string[] = [];
    const byNames = options.functionName !== undefined || options.aliasName !== undefined;
    let resource: { functionName: string; alias: string };
    if (options.alias) {
      if (byNames) problems.push('give either alias, or functionName and aliasName, not both');
      resource = { functionName: options.alias.version.lambda.functionName, alias: options.alias.aliasName };
    } else {
      if (options.functionName === undefined) problems.push('functionName is required unless alias is given');
      if (options.aliasName === undefined) problems.push('aliasName is required unless alias is given');
      resource = { functionName: options.functionName ?? '', alias: options.aliasName ?? '' };
    }
    const alias = options.alias;
    return RollbackTarget.of('lambda-alias', {
      id: options.id,
      resource,
      alarms: options.alarms,
      ...(options.freeze ? { freeze: options.freeze } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.runbookUrl !== undefined ? { runbookUrl: options.runbookUrl } : {}),
      problems,
      ...(alias
        ? {
            deferredProblems: () => {
              const problem = codeDeployManagedAliasProblem(alias);
              return problem ? [problem] : [];
            },
          }
        : {}),
    });
  }

  /**
   * Protects an AppConfig configuration profile deployed to one environment (`appconfig`): stops a deployment
   * in progress (AppConfig rolls it back), reverts a completed one within 72 hours when the version it replaced
   * is the known-good one, else deploys the known-good version with a zero-bake strategy the stack creates.
   */
  public static appConfig(options: AppConfigTargetOptions): RollbackTarget {
    const { application, environment, configurationProfile } = options;
    return RollbackTarget.of('appconfig', {
      id: options.id,
      resource: {
        application: typeof application === 'string' ? application : application.applicationId,
        environment: typeof environment === 'string' ? environment : environment.environmentId,
        configurationProfile:
          typeof configurationProfile === 'string'
            ? configurationProfile
            : configurationProfile.configurationProfileId,
      },
      alarms: options.alarms,
      ...(options.freeze ? { freeze: options.freeze } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.runbookUrl !== undefined ? { runbookUrl: options.runbookUrl } : {}),
    });
  }

  /** Asked for at validation, after every construct of the app exists. */
  private deferredProblems: (() => readonly string[]) | undefined;

  /** Problems with the factory options, reported when the watchdog is validated. */
  public get problems(): readonly string[] {
    return [...this.optionProblems, ...(this.deferredProblems?.() ?? [])];
  }

  private constructor(
    /** Unique id of the target within the watchdog. */
    public readonly id: string,
    /** What kind of resource is rolled back. */
    public readonly type: RuntimeTarget['type'],
    /** The protected ECS service, for `ecs-service` targets. */
    public readonly ecsService: EcsServiceReference | undefined,
    /** The protected deployment group, for `codedeploy` targets. */
    public readonly codeDeployGroup: CodeDeployGroupReference | undefined,
    /** Names of the trigger alarms, without duplicates; may contain tokens. */
    public readonly alarmNames: readonly string[],
    /** This target's policy overrides. */
    public readonly policy: RollbackPolicy,
    /** The pipeline stage frozen after a rollback, if any. */
    public readonly freeze: FreezeReference | undefined,
    /** Problems with the factory options, known when the target was made. */
    private readonly optionProblems: readonly string[],
    /** The target's runbook, linked first in its messages. */
    public readonly runbookUrl: string | undefined = undefined,
    /** The identity fields of a target made with {@link RollbackTarget.of}. */
    public readonly resource: Readonly<Record<string, string>> | undefined = undefined,
  ) {}
}
