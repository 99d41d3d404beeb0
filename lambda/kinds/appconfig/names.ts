import type { RuntimeAppConfigTarget } from '../../contract';

/**
 * What the AppConfig kind's runtime, simulator and config schema share. `lib/kinds/appconfig.ts` keeps its own
 * copy of the id rule and the variable name, since lib/ may import lambda/contract only.
 */

/**
 * A value the config gives for an application, environment or configuration profile is read as an id when it
 * has the form of the ids AppConfig creates: 7 lower-case letters and digits (the API's pattern is
 * `[a-z0-9]{4,7}`; the ids in AppConfig's API reference and user guide all have 7), at least one of them a
 * digit, so that common 7-letter names (`staging`, `preprod`, `payment`) stay names. The stack scopes IAM to
 * such a value as an id. Any other value is a name, resolved to its id at run time; the resolver matches ids
 * first either way, so an id without a digit or of another length still resolves, only with grants at the
 * application level.
 */
export const APPCONFIG_ID_PATTERN = /^(?=[a-z]*\d)[a-z0-9]{7}$/;

/** The pattern AppConfig's API gives ids (what events and API answers carry). */
export const APPCONFIG_API_ID_PATTERN = /^[a-z0-9]{4,7}$/;

export function isAppConfigId(value: string): boolean {
  return APPCONFIG_ID_PATTERN.test(value);
}

/**
 * The function environment variable holding the id of the deployment strategy the stack creates for the
 * watchdog's own deployments: no duration, no bake, all at once.
 */
export const STRATEGY_ID_ENV = 'WATCHDOG_APPCONFIG_STRATEGY_ID';

export const IDENTITY_FIELDS = ['application', 'environment', 'configurationProfile'] as const;

export type AppConfigNames = Pick<RuntimeAppConfigTarget, (typeof IDENTITY_FIELDS)[number]>;

/** `AppConfig configuration profile flags in environment prod of application checkout`. */
export function describeAppConfig(t: AppConfigNames): string {
  return `AppConfig configuration profile ${t.configurationProfile} in environment ${t.environment} of application ${t.application}`;
}

/** `checkout/prod/flags`. */
export function appConfigResource(t: AppConfigNames): string {
  return `${t.application}/${t.environment}/${t.configurationProfile}`;
}

/**
 * AppConfig rolls a deployment back (StopDeployment, its own alarm monitors) or reverts it (StopDeployment
 * with AllowRevert) in place: the deployment keeps its number and changes state. The watchdog's ledger sees
 * that as two deployments: the deployment itself, failed, and its rollback, which restores the version served
 * before it. The rollback is named after the deployment with this suffix, in the live view and in events.
 */
const ROLLBACK_SUFFIX = '-rollback';

/** The id the watchdog gives deployment `n` of an environment: its number (`7`). */
export function deploymentIdOf(n: number): string {
  return String(n);
}

/** The id of the rollback (or revert) of deployment `n`: `7-rollback`. */
export function rollbackIdOf(n: number): string {
  return `${n}${ROLLBACK_SUFFIX}`;
}

/** The deployment number a deployment id or a rollback id names, or undefined when it is neither. */
export function deploymentNumberOf(ref: string): number | undefined {
  const m = /^([1-9]\d{0,9})(?:-rollback)?$/.exec(ref);
  return m ? Number(m[1]) : undefined;
}
