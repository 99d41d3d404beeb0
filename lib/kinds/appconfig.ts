import { Names, Token } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import type * as events from 'aws-cdk-lib/aws-events';
import { nagFindingValue } from '../private/nag';
import type { CdkTargetKind, KindProtectContext, KindRoles, KindRule, KindTargetRef } from './kind';

/**
 * The id rule and variable name of lambda/kinds/appconfig/names.ts (lib/ may import lambda/contract only):
 * 7 lower-case letters and digits, at least one a digit, are an id; anything else is a name. A token (an id
 * from another construct)
 * is an id.
 */
const APPCONFIG_ID = /^(?=[a-z]*\d)[a-z0-9]{7}$/;
const STRATEGY_ID_ENV = 'WATCHDOG_APPCONFIG_STRATEGY_ID';
/** AppConfig's name limits: applications and environments 1-64 characters, configuration profiles 1-128. */
const NAME_MAX = { application: 64, environment: 64, configurationProfile: 128 } as const;

/** The deployment events the runtime parses (lambda/kinds/appconfig/events.ts), both rollback spellings. */
const EVENT_SOURCE = 'aws.appconfig';
const DETAIL_TYPES = [
  'On Deployment Start',
  'On Deployment Step',
  'On Deployment Baking',
  'On Deployment Complete',
  'On Deployment Rollback',
  'On Deployment Rolled Back',
];

/** What every role that reads the target calls: inspect (ListDeployments, GetDeployment) and name lookups. */
const READ_ACTIONS = [
  'appconfig:ListDeployments',
  'appconfig:GetDeployment',
  'appconfig:ListEnvironments',
  'appconfig:ListConfigurationProfiles',
];
/**
 * The viability preflight: whether a hosted configuration version still exists (it reads a profile's own
 * store only; versions in S3, Parameter Store and the rest are reported unchecked, and need no grant).
 */
const HOSTED_VERSION_READS = ['appconfig:GetHostedConfigurationVersion'];
/** What the roles that roll back call besides: stop or revert, and deploy a version again. */
const ACT_ACTIONS = [...READ_ACTIONS, 'appconfig:StopDeployment', 'appconfig:StartDeployment'];

const base = { source: [EVENT_SOURCE], 'detail-type': DETAIL_TYPES };

/** The deployment events of the protected applications, by application id. */
const BY_APPLICATION: KindRule = {
  id: 'AppConfigDeploymentRule',
  description:
    'AppConfig deployment events (deployment-events extension) of the applications the watchdog protects',
  pattern: { source: [EVENT_SOURCE], detailType: DETAIL_TYPES },
  patternFor: (applicationId) => ({ detail: { Application: { Id: [applicationId] } } }),
  baseChars: JSON.stringify({ ...base, detail: { Application: { Id: [] } } }).length,
};

/**
 * Every application's deployment events, for a target that names its application by name. The event carries
 * the application's id and, in the documented sample, its name; but AppConfig documents no schema for the
 * detail of every detail-type, and a pattern on a field an event lacks would drop it without a trace. The
 * deployment handler drops the events of profiles the watchdog does not protect (after resolving names), and
 * AppConfig deployments are few, so the cost of the wider rule is small.
 */
const ANY_APPLICATION: KindRule = {
  id: 'AppConfigDeploymentAnyApplicationRule',
  description:
    'AppConfig deployment events (deployment-events extension) of every application: a protected one is named by name',
  pattern: { source: [EVENT_SOURCE], detailType: DETAIL_TYPES },
  patternFor: (): events.EventPattern => ({}),
  baseChars: JSON.stringify(base).length,
};

/**
 * AppConfig configuration profiles in an environment (lambda/kinds/appconfig). Once per watchdog it creates the
 * deployment strategy of the watchdog's own deployments, with no duration and no bake (a rollback should take
 * effect at once and be judged by the watchdog's own verification, not held by AppConfig), and sets
 * WATCHDOG_APPCONFIG_STRATEGY_ID to it.
 *
 * Grants (Service Authorization Reference, AWS AppConfig): ListDeployments needs the application and the
 * environment; GetDeployment and StopDeployment also the deployment; StartDeployment the application, the
 * environment, the configuration profile and the deployment strategy; ListEnvironments and
 * ListConfigurationProfiles the application; GetHostedConfigurationVersion (the viability preflight) the
 * hosted configuration version; ListApplications has no resource type, so it is granted on "*",
 * and only when a target names its application by name. Ids in the config scope the grants to them; a name
 * scopes them to what it could be, the application's environments or profiles (or every application).
 * Deployment ARNs always end in a wildcard: their numbers are created as deployments run.
 */
