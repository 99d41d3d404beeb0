import { Token, type Duration } from 'aws-cdk-lib';
import { MODES, TARGET_ID_PATTERN } from '../../lambda/contract';
import type { RollbackPolicy, RollbackTarget } from '../rollback-target';

/** Modes the schema knows but the Lambdas cannot run yet, with what to do instead. */
const UNAVAILABLE_MODES: ReadonlyMap<string, string> = new Map([
  ['approval', 'approval mode is not available yet; use auto or dry-run'],
]);

/** ECS cluster and service names: up to 255 letters, digits, hyphens and underscores. */
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export interface WatchdogSettings {
  readonly targets: readonly RollbackTarget[];
  readonly defaults?: RollbackPolicy;
  readonly maxEventAge?: Duration;
  readonly notificationEmails?: readonly string[];
}

function checkDuration(where: string, value: Duration | undefined, positive: boolean): string[] {
  if (value === undefined) return [];
  if (value.isUnresolved()) return [`${where}: must be a literal Duration, not a token`];
  const minutes = value.toMinutes({ integral: false });
  if (!Number.isInteger(minutes))
    return [`${where}: must be a whole number of minutes (got ${value.toHumanString()})`];
  if (positive && minutes <= 0)
    return [`${where}: must be more than 0 minutes (got ${value.toHumanString()})`];
  return [];
}

function checkPolicy(where: string, policy: RollbackPolicy | undefined): string[] {
  if (!policy) return [];
  const problems: string[] = [];
  if (policy.mode !== undefined) {
    const unavailable = UNAVAILABLE_MODES.get(policy.mode);
    if (unavailable) problems.push(`${where}.mode: ${unavailable}`);
    else if (!(MODES as readonly string[]).includes(policy.mode))
      problems.push(`${where}.mode: must be "auto" or "dry-run" (got ${JSON.stringify(policy.mode)})`);
  }
  problems.push(
    ...checkDuration(`${where}.cooldown`, policy.cooldown, false),
    ...checkDuration(`${where}.bake`, policy.bake, false),
    ...checkDuration(`${where}.watchWindow`, policy.watchWindow, false),
    ...checkDuration(`${where}.approvalTimeout`, policy.approvalTimeout, false),
  );
  if (policy.maxRollbacks) {
    const { count, window } = policy.maxRollbacks;
    if (Token.isUnresolved(count) || !Number.isInteger(count) || count < 1)
      problems.push(`${where}.maxRollbacks.count: must be a whole number >= 1 (got ${count})`);
    problems.push(...checkDuration(`${where}.maxRollbacks.window`, window, true));
  }
  return problems;
}

function checkName(where: string, value: string, what: string): string[] {
  if (Token.isUnresolved(value) || ECS_NAME.test(value)) return [];
  return [
    `${where}: must be an ECS ${what} name: 1-255 letters, digits, "-" or "_" (got ${JSON.stringify(value)})`,
  ];
}

function checkTarget(where: string, target: RollbackTarget): string[] {
  const problems = target.problems.map((p) => `${where}: ${p}`);
  if (Token.isUnresolved(target.id)) problems.push(`${where}.id: must be a literal string, not a token`);
  else if (!TARGET_ID_PATTERN.test(target.id))
    problems.push(
      `${where}.id: must be lowercase letters, digits and "-" only ([a-z0-9-]+) (got ${JSON.stringify(target.id)})`,
    );
  if (target.problems.length === 0) {
    problems.push(
      ...checkName(`${where}.cluster`, target.ecsService.clusterName, 'cluster'),
      ...checkName(`${where}.serviceName`, target.ecsService.serviceName, 'service'),
    );
  }
  if (target.alarmNames.length === 0) problems.push(`${where}.alarms: must list at least one alarm`);
  target.alarmNames.forEach((name, i) => {
    if (!Token.isUnresolved(name) && (name.length === 0 || name.length > 255))
      problems.push(
        `${where}.alarms[${i}]: must be an alarm name of 1-255 characters (got ${JSON.stringify(name)})`,
      );
  });
  problems.push(...checkPolicy(`${where}.policy`, target.policy));
  return problems;
}

/**
 * Every problem with the watchdog's settings, each prefixed with the prop path it concerns. Empty when
 * valid. Negative durations need no check: `Duration` refuses to construct them.
 */
export function validateWatchdog(settings: WatchdogSettings): string[] {
  const problems: string[] = [];
  if (settings.targets.length === 0)
    problems.push('targets: at least one target is required (pass targets or call addTarget())');

  const firstIndexOfId = new Map<string, number>();
  settings.targets.forEach((target, i) => {
    const where = `targets[${i}]`;
    problems.push(...checkTarget(where, target));
    const first = firstIndexOfId.get(target.id);
    if (first === undefined) firstIndexOfId.set(target.id, i);
    else
      problems.push(
        `${where}.id: duplicate target id ${JSON.stringify(target.id)} (also targets[${first}]); ids must be unique`,
      );
  });

  problems.push(...checkPolicy('defaults', settings.defaults));
  problems.push(...checkDuration('maxEventAge', settings.maxEventAge, true));
  settings.notificationEmails?.forEach((email, i) => {
    if (!Token.isUnresolved(email) && !EMAIL.test(email))
      problems.push(`notificationEmails[${i}]: must be an email address (got ${JSON.stringify(email)})`);
  });
  return problems;
}
