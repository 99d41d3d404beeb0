import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { STACK_OUTPUT } from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog, type ApprovalTimeoutAction, type Mode } from '../../lib';
import { appWithoutBundling } from './helpers';

function synthError(build: (stack: Stack) => void, props: StackProps = {}): Error {
  const app = appWithoutBundling();
  build(new Stack(app, 'App', props));
  try {
    app.synth();
  } catch (err) {
    return err as Error;
  }
  throw new Error('synth succeeded, expected a validation error');
}

describe('RollbackWatchdog props validation', () => {
  it('fails synth with one error that lists every problem', () => {
    const error = synthError((stack) => {
      const service = ecs.BaseService.fromServiceArnWithCluster(
        stack,
        'Imported',
        'arn:aws:ecs:us-east-1:123456789012:service/prod/web',
      );
      const watchdog = new RollbackWatchdog(stack, 'Watchdog', {
        targets: [
          RollbackTarget.ecsService({ id: 'Checkout', cluster: 'prod', serviceName: 'checkout', alarms: [] }),
          RollbackTarget.ecsService({
            id: 'web',
            service,
            serviceName: 'web',
            alarms: ['web-5xx'],
            policy: { mode: 'approval', cooldown: Duration.seconds(90) },
          }),
          RollbackTarget.ecsService({ id: 'web', alarms: [''] }),
        ],
        defaults: { maxRollbacks: { count: 0, window: Duration.minutes(0) }, bake: Duration.seconds(30) },
        maxEventAge: Duration.seconds(0),
        notificationEmails: ['oncall'],
      });
      watchdog.addTarget(
        RollbackTarget.ecsService({ id: 'api', cluster: 'prod/eu', serviceName: 'api', alarms: ['api-5xx'] }),
      );
    });

    const problems = [
      'targets[0].id: must be lowercase letters, digits and "-" only ([a-z0-9-]+) (got "Checkout")',
      'targets[0].alarms: must list at least one alarm',
      'targets[1]: give either service, or cluster and serviceName, not both',
      'targets[1].policy.cooldown: must be a whole number of minutes (got 1 minute 30 seconds)',
      'targets[2]: cluster is required unless service is given',
      'targets[2]: serviceName is required unless service is given',
      'targets[2].alarms[0]: must be an alarm name of 1-255 characters (got "")',
      'targets[2].id: duplicate target id "web" (also targets[1]); ids must be unique',
      'targets[3].cluster: must be an ECS cluster name: 1-255 letters, digits, "-" or "_" (got "prod/eu")',
      'defaults.bake: must be a whole number of minutes (got 30 seconds)',
      'defaults.maxRollbacks.count: must be a whole number >= 1 (got 0)',
      'defaults.maxRollbacks.window: must be more than 0 minutes (got 0 minutes)',
      'maxEventAge: must be more than 0 minutes (got 0 seconds)',
      'notificationEmails[0]: must be an email address (got "oncall")',
    ];
    for (const problem of problems) expect(error.message).toContain(`[App/Watchdog] ${problem}`);
    expect(error.message.match(/\[App\/Watchdog\]/g)).toHaveLength(problems.length);
  });

  it('fails synth on two targets for one service or group, and on alarm names that could never match', () => {
    const error = synthError(
      (stack) =>
        new RollbackWatchdog(stack, 'Watchdog', {
          targets: [
            RollbackTarget.ecsService({
              id: 'a',
              cluster: 'prod',
              serviceName: 'checkout',
              alarms: ['a-5xx'],
            }),
            RollbackTarget.ecsService({
              id: 'b',
              cluster: 'prod',
              serviceName: 'checkout',
              alarms: ['b-5xx'],
            }),
            RollbackTarget.codeDeployGroup({
              id: 'c',
              application: 'payments',
              deploymentGroupName: 'prod',
              alarms: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:payments-errors'],
            }),
            RollbackTarget.codeDeployGroup({
              id: 'd',
              application: 'payments',
              deploymentGroupName: 'prod',
              alarms: ['payments-*', 'tab\there'],
            }),
          ],
        }),
      { env: { account: '123456789012', region: 'us-east-1' } },
    );
    const problems = [
      'targets[1]: ECS service checkout in cluster prod is already the target targets[0]; two targets for one service would act on it twice. Keep one target and list every alarm there',
      'targets[2].alarms[0]: must be an alarm name, not an ARN: use the part after ":alarm:" ("payments-errors")',
      'targets[3]: CodeDeploy deployment group prod of application payments is already the target targets[2]',
      'targets[3].alarms[0]: must be an exact alarm name: "*" and "?" are not wildcards here.',
      'targets[3].alarms[1]: must not contain control characters',
    ];
    for (const problem of problems) expect(error.message).toContain(`[App/Watchdog] ${problem}`);
    expect(error.message.match(/\[App\/Watchdog\]/g)).toHaveLength(problems.length);
  });

  it('lists the problems of CodeDeploy targets and of the sweep interval', () => {
    const error = synthError(
      (stack) =>
        new RollbackWatchdog(stack, 'Watchdog', {
          targets: [
            RollbackTarget.codeDeployGroup({ id: 'a', application: 'payments', alarms: ['e'] }),
            RollbackTarget.codeDeployGroup({
              id: 'b',
              application: 'p'.repeat(101),
              deploymentGroupName: '',
              alarms: ['e'],
            }),
          ],
          sweepInterval: Duration.seconds(90),
        }),
    );
    const problems = [
      'targets[0]: deploymentGroupName is required unless deploymentGroup is given',
      `targets[1].application: must be a CodeDeploy application name of 1-100 characters (got "${'p'.repeat(101)}")`,
      'targets[1].deploymentGroupName: must be a CodeDeploy deployment group name of 1-100 characters (got "")',
      'sweepInterval: must be a whole number of minutes (got 1 minute 30 seconds)',
    ];
    for (const problem of problems) expect(error.message).toContain(`[App/Watchdog] ${problem}`);
    expect(error.message.match(/\[App\/Watchdog\]/g)).toHaveLength(problems.length);
  });

  it.each([
    [Duration.minutes(0), 'sweepInterval: must be more than 0 minutes (got 0 minutes)'],
    [Duration.days(2), 'sweepInterval: must be from 1 to 1440 minutes (got 2 days)'],
  ])('refuses a sweep interval of %s', (sweepInterval, problem) => {
    const error = synthError(
      (stack) =>
        new RollbackWatchdog(stack, 'Watchdog', {
          targets: [RollbackTarget.ecsService({ id: 'web', cluster: 'p', serviceName: 'w', alarms: ['a'] })],
          sweepInterval,
        }),
    );
    expect(error.message).toContain(`[App/Watchdog] ${problem}`);
  });

  it('refuses an ECS service on the CODE_DEPLOY controller and names the fix', () => {
    const error = synthError((stack) => {
      const cluster = new ecs.Cluster(stack, 'Cluster', {
        vpc: new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 }),
      });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
      const service = new ecs.FargateService(stack, 'Service', {
        cluster,
        taskDefinition,
        deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
      });
      new RollbackWatchdog(stack, 'Watchdog', {
        targets: [RollbackTarget.ecsService({ id: 'payments', service, alarms: ['payments-errors'] })],
      });
    });
    expect(error.message).toContain(
      '[App/Watchdog] targets[0]: the service uses the CODE_DEPLOY deployment controller, so CodeDeploy ' +
        'deploys it; protect its deployment group with RollbackTarget.codeDeployGroup instead',
    );
  });

  it('lists the problems of the approval, verification and freeze settings and of the Chatbot channel', () => {
    const error = synthError(
      (stack) => {
        const crossRegion = codepipeline.Pipeline.fromPipelineArn(
          stack,
          'Elsewhere',
          'arn:aws:codepipeline:eu-west-1:123456789012:web-delivery',
        );
        new RollbackWatchdog(stack, 'Watchdog', {
          targets: [
            RollbackTarget.ecsService({
              id: 'web',
              cluster: 'prod',
              serviceName: 'web',
              alarms: ['web-5xx'],
              policy: {
                mode: 'manual' as Mode,
                approvalTimeoutAction: 'escalate' as ApprovalTimeoutAction,
                verificationTimeout: Duration.seconds(90),
              },
              freeze: { pipeline: 'web delivery', stage: 'Prod/EU' },
            }),
            RollbackTarget.codeDeployGroup({
              id: 'pay',
              application: 'pay',
              deploymentGroupName: 'pay-prod',
              alarms: ['pay-5xx'],
              freeze: { pipeline: crossRegion, stage: 'Prod' },
            }),
          ],
          defaults: { mode: 'approval', verificationTimeout: Duration.minutes(0) },
          chatbotSlack: { slackWorkspaceId: 'T0123', slackChannelId: '#oncall' },
        });
      },
      { env: { account: '123456789012', region: 'us-east-1' } },
    );
    const problems = [
      'targets[0].policy.mode: must be one of "auto", "approval", "dry-run" (got "manual")',
      'targets[0].policy.approvalTimeoutAction: must be one of "hold", "rollback" (got "escalate")',
      'targets[0].policy.verificationTimeout: must be a whole number of minutes (got 1 minute 30 seconds)',
      'targets[0].freeze.pipeline: must be a CodePipeline pipeline name: 1-100 letters, digits, ".", "@", "-" or "_" (got "web delivery")',
      'targets[0].freeze.stage: must be a CodePipeline stage name: 1-100 letters, digits, ".", "@", "-" or "_" (got "Prod/EU")',
      "targets[1].freeze.pipeline: must be in the watchdog's account and region (123456789012/us-east-1); the pipeline is in 123456789012/eu-west-1",
      'defaults.verificationTimeout: must be more than 0 minutes (got 0 minutes)',
      'chatbotSlack.slackChannelId: must be a Slack ID of letters and digits, like "C0123ABCD" (got "#oncall")',
    ];
    for (const problem of problems) expect(error.message).toContain(`[App/Watchdog] ${problem}`);
    expect(error.message.match(/\[App\/Watchdog\]/g)).toHaveLength(problems.length);
  });

  it('refuses a second watchdog in the same stack: the CLI finds the watchdog by the stack outputs', () => {
    const error = synthError((stack) => {
      for (const id of ['A', 'B']) {
        new RollbackWatchdog(stack, id, {
          targets: [RollbackTarget.ecsService({ id: 'web', cluster: 'p', serviceName: 'w', alarms: ['a'] })],
        });
      }
    });
    for (const output of Object.values(STACK_OUTPUT)) {
      expect(error.message).toContain(
        `[App/B] stack output ${output}: App already has a construct with this id; one RollbackWatchdog per stack`,
      );
    }
    expect(error.message).not.toContain('[App/A]');
  });

  it('requires at least one target', () => {
    const error = synthError((stack) => new RollbackWatchdog(stack, 'Watchdog'));
    expect(error.message).toContain(
      '[App/Watchdog] targets: at least one target is required (pass targets or call addTarget())',
    );
  });

  it('accepts a target added after construction', () => {
    const app = appWithoutBundling();
    const watchdog = new RollbackWatchdog(new Stack(app, 'App'), 'Watchdog');
    watchdog.addTarget(
      RollbackTarget.ecsService({ id: 'web', cluster: 'prod', serviceName: 'web', alarms: ['a'] }),
    );
    expect(() => app.synth()).not.toThrow();
  });
});

