import { CloudWatchClient, PutCompositeAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, StopDeploymentCommand } from '@aws-sdk/client-codedeploy';
import {
  CodePipelineClient,
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
} from '@aws-sdk/client-codepipeline';
import { ECSClient, ListServiceDeploymentsCommand, StopServiceDeploymentCommand } from '@aws-sdk/client-ecs';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_SOURCE } from '../../lambda/contract';
import { createQueue, receiveExactly } from './support/world';

/**
 * What moto 5.2.1 lacks that the watchdog needs, each with where that path is covered instead. These
 * tests assert the gap itself: when a moto upgrade closes one, its test fails, and the path should then be
 * tested in this suite (and withoutListServiceDeployments, for the first, removed).
 */
// One attempt: the SDK would otherwise retry each 500 twice more.
const ecs = new ECSClient({ maxAttempts: 1 });
const codedeploy = new CodeDeployClient({ maxAttempts: 1 });
const codepipeline = new CodePipelineClient({ maxAttempts: 1 });
const cloudwatch = new CloudWatchClient({ maxAttempts: 1 });
afterAll(() => [ecs, codedeploy, codepipeline, cloudwatch].forEach((client) => client.destroy()));

const NOT_IMPLEMENTED = [
  {
    api: 'ecs:ListServiceDeployments',
    coveredBy: 'test/unit/adapters/ecs-deployer.test.ts, examples/ecs-rollback-in-progress.json',
    send: () => ecs.send(new ListServiceDeploymentsCommand({ cluster: 'emu-gaps', service: 'checkout' })),
  },
  {
    api: 'ecs:StopServiceDeployment',
    coveredBy: 'test/unit/adapters/ecs-deployer.test.ts, examples/ecs-rollback-in-progress.json',
    send: () =>
      ecs.send(
        new StopServiceDeploymentCommand({
          serviceDeploymentArn: 'arn:aws:ecs:us-east-1:123456789012:service-deployment/emu-gaps/checkout/x',
          stopType: 'ROLLBACK',
        }),
      ),
  },
  {
    api: 'codedeploy:StopDeployment',
    coveredBy: 'test/unit/adapters/codedeploy-deployer.test.ts, examples/codedeploy-stop-with-rollback.json',
    send: () =>
      codedeploy.send(new StopDeploymentCommand({ deploymentId: 'd-EMULATOR1', autoRollbackEnabled: true })),
  },
  {
    api: 'codepipeline:DisableStageTransition',
    coveredBy: 'test/unit/adapters/codepipeline-freezer.test.ts, examples/deploy-freeze.json',
    send: () =>
      codepipeline.send(
        new DisableStageTransitionCommand({
          pipelineName: 'emu-gaps',
          stageName: 'Production',
          transitionType: 'Inbound',
          reason: 'emulator',
        }),
      ),
  },
  {
    api: 'codepipeline:EnableStageTransition',
    coveredBy: 'test/unit/adapters/codepipeline-freezer.test.ts, examples/deploy-freeze.json',
    send: () =>
      codepipeline.send(
        new EnableStageTransitionCommand({
          pipelineName: 'emu-gaps',
          stageName: 'Production',
          transitionType: 'Inbound',
        }),
      ),
  },
  {
    api: 'cloudwatch:PutCompositeAlarm (composite alarms)',
    coveredBy: 'test/unit/adapters/cloudwatch-alarm-reader.test.ts',
    send: () =>
      cloudwatch.send(
        new PutCompositeAlarmCommand({ AlarmName: 'emu-gaps-any', AlarmRule: 'ALARM("emu-gaps")' }),
      ),
  },
];

describe('moto 5.2.1 gaps', () => {
  it.each(NOT_IMPLEMENTED)('$api is not implemented (covered by $coveredBy)', async ({ send }) => {
    // moto raises NotImplementedError, which its server turns into an HTTP 500 with an HTML page.
    const error: any = await send().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(error.$metadata?.httpStatusCode).toBe(500);
  });

  it('delivers EventBridge events without the `account` field, which every AWS event has', async () => {
    const eventbridge = new EventBridgeClient({});
    const sqs = new SQSClient({});
    const queue = await createQueue(sqs, 'emu-gaps-events');
    await eventbridge.send(
      new PutRuleCommand({
        Name: 'emu-gaps-rule',
        EventPattern: JSON.stringify({ source: [EVENT_SOURCE.ecs] }),
      }),
    );
    await eventbridge.send(
      new PutTargetsCommand({ Rule: 'emu-gaps-rule', Targets: [{ Id: 'queue', Arn: queue.arn }] }),
    );
    await eventbridge.send(
      new PutEventsCommand({
        Entries: [{ Source: EVENT_SOURCE.ecs, DetailType: 'ECS Deployment State Change', Detail: '{}' }],
      }),
    );

    const [message] = await receiveExactly(sqs, queue, 1);
    const event = JSON.parse(message.Body!);
    // The watchdog's boundary rejects an event without `account` (events from another account are
    // refused: docs/decisions.md, "Rejected events"), which is why eventbridge.test.ts compares delivered
    // events by content.
    expect(event).toMatchObject({ source: EVENT_SOURCE.ecs, region: 'us-east-1' });
    expect(event).not.toHaveProperty('account');
    eventbridge.destroy();
    sqs.destroy();
  });
});
