import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import {
  FUNCTION_URL_UNAVAILABLE_REGIONS,
  chatbotRegionProblem,
  operatorUrlRegionProblem,
  partitionOf,
  SUPPORTED_REGIONS,
} from '../../lambda/contract';
import { RollbackTarget, RollbackWatchdog } from '../../lib';
import { runCli, tempDir } from '../unit/cli/support';
import { appWithoutBundling, EXAMPLE_CONFIG_FILE } from './helpers';

/**
 * The operator entry point is a Lambda function URL, which some regions lack (lambda/contract/regions.ts):
 * synth, `bin/app.ts` and `watchdog validate` refuse those regions with one sentence that says why.
 */
describe('regions without Lambda function URLs', () => {
  it('decides per partition: commercial regions but a few, cn-north-1 only in China, no GovCloud', () => {
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(partitionOf('cn-northwest-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(operatorUrlRegionProblem('cn-north-1')).toBeUndefined();
    expect(operatorUrlRegionProblem('cn-northwest-1')).toMatch(/only cn-north-1 has them/);
    expect(operatorUrlRegionProblem('us-gov-east-1')).toMatch(/GovCloud \(US\) has no Lambda function URLs/);
    expect(operatorUrlRegionProblem('eu-central-2')).toMatch(
      /^region eu-central-2: not supported: eu-central-2 has no Lambda function URLs/,
    );
    for (const region of SUPPORTED_REGIONS) expect(operatorUrlRegionProblem(region)).toBeUndefined();
    expect(chatbotRegionProblem('eu-west-1')).toBeUndefined();
    expect(chatbotRegionProblem('cn-north-1')).toMatch(/^chatbotSlack: /);
    const unavailable = Object.values(FUNCTION_URL_UNAVAILABLE_REGIONS).flat();
    expect(SUPPORTED_REGIONS.filter((r) => unavailable.includes(r))).toEqual([]);
  });

  it('fails synth of a stack whose region has none, naming the region (the construct)', () => {
    const stack = new Stack(appWithoutBundling(), 'Zurich', {
      env: { account: '123456789012', region: 'eu-central-2' },
    });
    new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.ecsService({
          id: 'checkout',
          cluster: 'prod',
          serviceName: 'checkout',
          alarms: ['a'],
        }),
      ],
    });
    expect(() => Template.fromStack(stack)).toThrow(/region eu-central-2: not supported/);
  });

  it('synthesizes in a supported region of each partition', () => {
    for (const region of ['eu-west-1', 'cn-north-1']) {
      const stack = new Stack(appWithoutBundling(), `In-${region}`, {
        env: { account: '123456789012', region },
      });
      new RollbackWatchdog(stack, 'Watchdog', {
        targets: [
          RollbackTarget.ecsService({
            id: 'checkout',
            cluster: 'prod',
            serviceName: 'checkout',
            alarms: ['a'],
          }),
        ],
      });
      // The operator's URL and the read-only operator's.
      Template.fromStack(stack).resourceCountIs('AWS::Lambda::Url', 2);
    }
  });

  it('refuses chatbotSlack in the China partition, where AWS Chatbot does not exist', () => {
    const stack = new Stack(appWithoutBundling(), 'Beijing', {
      env: { account: '123456789012', region: 'cn-north-1' },
    });
    new RollbackWatchdog(stack, 'Watchdog', {
      targets: [
        RollbackTarget.ecsService({
          id: 'checkout',
          cluster: 'prod',
          serviceName: 'checkout',
          alarms: ['a'],
        }),
      ],
      chatbotSlack: { slackWorkspaceId: 'T0123', slackChannelId: 'C0123' },
    });
    expect(() => Template.fromStack(stack)).toThrow(
      /chatbotSlack: AWS Chatbot .* does not exist in cn-north-1/,
    );
  });

  it('fails the app for the region the CDK CLI targets (environment-agnostic stack)', () => {
    const build = (region: string) => () =>
      buildApp(appWithoutBundling({ config: EXAMPLE_CONFIG_FILE }), { CDK_DEFAULT_REGION: region });
    expect(build('us-gov-west-1')).toThrow(
      /^cannot deploy the watchdog to us-gov-west-1 \(the CDK CLI's region, CDK_DEFAULT_REGION\):\n {2}- region us-gov-west-1: not supported/,
    );
    expect(build('eu-west-1')()[0]).toBeInstanceOf(Stack);
    expect(buildApp(appWithoutBundling({ config: EXAMPLE_CONFIG_FILE }), {})[0]).toBeInstanceOf(Stack);
  });
});

describe('watchdog validate --region', () => {
  const config = {
    targets: [
      { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'checkout', alarms: ['checkout-5xx'] },
    ],
  };

  it('exits 2 for a region without function URLs, from --region or AWS_REGION', async () => {
    const dir = tempDir({ 'watchdog.config.json': config });
    const flag = await runCli(['validate', '--region', 'il-central-1'], { cwd: dir });
    expect(flag.code).toBe(2);
    expect(flag.stdout).toMatch(
      /^watchdog\.config\.json is invalid \(1 problem\):\n {2}- region il-central-1: not supported/,
    );
    const env = await runCli(['validate', '--json'], { cwd: dir, env: { AWS_REGION: 'cn-northwest-1' } });
    expect(env.code).toBe(2);
    expect(JSON.parse(env.stdout)).toMatchObject({
      valid: false,
      region: 'cn-northwest-1',
      problems: [expect.stringMatching(/^region cn-northwest-1: /)],
    });
  });

  it('exits 0 in a supported region and says which region it checked', async () => {
    const dir = tempDir({ 'watchdog.config.json': config });
    const run = await runCli(['validate'], { cwd: dir, env: { AWS_DEFAULT_REGION: 'cn-north-1' } });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('watchdog.config.json is valid: 1 target (region cn-north-1)');
  });
});