describe('RollbackWatchdog groups validation', () => {
  const target = (id: string) =>
    RollbackTarget.ecsService({ id, cluster: 'prod', serviceName: id, alarms: [`${id}-5xx`] });

  it('fails synth naming an unknown member, a target in two groups, a bad window and an incomplete order', () => {
    const error = synthError((stack) => {
      new RollbackWatchdog(stack, 'Watchdog', {
        targets: [target('web'), target('api'), target('worker')],
        groups: [
          { id: 'storefront', targets: ['web', 'api', 'cart'], rollbackOrder: ['api'] },
          { id: 'Jobs', targets: ['worker', 'web'], releaseWindow: Duration.seconds(90) },
        ],
      });
    });
    expect(error.message).toContain(
      'groups[0].targets[2]: unknown target "cart": list the ids of configured targets ("web", "api", "worker")',
    );
    expect(error.message).toContain('groups[0].rollbackOrder: must list every member once; add "web"');
    expect(error.message).toContain(
      'groups[1].targets[1]: target "web" is already in groups[0]; a target may belong to one group only',
    );
    expect(error.message).toContain('groups[1].id: must be lowercase letters, digits and "-" only');
    expect(error.message).toContain(
      'groups[1].releaseWindow: must be whole minutes from 1 to 1440 (got 1 minute 30 seconds)',
    );
  });
});
