import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RollbackTarget, RollbackWatchdog } from '../../lib';
import { appWithoutBundling } from './helpers';

const ENV = { account: '123456789012', region: 'us-east-1' };

function aliasIn(stack: Stack) {
  const fn = new lambda.Function(stack, 'Fn', {
    functionName: 'checkout-api',
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
  });
  return new lambda.Alias(stack, 'Live', { aliasName: 'live', version: fn.currentVersion });
}

/** Every statement of every policy in the template, with its actions as a list. */
function statements(template: Template): { Action: string[]; Resource: unknown }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
    (
      p as {
        Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
      }
    ).Properties.PolicyDocument.Statement.map((s) => ({
      Action: Array.isArray(s.Action) ? s.Action : [s.Action],
      Resource: s.Resource,
    })),
  );
}

describe('RollbackTarget.lambdaAlias in a RollbackWatchdog', () => {
  it('grants UpdateAlias and routes the alias calls of the function to the deployment handler', () => {
    // Prepare
    const app = appWithoutBundling();
    const stack = new Stack(app, 'App', { env: ENV });
    const alias = aliasIn(stack);

    // Act
    new RollbackWatchdog(stack, 'Watchdog', {
      targets: [RollbackTarget.lambdaAlias({ id: 'checkout-api', alias, alarms: ['checkout-api-errors'] })],
    });
    const template = Template.fromStack(stack);

    // Assess
    const updates = statements(template).filter((s) => s.Action.includes('lambda:UpdateAlias'));
    expect(updates.length).toBeGreaterThan(0);
    expect(JSON.stringify(updates.map((s) => s.Resource))).toContain(':function:');
    const rules = Object.values(template.findResources('AWS::Events::Rule')).map(
      (r) => (r as { Properties: { EventPattern?: { source?: string[] } } }).Properties.EventPattern,
    );
    expect(rules.some((p) => p?.source?.includes('aws.lambda'))).toBe(true);
  });

  it('fails synth for an alias whose shifts a CodeDeploy deployment group runs, even one created later', () => {
    // Prepare
    const app = appWithoutBundling();
    const stack = new Stack(app, 'App', { env: ENV });
    const alias = aliasIn(stack);
    new RollbackWatchdog(stack, 'Watchdog', {
      targets: [RollbackTarget.lambdaAlias({ id: 'checkout-api', alias, alarms: ['checkout-api-errors'] })],
    });
    new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias });

    // Act, Assess
    expect(() => app.synth()).toThrow(
      /targets\[0\]: alias live \(App\/Live\) is deployed by a CodeDeploy deployment group .*RollbackTarget\.codeDeployGroup instead/,
    );
  });

  it('refuses half a name, as the other factories do', () => {
    // Prepare
    const app = appWithoutBundling();
    const stack = new Stack(app, 'App', { env: ENV });
    new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.lambdaAlias({ id: 'checkout-api', functionName: 'checkout-api', alarms: ['e'] }),
      ],
    });

    // Act, Assess
    expect(() => app.synth()).toThrow(/targets\[0\]: aliasName is required unless alias is given/);
  });
});

describe('RollbackTarget.appConfig in a RollbackWatchdog', () => {
  it('scopes the grants to the ids of constructs, creates the zero-bake strategy once and tells the handlers its id', () => {
    // Prepare
    const app = appWithoutBundling();
    const stack = new Stack(app, 'App', { env: ENV });
    const application = new appconfig.Application(stack, 'Checkout');
    const environment = new appconfig.Environment(stack, 'Prod', { application });
    const flags = new appconfig.HostedConfiguration(stack, 'Flags', {
      application,
      content: appconfig.ConfigurationContent.fromInlineJson('{}'),
    });

    // Act
    new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.appConfig({
          id: 'checkout-flags',
          application,
          environment,
          configurationProfile: flags,
          alarms: ['checkout-errors'],
        }),
        RollbackTarget.appConfig({
          id: 'checkout-limits',
          application: 'checkout',
          environment: 'staging',
          configurationProfile: 'limits',
          alarms: ['checkout-errors'],
        }),
      ],
    });
    const template = Template.fromStack(stack);

    // Assess
    // The hosted configuration brings a strategy of its own; the watchdog adds exactly one.
    template.resourcePropertiesCountIs(
      'AWS::AppConfig::DeploymentStrategy',
      { DeploymentDurationInMinutes: 0, FinalBakeTimeInMinutes: 0, GrowthFactor: 100, ReplicateTo: 'NONE' },
      1,
    );
    const starts = statements(template).filter((s) => s.Action.includes('appconfig:StartDeployment'));
    expect(starts.length).toBeGreaterThan(0);
    // The construct target's grant names its environment by the environment's own id.
    expect(JSON.stringify(starts.map((s) => s.Resource))).toMatch(
      /"\/environment\/",\{"Ref":"Prod[0-9A-F]{8}"\}/,
    );
    const handlers = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) =>
        (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties
          .Environment?.Variables?.WATCHDOG_APPCONFIG_STRATEGY_ID !== undefined,
    );
    expect(handlers.length).toBe(5);
  });
});
