import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Mode, RuntimeTarget } from '../lambda/contract';

/** How many rollbacks a target may have within a sliding window before the watchdog escalates instead. */
export interface MaxRollbacks {
  /** Rollbacks allowed per window; a whole number >= 1. */
  readonly count: number;
  /** Length of the sliding window; whole minutes, more than zero. */
  readonly window: Duration;
}

/**
 * Rollback policy of a target. Every field is optional: unset fields come from the watchdog's `defaults`,
 * then from the built-in defaults (CONTRACTS.md §1). Durations must be whole minutes.
 */
export interface RollbackPolicy {
  /**
   * `auto` rolls back, `dry-run` decides and notifies what it would have done without changing anything.
   * `approval` is not available yet and fails validation.
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
}

/** Options of {@link RollbackTarget.ecsService}: give either `service`, or `cluster` and `serviceName`. */
export interface EcsServiceTargetOptions {
  /** Unique id of the target within the watchdog: lowercase letters, digits and `-`. Appears in CLI commands. */
  readonly id: string;
  /**
   * The service to protect. Its names may be tokens (a service created in the same stack).
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
   * Overrides of the watchdog's default policy for this target.
   *
   * @default - the watchdog's `defaults`
   */
  readonly policy?: RollbackPolicy;
}

/** The ECS service a target protects, by cluster and service name (either may be a token). */
export interface EcsServiceReference {
  readonly clusterName: string;
  readonly serviceName: string;
}

/**
 * Something the watchdog can roll back. Create one with a factory such as {@link RollbackTarget.ecsService}
 * and pass it in `RollbackWatchdogProps.targets` or to `RollbackWatchdog.addTarget()`.
 *
 * Factories never throw: problems with their options are reported, together with every other problem,
 * when the watchdog is validated at synth.
 */
export class RollbackTarget {
  /** Protects an ECS service (rolling update controller) by rolling it back to its last known-good task definition. */
  public static ecsService(options: EcsServiceTargetOptions): RollbackTarget {
    const problems: string[] = [];
    const byNames = options.cluster !== undefined || options.serviceName !== undefined;
    let ecsService: EcsServiceReference;
    if (options.service) {
      if (byNames) problems.push('give either service, or cluster and serviceName, not both');
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
    const alarmNames = [
      ...new Set(options.alarms.map((alarm) => (typeof alarm === 'string' ? alarm : alarm.alarmName))),
    ];
    return new RollbackTarget(
      options.id,
      'ecs-service',
      ecsService,
      alarmNames,
      options.policy ?? {},
      problems,
    );
  }

  private constructor(
    /** Unique id of the target within the watchdog. */
    public readonly id: string,
    /** What kind of resource is rolled back. */
    public readonly type: RuntimeTarget['type'],
    /** The protected ECS service. */
    public readonly ecsService: EcsServiceReference,
    /** Names of the trigger alarms, without duplicates; may contain tokens. */
    public readonly alarmNames: readonly string[],
    /** This target's policy overrides. */
    public readonly policy: RollbackPolicy,
    /** Problems with the factory options, reported when the watchdog is validated. */
    public readonly problems: readonly string[],
  ) {}
}
