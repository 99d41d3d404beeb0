import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { STACK_OUTPUT } from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog } from '../../lib';
import { appWithoutBundling, asList, logicalIdOf, roleStatements } from './helpers';

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

/** What a role that may only look can do: read the table and the targets, write its own logs and traces. */
const READ_ONLY_ACTION =
  /^(dynamodb:(BatchGetItem|GetItem|Query|Scan|GetRecords|GetShardIterator|DescribeTable|ConditionCheckItem)|ecs:(Describe|List)\w+|codedeploy:(Get|List|BatchGet)\w+|logs:(CreateLogStream|PutLogEvents)|xray:(PutTraceSegments|PutTelemetryRecords)|kms:(Decrypt|DescribeKey))$/;

describe('read-only operator function', () => {
  let stack: Stack;
  let template: Template;
  let watchdog: RollbackWatchdog;
  let resources: Resources;
  const onCall = new iam.ArnPrincipal('arn:aws:iam::123456789012:role/OnCall');
  const viewer = new iam.ArnPrincipal('arn:aws:iam::123456789012:role/Viewer');

  beforeAll(() => {
    stack = new Stack(appWithoutBundling(), 'App');
    watchdog = new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['web-5xx'] }),
        RollbackTarget.codeDeployGroup({
          id: 'pay',
          application: 'pay',
          deploymentGroupName: 'pay-prod',
          alarms: ['pay-errors'],
        }),
      ],
      operatorPrincipals: [onCall],
      readOnlyPrincipals: [viewer],
    });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  });

  const idOf = (fn: RollbackWatchdog['operatorFunction']) => logicalIdOf(stack, fn);

  it("runs the operator's bundle, its read-only export", () => {
    const reader = resources[idOf(watchdog.operatorReadFunction)].Properties;
    const operator = resources[idOf(watchdog.operatorFunction)].Properties;
    expect(reader.Handler).toBe('index.readOnlyHandler');
    expect(operator.Handler).toBe('index.handler');
    expect(reader.Code).toEqual(operator.Code);
  });

  it('has a role that can only read: no action that writes, acts or publishes', () => {
    const actions = roleStatements(template, idOf(watchdog.operatorReadFunction)).flatMap((s) =>
      asList(s.Action),
    );
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => !READ_ONLY_ACTION.test(a))).toEqual([]);
    // It can read what `status` reads: the table and both kinds of target.
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'ecs:DescribeServices',
        'ecs:ListServiceDeployments',
        'codedeploy:GetDeploymentGroup',
        'codedeploy:ListDeployments',
      ]),
    );
    // The operator, by contrast, acts.
    const operatorActions = roleStatements(template, idOf(watchdog.operatorFunction)).flatMap((s) =>
      asList(s.Action),
    );
    expect(operatorActions).toEqual(expect.arrayContaining(['ecs:UpdateService', 'dynamodb:PutItem']));
  });

  it('has its own AWS_IAM Function URL; read-only principals may call only that one, operators both', () => {
    const urls = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Url');
    expect(urls.map((u) => u.Properties.AuthType)).toEqual(['AWS_IAM', 'AWS_IAM']);
    const invokers = (fn: RollbackWatchdog['operatorFunction']) =>
      Object.values(resources)
        .filter(
          (r) =>
            r.Type === 'AWS::Lambda::Permission' &&
            r.Properties.Action === 'lambda:InvokeFunctionUrl' &&
            r.Properties.FunctionName?.['Fn::GetAtt']?.[0] === idOf(fn),
        )
        .map((r) => r.Properties.Principal as string)
        .sort();
    expect(invokers(watchdog.operatorReadFunction)).toEqual([onCall.arn, viewer.arn].sort());
    expect(invokers(watchdog.operatorFunction)).toEqual([onCall.arn]);
  });

  it('publishes its URL and function name as stack outputs, which the CLI reads', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[STACK_OUTPUT.operatorReadUrl].Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^WatchdogOperatorReadHandlerFunctionUrl/), 'FunctionUrl'],
    });
    expect(outputs[STACK_OUTPUT.operatorReadFunctionName].Value).toEqual({
      Ref: idOf(watchdog.operatorReadFunction),
    });
  });
});
