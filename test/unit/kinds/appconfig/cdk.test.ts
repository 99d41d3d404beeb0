import { App, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { appConfigCdkKind } from '../../../../lib/kinds/appconfig';
import type { KindProtectContext, KindRoles, KindRule, KindTargetRef } from '../../../../lib/kinds/kind';

interface Recorded {
  readonly grants: { key: string; roles: KindRoles; actions: readonly string[]; resource: string }[];
  readonly routes: { rule: KindRule; value: string }[];
  readonly env: Record<string, string>;
  readonly acks: { key: string; roles: KindRoles; id: string; reason: string }[];
}

/** A context that records what the kind asks for, on a real stack (for the strategy it creates). */
function context(): { ctx: KindProtectContext; stack: Stack; recorded: Recorded } {
  const stack = new Stack(new App(), 'Watchdog', { env: { account: '123456789012', region: 'us-east-1' } });
  const recorded: Recorded = { grants: [], routes: [], env: {}, acks: [] };
  const done = new Set<string>();
  const ctx: KindProtectContext = {
    scope: stack,
    permissions: {},
    arn: ({ service, resource, resourceName, sep }) =>
      `arn:aws:${service}:us-east-1:123456789012:${resource}${resourceName === undefined ? '' : `${sep}${resourceName}`}`,
    grant: (key, roles, actions, resource) => recorded.grants.push({ key, roles, actions, resource }),
    route: (rule, value) => recorded.routes.push({ rule, value }),
    once: (key, build: (scope: Construct) => void) => {
      if (done.has(key)) return;
      done.add(key);
      build(stack);
    },
    environment: (name, value) => {
      recorded.env[name] = value;
    },
    acknowledge: (key, roles, finding) => {
      if (!recorded.acks.some((a) => a.key === key)) recorded.acks.push({ key, roles, ...finding });
    },
  };
  return { ctx, stack, recorded };
}

const ARN = 'arn:aws:appconfig:us-east-1:123456789012';
const target = (resource: Record<string, string>, id = 'checkout-flags'): KindTargetRef => ({
  id,
  type: 'appconfig',
  resource,
});
const byIds = target({ application: 'a1b2c3d', environment: 'e4f5g6h', configurationProfile: 'p7q8r9s' });
const byNames = target({
  application: 'checkout',
  environment: 'production',
  configurationProfile: 'feature-flags',
});

const resourcesOf = (r: Recorded, key: string, roles: KindRoles) =>
  r.grants.filter((g) => g.key === key && g.roles === roles).map((g) => g.resource);

describe('appConfigCdkKind', () => {
  it('creates one zero-bake deployment strategy per watchdog and names it in every function’s environment', () => {
    const { ctx, stack, recorded } = context();

    appConfigCdkKind.protect(ctx, byIds);
    appConfigCdkKind.protect(ctx, target({ ...byIds.resource, configurationProfile: 'p0o0o0o' }, 'limits'));

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::AppConfig::DeploymentStrategy', 1);
    template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      DeploymentDurationInMinutes: 0,
      FinalBakeTimeInMinutes: 0,
      GrowthFactor: 100,
      ReplicateTo: 'NONE',
      Name: Match.stringLikeRegexp('AppConfigZeroBakeStrategy'),
    });
    const [logicalId] = Object.keys(template.findResources('AWS::AppConfig::DeploymentStrategy'));
    expect(stack.resolve(recorded.env['WATCHDOG_APPCONFIG_STRATEGY_ID'])).toEqual({
      'Fn::GetAtt': [logicalId, 'Id'],
    });
    const strategyGrants = recorded.grants.filter((g) => g.resource.includes(':deploymentstrategy/'));
    expect(strategyGrants.map((g) => [g.key, g.roles])).toEqual([['AppConfigAct', 'acting']]);
  });

  it('scopes the grants to the ids a target gives, reading roles reading and acting roles also acting', () => {
    const { ctx, recorded } = context();

    appConfigCdkKind.protect(ctx, byIds);

    expect(resourcesOf(recorded, 'AppConfigRead', 'reading')).toEqual([
      `${ARN}:application/a1b2c3d`,
      `${ARN}:application/a1b2c3d/environment/e4f5g6h`,
      `${ARN}:application/a1b2c3d/environment/e4f5g6h/deployment/*`,
    ]);
    expect(resourcesOf(recorded, 'AppConfigAct', 'acting')).toEqual(
      expect.arrayContaining([
        `${ARN}:application/a1b2c3d`,
        `${ARN}:application/a1b2c3d/environment/e4f5g6h`,
        `${ARN}:application/a1b2c3d/environment/e4f5g6h/deployment/*`,
        `${ARN}:application/a1b2c3d/configurationprofile/p7q8r9s`,
      ]),
    );
    const act = recorded.grants.find((g) => g.key === 'AppConfigAct');
    expect(act?.actions).toEqual(
      expect.arrayContaining([
        'appconfig:StartDeployment',
        'appconfig:StopDeployment',
        'appconfig:ListDeployments',
      ]),
    );
    const read = recorded.grants.find((g) => g.key === 'AppConfigRead');
    expect(read?.actions).not.toContain('appconfig:StartDeployment');
    expect(read?.actions).not.toContain('appconfig:StopDeployment');
    expect(recorded.grants.some((g) => g.actions.includes('appconfig:ListApplications'))).toBe(false);
    // The viability preflight reads the profile's hosted versions, and nothing else of it.
    for (const roles of ['reading', 'acting'] as const) {
      expect(resourcesOf(recorded, 'AppConfigHostedVersions', roles)).toEqual([
        `${ARN}:application/a1b2c3d/configurationprofile/p7q8r9s/hostedconfigurationversion/*`,
      ]);
    }
    expect(recorded.grants.find((g) => g.key === 'AppConfigHostedVersions')?.actions).toEqual([
      'appconfig:GetHostedConfigurationVersion',
    ]);
    // Only the wildcards of the ARNs numbered at run time are acknowledged: hosted versions and deployments.
    expect(recorded.acks.map((a) => a.id)).toEqual([
      `AwsSolutions-IAM5[Resource::${ARN}:application/a1b2c3d/configurationprofile/p7q8r9s/hostedconfigurationversion/*]`,
      `AwsSolutions-IAM5[Resource::${ARN}:application/a1b2c3d/configurationprofile/p7q8r9s/hostedconfigurationversion/*]`,
      `AwsSolutions-IAM5[Resource::${ARN}:application/a1b2c3d/environment/e4f5g6h/deployment/*]`,
      `AwsSolutions-IAM5[Resource::${ARN}:application/a1b2c3d/environment/e4f5g6h/deployment/*]`,
    ]);
  });

  it('routes the deployment events of an application given by id by that id', () => {
    const { ctx, recorded } = context();

    appConfigCdkKind.protect(ctx, byIds);

    expect(recorded.routes.map((r) => [r.rule.id, r.value])).toEqual([
      ['AppConfigDeploymentRule', 'a1b2c3d'],
    ]);
    const rule = recorded.routes[0]?.rule;
    expect(rule?.pattern).toEqual({
      source: ['aws.appconfig'],
      detailType: expect.arrayContaining([
        'On Deployment Start',
        'On Deployment Complete',
        'On Deployment Rollback',
      ]),
    });
    expect(rule?.patternFor('a1b2c3d')).toEqual({ detail: { Application: { Id: ['a1b2c3d'] } } });
  });

  it('widens the grants for names to what they can stand for, with ListApplications on "*" and every wildcard acknowledged', () => {
    const { ctx, recorded } = context();

    appConfigCdkKind.protect(ctx, byNames);

    expect(resourcesOf(recorded, 'AppConfigRead', 'reading')).toEqual([
      `${ARN}:application/*`,
      `${ARN}:application/*/environment/*`,
      `${ARN}:application/*/environment/*/deployment/*`,
    ]);
    expect(resourcesOf(recorded, 'AppConfigListApplications', 'reading')).toEqual(['*']);
    expect(resourcesOf(recorded, 'AppConfigListApplications', 'acting')).toEqual(['*']);
    const acknowledged = new Set(recorded.acks.map((a) => a.id));
    for (const resource of [
      '*',
      `${ARN}:application/*`,
      `${ARN}:application/*/environment/*`,
      `${ARN}:application/*/environment/*/deployment/*`,
      `${ARN}:application/*/configurationprofile/*`,
    ]) {
      expect(acknowledged).toContain(`AwsSolutions-IAM5[Resource::${resource}]`);
    }
    expect(recorded.acks.every((a) => a.reason.length > 40)).toBe(true);
  });

  it('routes by source and detail-type only when the application is named, once per watchdog', () => {
    const { ctx, recorded } = context();

    appConfigCdkKind.protect(ctx, byNames);
    appConfigCdkKind.protect(ctx, target({ ...byNames.resource, configurationProfile: 'limits' }, 'limits'));

    expect(recorded.routes.map((r) => r.rule.id)).toEqual(['AppConfigDeploymentAnyApplicationRule']);
    const rule = recorded.routes[0]?.rule;
    expect(rule?.patternFor('*')).toEqual({} satisfies events.EventPattern);
  });

  it('scopes to the application id and widens only the part given by name', () => {
    const { ctx, recorded } = context();

    appConfigCdkKind.protect(ctx, target({ ...byIds.resource, environment: 'production' }));

    expect(resourcesOf(recorded, 'AppConfigRead', 'reading')).toEqual([
      `${ARN}:application/a1b2c3d`,
      `${ARN}:application/a1b2c3d/environment/*`,
      `${ARN}:application/a1b2c3d/environment/*/deployment/*`,
    ]);
    expect(recorded.routes.map((r) => r.value)).toEqual(['a1b2c3d']);
    expect(recorded.grants.some((g) => g.actions.includes('appconfig:ListApplications'))).toBe(false);
  });

  it('takes an id from another construct (a token) as an id', () => {
    const { ctx, stack, recorded } = context();
    const app = new appconfig.CfnApplication(stack, 'Flags', { name: 'checkout' });

    appConfigCdkKind.protect(ctx, target({ ...byIds.resource, application: app.ref }));

    expect(recorded.routes.map((r) => stack.resolve(r.value))).toEqual([{ Ref: stack.resolve(app.ref).Ref }]);
    expect(recorded.grants.some((g) => g.actions.includes('appconfig:ListApplications'))).toBe(false);
  });

  it('reports empty and over-long names at synth', () => {
    expect(appConfigCdkKind.problems?.(byNames)).toEqual([]);
    expect(
      appConfigCdkKind.problems?.(
        target({ application: '', environment: 'e'.repeat(65), configurationProfile: 'p'.repeat(128) }),
      ),
    ).toEqual([
      'application must name the AppConfig application by name or id',
      'environment must be an AppConfig environment name of at most 64 characters, or its id (got 65 characters)',
    ]);
  });
});