export const appConfigCdkKind: CdkTargetKind = {
  type: 'appconfig',
  protect(ctx: KindProtectContext, target: KindTargetRef): void {
    const { application, environment, configurationProfile } = identity(target);
    zeroBakeStrategy(ctx);
    const app = isId(application) ? application : '*';
    const env = isId(environment) ? environment : '*';
    const profile = isId(configurationProfile) ? configurationProfile : '*';
    const arn = (resourceName: string) =>
      ctx.arn({ service: 'appconfig', resource: 'application', resourceName, sep: '/' });
    const appArn = arn(app);
    const envArn = arn(`${app}/environment/${env}`);
    const deploymentsArn = arn(`${app}/environment/${env}/deployment/*`);
    const profileArn = arn(`${app}/configurationprofile/${profile}`);
    const hostedVersionsArn = arn(`${app}/configurationprofile/${profile}/hostedconfigurationversion/*`);

    for (const resource of [appArn, envArn, deploymentsArn])
      ctx.grant('AppConfigRead', 'reading', READ_ACTIONS, resource);
    for (const resource of [appArn, envArn, deploymentsArn, profileArn])
      ctx.grant('AppConfigAct', 'acting', ACT_ACTIONS, resource);
    for (const roles of ['reading', 'acting'] as const)
      ctx.grant('AppConfigHostedVersions', roles, HOSTED_VERSION_READS, hostedVersionsArn);

    // Acknowledged once per ARN, whichever target comes first: the reasons name no target.
    const byName =
      'the AppConfig applications, environments or configuration profiles that targets name by name: the ids are resolved at run time, so the grant covers what a name can stand for; give ids in the config to scope it to them';
    for (const [resource, roles] of [
      [appArn, ['reading', 'acting']],
      [envArn, ['reading', 'acting']],
      [profileArn, ['acting']],
    ] as const) {
      if (resource.includes('*')) acknowledgeWildcard(ctx, resource, roles, byName);
    }
    const hostedId = `AwsSolutions-IAM5[Resource::${nagFindingValue(ctx.scope, hostedVersionsArn)}]`;
    for (const roles of ['reading', 'acting'] as const) {
      ctx.acknowledge(`${hostedId}:${roles}`, roles, {
        id: hostedId,
        reason: `The viability preflight reads (GetHostedConfigurationVersion, read-only) whether a known-good hosted configuration version of the protected AppConfig configuration profile${profile === '*' ? 's' : ` ${profile}`} still exists: version numbers are created as configurations are published, so the ARN ends in a wildcard.`,
      });
    }
    acknowledgeWildcard(
      ctx,
      deploymentsArn,
      ['reading', 'acting'],
      `the deployments of the protected AppConfig environment${env === '*' ? 's' : ` ${env}`}: deployment numbers are created as deployments run, so their ARNs end in a wildcard`,
    );
    if (app === '*') {
      for (const roles of ['reading', 'acting'] as const) {
        ctx.grant('AppConfigListApplications', roles, ['appconfig:ListApplications'], '*');
      }
      acknowledgeWildcard(
        ctx,
        '*',
        ['reading', 'acting'],
        'appconfig:ListApplications, which has no resource type: it resolves the application names targets give; give application ids to drop it',
      );
    }

    if (app === '*') {
      ctx.once('appconfig:route-any-application', () => ctx.route(ANY_APPLICATION, '*'));
    } else {
      ctx.route(BY_APPLICATION, app);
    }
  },
  problems(target: KindTargetRef): string[] {
    const problems: string[] = [];
    for (const field of ['application', 'environment', 'configurationProfile'] as const) {
      const value = target.resource[field];
      if (value === undefined || value === '') {
        problems.push(`${field} must name the AppConfig ${words(field)} by name or id`);
      } else if (!Token.isUnresolved(value) && value.length > NAME_MAX[field]) {
        problems.push(
          `${field} must be an AppConfig ${words(field)} name of at most ${NAME_MAX[field]} characters, or its id (got ${value.length} characters)`,
        );
      }
    }
    return problems;
  },
};

function isId(value: string): boolean {
  return Token.isUnresolved(value) || APPCONFIG_ID.test(value);
}

function identity(target: KindTargetRef): {
  application: string;
  environment: string;
  configurationProfile: string;
} {
  const { application = '', environment = '', configurationProfile = '' } = target.resource;
  return { application, environment, configurationProfile };
}

/** Human words for a resource field. */
function words(field: 'application' | 'environment' | 'configurationProfile'): string {
  return field === 'configurationProfile' ? 'configuration profile' : field;
}

/**
 * The watchdog's deployment strategy, created once: all targets at once (growth 100), nothing to wait for
 * (duration 0, bake 0), not replicated to an SSM document. Its id goes to every function
 * (STRATEGY_ID_ENV), and the roles that roll back may deploy with it.
 */
function zeroBakeStrategy(ctx: KindProtectContext): void {
  ctx.once('appconfig:zero-bake-strategy', (scope) => {
    const strategy = new appconfig.CfnDeploymentStrategy(scope, 'AppConfigZeroBakeStrategy', {
      name: 'RollbackWatchdogZeroBake',
      description: 'Rollback Watchdog: deploys a known-good configuration version at once, without bake time',
      deploymentDurationInMinutes: 0,
      finalBakeTimeInMinutes: 0,
      growthFactor: 100,
      growthType: 'LINEAR',
      replicateTo: 'NONE',
    });
    // Unique per watchdog (AppConfig ids the strategy; its name is for people), and says what it is.
    strategy.name = Names.uniqueResourceName(strategy, { maxLength: 64, separator: '-' });
    ctx.environment(STRATEGY_ID_ENV, strategy.attrId);
    ctx.grant(
      'AppConfigAct',
      'acting',
      ACT_ACTIONS,
      ctx.arn({
        service: 'appconfig',
        resource: 'deploymentstrategy',
        resourceName: strategy.attrId,
        sep: '/',
      }),
    );
  });
}

/** cdk-nag 3 matches a wildcard finding by the exact ARN it names: one acknowledgement per ARN. */
function acknowledgeWildcard(
  ctx: KindProtectContext,
  resource: string,
  roles: readonly KindRoles[],
  what: string,
): void {
  const id = `AwsSolutions-IAM5[Resource::${nagFindingValue(ctx.scope, resource)}]`;
  for (const role of roles) {
    ctx.acknowledge(`${id}:${role}`, role, {
      id,
      reason: `AppConfig rollbacks read${role === 'acting' ? ' and change' : ''} ${what}. Only the AppConfig actions a rollback needs.`,
    });
  }
}
