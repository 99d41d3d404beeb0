import type { Duration } from 'aws-cdk-lib';
import {
  DEFAULT_POLICY,
  resolveGroup,
  RUNTIME_CONFIG_SCHEMA_VERSION,
  type RuntimeGroup,
  type FreezeConfig,
  type RuntimeConfig,
  type RuntimePolicy,
  type RuntimeTarget,
} from '../../lambda/contract';
import type { RollbackPolicy, RollbackTarget } from '../rollback-target';
import type { RollbackGroup } from '../rollback-watchdog';

// Not integral: CDK resolves the lazy values that call this before construct validation runs, and
// validation, not a conversion error, must be what reports a fractional duration.
const minutes = (d: Duration | undefined, fallback: number): number =>
  d ? d.toMinutes({ integral: false }) : fallback;

function applyPolicy(base: RuntimePolicy, layer: RollbackPolicy | undefined): RuntimePolicy {
  if (!layer) return base;
  return {
    mode: layer.mode ?? base.mode,
    cooldownMinutes: minutes(layer.cooldown, base.cooldownMinutes),
    bakeMinutes: minutes(layer.bake, base.bakeMinutes),
    watchWindowMinutes: minutes(layer.watchWindow, base.watchWindowMinutes),
    maxRollbacks: layer.maxRollbacks
      ? { count: layer.maxRollbacks.count, windowMinutes: minutes(layer.maxRollbacks.window, 0) }
      : base.maxRollbacks,
    approvalTimeoutMinutes: minutes(layer.approvalTimeout, base.approvalTimeoutMinutes),
    approvalTimeoutAction: layer.approvalTimeoutAction ?? base.approvalTimeoutAction,
    verificationTimeoutMinutes: minutes(layer.verificationTimeout, base.verificationTimeoutMinutes),
    fastRollback: layer.fastRollback ?? base.fastRollback,
  };
}

/** `{ freeze }` when the target has one, `{}` otherwise: an absent freeze stays absent in the item. */
const freezeOf = ({ freeze }: RollbackTarget): { freeze?: FreezeConfig } =>
  freeze ? { freeze: { pipeline: freeze.pipelineName, stage: freeze.stageName } } : {};

/** Factories set exactly one of `codeDeployGroup` and `ecsService`; the field order matches the boundary's. */
function toRuntimeTarget(target: RollbackTarget, defaults: RuntimePolicy): RuntimeTarget {
  const { id, alarmNames: alarms, codeDeployGroup, ecsService } = target;
  const policy = applyPolicy(defaults, target.policy);
  if (target.resource) {
    // A kind from the registry: its identity fields, then what every target has.
    return {
      id,
      type: target.type,
      ...target.resource,
      alarms,
      policy,
      ...freezeOf(target),
      ...(target.runbookUrl !== undefined ? { runbookUrl: target.runbookUrl } : {}),
    } as unknown as RuntimeTarget;
  }
  if (codeDeployGroup) {
    return {
      id,
      type: 'codedeploy',
      application: codeDeployGroup.applicationName,
      deploymentGroup: codeDeployGroup.deploymentGroupName,
      alarms,
      policy,
      ...freezeOf(target),
      ...(target.runbookUrl !== undefined ? { runbookUrl: target.runbookUrl } : {}),
    };
  }
  return {
    id,
    type: 'ecs-service',
    cluster: ecsService?.clusterName ?? '',
    service: ecsService?.serviceName ?? '',
    alarms,
    policy,
    ...freezeOf(target),
    ...(target.runbookUrl !== undefined ? { runbookUrl: target.runbookUrl } : {}),
  };
}

/**
 * Resolves targets and defaults into the RuntimeConfig the Lambdas read: DEFAULT_POLICY, then the
 * watchdog's defaults, then each target's policy. Never throws on invalid settings; a synth with invalid
 * settings fails validation before anything is written.
 */
export function buildRuntimeConfig(input: {
  readonly account: string;
  readonly region: string;
  readonly maxEventAgeMinutes: number;
  readonly sweepIntervalMinutes: number;
  readonly auditRetentionDays: number;
  readonly defaults: RollbackPolicy | undefined;
  readonly targets: readonly RollbackTarget[];
  /** Every region of the version quarantine, this one included; undefined with one region. */
  readonly regions?: readonly string[];
  readonly groups?: readonly RollbackGroup[];
}): RuntimeConfig {
  const defaults = applyPolicy(DEFAULT_POLICY, input.defaults);
  return {
    schemaVersion: RUNTIME_CONFIG_SCHEMA_VERSION,
    account: input.account,
    region: input.region,
    maxEventAgeMinutes: input.maxEventAgeMinutes,
    sweepIntervalMinutes: input.sweepIntervalMinutes,
    auditRetentionDays: input.auditRetentionDays,
    targets: input.targets.map((t) => toRuntimeTarget(t, defaults)),
    ...(input.regions ? { regions: [...input.regions] } : {}),
    ...(input.groups?.length ? { groups: input.groups.map(toRuntimeGroup) } : {}),
  };
}

function toRuntimeGroup(g: RollbackGroup): RuntimeGroup {
  return resolveGroup({
    id: g.id,
    targets: g.targets,
    ...(g.rollbackOrder ? { rollbackOrder: g.rollbackOrder } : {}),
    ...(g.releaseWindow ? { releaseWindowMinutes: minutes(g.releaseWindow, 0) } : {}),
    ...(g.onMemberFailure ? { onMemberFailure: g.onMemberFailure } : {}),
  });
}
