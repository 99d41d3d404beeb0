/**
 * How far the watchdog's IAM grants (and its EventBridge rules) reach. The defaults name every protected
 * resource exactly; IAM fits about 170 ECS targets that way on one role (BENCHMARKS.md, scale). The wider
 * scopes are opt-in: the user accepts that the watchdog may act on anything in the named clusters,
 * applications and alarm-name patterns, in exchange for grants that do not grow with the fleet.
 */

/** `services`: each protected service's ARN. `clusters`: `service/<cluster>/*` of each protected cluster. */
export const ECS_GRANT_SCOPES = ['services', 'clusters'] as const;
export type EcsGrantScope = (typeof ECS_GRANT_SCOPES)[number];

/**
 * `deployment-groups`: each protected group's ARN. `applications`: `deploymentgroup:<application>/*` of
 * each protected application.
 */
export const CODEDEPLOY_GRANT_SCOPES = ['deployment-groups', 'applications'] as const;
export type CodeDeployGrantScope = (typeof CODEDEPLOY_GRANT_SCOPES)[number];

/** `permissions` of watchdog.config.json, and of the construct's props. */
export interface PermissionsConfig {
  /** @default 'services' */
  readonly ecs?: EcsGrantScope;
  /** @default 'deployment-groups' */
  readonly codeDeploy?: CodeDeployGrantScope;
  /**
   * Alarm-name patterns (`*` matches any characters) that cover the trigger alarms: drills may set those
   * alarms (cloudwatch:SetAlarmState on `alarm:<pattern>`), and one rule entry per pattern receives their
   * state changes. Alarms no pattern covers are still named one by one.
   * @default - every alarm by name
   */
  readonly alarmNamePatterns?: readonly string[];
}

/**
 * Why a string of the right length is still not a usable alarm name, or undefined. An ARN, a name with
 * control characters or a wildcard would never match an alarm event, so the target would never be guarded.
 */
export function alarmNameProblem(name: string): string | undefined {
  if (/^arn:/i.test(name)) {
    const tail = /:alarm:(.+)$/.exec(name)?.[1];
    return `must be an alarm name, not an ARN: use the part after ":alarm:"${tail ? ` (${JSON.stringify(tail)})` : ''}`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name))
    return 'must not contain control characters (tabs, newlines and the like)';
  if (/[*?]/.test(name)) {
    return 'must be an exact alarm name: "*" and "?" are not wildcards here. List each alarm by name; to grant the watchdog alarms by pattern, use permissions.alarmNamePatterns';
  }
  return undefined;
}

/** The problem with an alarm-name pattern, or undefined when it is usable in both IAM and EventBridge. */
export function alarmNamePatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0 || pattern.length > 255) return 'must be 1-255 characters';
  if (pattern.includes('?'))
    return 'may use "*" as its only wildcard ("?" means one character to IAM but nothing to EventBridge)';
  if (/^\*+$/.test(pattern))
    return 'must name part of the alarm name: "*" alone covers every alarm in the account';
  if (pattern.includes('**')) return 'must not contain "**" (EventBridge rejects consecutive wildcards)';
  return undefined;
}

/** Whether `name` matches `pattern`, as IAM and EventBridge match `*` (any characters, none included). */
export function alarmNameMatches(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (!name.startsWith(first) || name.length < first.length + last.length || !name.endsWith(last))
    return false;
  let at = first.length;
  const end = name.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    const found = name.indexOf(middle, at);
    if (found < 0 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/**
 * The largest fleet measured in one stack (BENCHMARKS.md: synth, cfn-lint, the sweep). A larger one that still
 * fits STACK_LIMITS is valid, and `watchdog validate` warns that it is beyond what was measured.
 */
export const MEASURED_FLEET_TARGETS = 1000;

/** What one stack holds: beyond these, `watchdog validate` and synth fail with the number and the fix. */
export const STACK_LIMITS = {
  /** IAM's default quota of managed policies attached to one role. */
  managedPoliciesPerRole: 10,
  /** CloudFormation's resources per stack. */
  resourcesPerStack: 500,
} as const;
