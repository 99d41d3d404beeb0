import {
  CodePipelineClient,
  DisableStageTransitionCommand,
  EnableStageTransitionCommand,
} from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { CodePipelineFreezer } from '../../../lambda/adapters/codepipeline-freezer';
import { RetryableError } from '../../../lambda/use-cases/errors';
import { awsError } from '../../support/aws-errors';

const cp = mockClient(CodePipelineClient);
const freezer = () => new CodePipelineFreezer({ client: new CodePipelineClient({ region: 'us-east-1' }) });

beforeEach(() => cp.reset());

it('disables the inbound transition with a reason CodePipeline accepts', async () => {
  cp.on(DisableStageTransitionCommand).resolves({});
  await freezer().disable(
    'checkout-pipeline',
    'Prod',
    'Rolled checkout back from checkout:42 → checkout:41; resume with: npx watchdog resume checkout' +
      'x'.repeat(400),
  );
  const input = cp.commandCalls(DisableStageTransitionCommand)[0].args[0].input;
  expect(input).toMatchObject({
    pipelineName: 'checkout-pipeline',
    stageName: 'Prod',
    transitionType: 'Inbound',
  });
  expect(input.reason!.length).toBeLessThanOrEqual(300);
  expect(input.reason).toMatch(/^[a-zA-Z0-9!@ ().*?-]+$/);
});

it('enables it again', async () => {
  cp.on(EnableStageTransitionCommand).resolves({});
  await freezer().enable('checkout-pipeline', 'Prod');
  expect(cp).toHaveReceivedCommandWith(EnableStageTransitionCommand, {
    pipelineName: 'checkout-pipeline',
    stageName: 'Prod',
    transitionType: 'Inbound',
  });
});

it('surfaces throttling as retryable', async () => {
  cp.on(EnableStageTransitionCommand).rejects(awsError('ThrottlingException', { status: 400 }));
  await expect(freezer().enable('p', 's')).rejects.toBeInstanceOf(RetryableError);
});
