import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { RollbackTarget, RollbackWatchdog, WatchdogStack, PERMISSIONS_BOUNDARY_CONTEXT } from '../../lib';
import {
  PSEUDO,
  allStatements,
  appWithoutBundling,
  asList,
  evaluate,
  exampleConfig,
  logicalIdOf,
  type Statement,
} from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

const BOUNDARY_ARN = 'arn:aws:iam::123456789012:policy/WatchdogBoundary';
const ROLLBACK_ACTIONS = ['ecs:UpdateService', 'ecs:StopServiceDeployment', 'codedeploy:CreateDeployment'];
const arnPrefix = (service: string) =>
  `arn:aws:${service}:${PSEUDO['AWS::Region']}:${PSEUDO['AWS::AccountId']}`;

interface Variant {
  readonly template: Template;
  /** Resources the rollback actions may name: the protected services, their deployments, the groups. */
  readonly protectedArns: readonly string[];
  /** What every role's PermissionsBoundary must evaluate to. */
  readonly boundary: string;
  /** Roles the watchdog creates, at least. */
  readonly roles: number;
}

/** The app's stack from the example config, with the boundary given as `-c permissionsBoundary=ARN`. */
function exampleStack(): Variant {
  const config = exampleConfig();
  const app = appWithoutBundling({ [PERMISSIONS_BOUNDARY_CONTEXT]: BOUNDARY_ARN });
  const stack = new WatchdogStack(app, 'RollbackWatchdog', { config });
  return {
    template: Template.fromStack(stack),
    protectedArns: config.targets.flatMap((t) =>
      t.type === 'ecs-service'
        ? [
            `${arnPrefix('ecs')}:service/${t.cluster}/${t.service}`,
            `${arnPrefix('ecs')}:service-deployment/${t.cluster}/${t.service}/*`,
          ]
        : t.type === 'codedeploy'
          ? [`${arnPrefix('codedeploy')}:deploymentgroup:${t.application}/${t.deploymentGroup}`]
          : [],
    ),
    boundary: BOUNDARY_ARN,
    // Four handlers, the Slack notifier and the config writer.
    roles: 6,
  };
}

/** The construct with every optional part (Slack notifier, Chatbot channel) and a boundary policy prop. */
function everythingStack(): Variant & { secretRef: string } {
  const stack = new Stack(appWithoutBundling(), 'Everything');
  const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
    statements: [new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: ['*'] })],
  });
  const secret = new secretsmanager.Secret(stack, 'SlackSecret');
  new RollbackWatchdog(stack, 'Watchdog', {
    targets: [
      RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['web-5xx'] }),
      RollbackTarget.codeDeployGroup({
        id: 'pay',
        application: 'pay',
        deploymentGroupName: 'pay-prod',
        alarms: ['pay-errors'],
      }),
    ],
    slackWebhookSecret: secret,
    chatbotSlack: { slackWorkspaceId: 'T0123ABCD', slackChannelId: 'C0123ABCD' },
    permissionsBoundary: boundary,
  });
  return {
    template: Template.fromStack(stack),
    protectedArns: [
      `${arnPrefix('ecs')}:service/prod/web`,
      `${arnPrefix('ecs')}:service-deployment/prod/web/*`,
      `${arnPrefix('codedeploy')}:deploymentgroup:pay/pay-prod`,
    ],
    boundary: `<${logicalIdOf(stack, boundary)}>`,
    secretRef: `<${logicalIdOf(stack, secret)}>`,
    // Four handlers, the Slack notifier, the config writer and the Chatbot channel.
    roles: 7,
  };
}

const resourcesOf = (template: Template) => template.toJSON().Resources as Resources;
const ofType = (template: Template, type: string) =>
  Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);

/**
 * The key policy's first statement gives the account root kms:* (CDK's default, and AWS's): it delegates
 * access to IAM policies and keeps the key manageable. It is the one service-wide action in the template.
 */
const isKeyAdministration = (resource: string, template: Template, s: Statement) =>
  resourcesOf(template)[resource].Type === 'AWS::KMS::Key' &&
  asList(s.Action).join() === 'kms:*' &&
  evaluate((s.Principal as { AWS: unknown }).AWS) === `arn:aws:iam::${PSEUDO['AWS::AccountId']}:root`;

/**
 * RELIABILITY #23 (docs/reliability.md; and issue 6, security): every statement, role, topic and queue in the
 * template.
 */
describe.each([
  ['the example config stack', exampleStack],
  ['the construct with Slack, Chatbot and a boundary policy', everythingStack],
])('RELIABILITY #23: security of %s', (_name, build) => {
  let variant: Variant;

  beforeAll(() => {
    variant = build();
  });

  it('RELIABILITY #23: no Action "*" and no service-wide wildcard ("ecs:*") allowed in any policy', () => {
    // Denies may be broad (the SSL-only denies are `sqs:*`); what is allowed may not.
    const offenders = allStatements(variant.template).filter(
      ({ resource, statement }) =>
        asList(statement.Action).some(
          (a) => a === '*' || (statement.Effect === 'Allow' && a.endsWith(':*')),
        ) && !isKeyAdministration(resource, variant.template, statement),
    );
    expect(offenders).toEqual([]);
  });

  it('RELIABILITY #23: rollback actions only on the protected resources', () => {
    const granted = allStatements(variant.template)
      .map(({ statement }) => statement)
      .filter((s) => s.Effect === 'Allow' && asList(s.Action).some((a) => ROLLBACK_ACTIONS.includes(a)));
    expect(granted.length).toBeGreaterThan(0);
    const named = granted.flatMap((s) => asList(s.Resource)).map((r) => evaluate(r));
    expect(named.filter((arn) => !variant.protectedArns.includes(arn))).toEqual([]);
  });

  it('RELIABILITY #23: never grants iam:PassRole (nor any iam: action)', () => {
    const iamActions = allStatements(variant.template).filter(({ statement }) =>
      asList(statement.Action).some((a) => a.startsWith('iam:')),
    );
    expect(iamActions).toEqual([]);
  });

  it('RELIABILITY #23: every topic and queue is encrypted and refuses non-TLS access', () => {
    const { template } = variant;
    const enforcesSsl = (type: string, key: 'Topics' | 'Queues') =>
      ofType(template, type)
        .filter(([, p]) =>
          (p.Properties.PolicyDocument.Statement as Statement[]).some(
            (s) =>
              s.Effect === 'Deny' &&
              JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
          ),
        )
        .flatMap(([, p]) => (p.Properties[key] as { Ref: string }[]).map((ref) => ref.Ref));
    const topics = ofType(template, 'AWS::SNS::Topic');
    const queues = ofType(template, 'AWS::SQS::Queue');
    expect(topics).toHaveLength(1);
    expect(queues).toHaveLength(1);
    expect(new Set(enforcesSsl('AWS::SNS::TopicPolicy', 'Topics'))).toEqual(
      new Set(topics.map(([id]) => id)),
    );
    expect(new Set(enforcesSsl('AWS::SQS::QueuePolicy', 'Queues'))).toEqual(
      new Set(queues.map(([id]) => id)),
    );
    for (const [, topic] of topics) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    for (const [, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled === true || !!queue.Properties.KmsMasterKeyId).toBe(true);
    }
  });

  it('permissionsBoundary: every role carries it, the custom-resource provider’s and Chatbot’s included', () => {
    const roles = ofType(variant.template, 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(variant.roles);
    for (const [id, role] of roles) {
      expect([id, evaluate(role.Properties.PermissionsBoundary)]).toEqual([id, variant.boundary]);
    }
  });
});

describe('RELIABILITY #23: security of the construct with Slack and Chatbot, beyond the example stack', () => {
  it('GetSecretValue only on the one Slack secret (the example stack: watchdog-stack.test.ts)', () => {
    const { template, secretRef } = everythingStack();
    const readers = allStatements(template)
      .map(({ statement }) => statement)
      .filter((s) => asList(s.Action).includes('secretsmanager:GetSecretValue'));
    expect(readers).toHaveLength(1);
    expect(asList(readers[0].Resource).map((r) => evaluate(r))).toEqual([secretRef]);
  });
});

describe('permissions boundary not configured', () => {
  it('leaves every role without one', () => {
    const stack = new WatchdogStack(appWithoutBundling(), 'RollbackWatchdog', { config: exampleConfig() });
    const roles = ofType(Template.fromStack(stack), 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(6);
    for (const [, role] of roles) expect(role.Properties.PermissionsBoundary).toBeUndefined();
  });

  it('takes the permissionsBoundaryArn prop over the context value', () => {
    const app = appWithoutBundling({
      [PERMISSIONS_BOUNDARY_CONTEXT]: 'arn:aws:iam::123456789012:policy/Other',
    });
    const stack = new WatchdogStack(app, 'RollbackWatchdog', {
      config: exampleConfig(),
      permissionsBoundaryArn: BOUNDARY_ARN,
    });
    for (const [, role] of ofType(Template.fromStack(stack), 'AWS::IAM::Role')) {
      expect(role.Properties.PermissionsBoundary).toBe(BOUNDARY_ARN);
    }
  });
});

// Covered elsewhere, not repeated here: the topic key's policy for cloudwatch.amazonaws.com and
// events.amazonaws.com, and the per-handler scoping of every action (watchdog-stack.test.ts); the Slack
// secret's key used only through Secrets Manager and the Chatbot guardrail (rollback-watchdog.test.ts);
// failure sinks and alarms (observability.test.ts); cdk-nag (cdk-nag.test.ts).
