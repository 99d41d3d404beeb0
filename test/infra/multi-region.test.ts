import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../bin/app';
import { parseWatchdogConfig } from '../../lambda/boundary/config-schema';
import type { WatchdogConfig } from '../../lambda/contract';
import { regionalConfig, watchdogStacks, WatchdogStack } from '../../lib';
import { tempDir } from '../unit/cli/support';
import { appWithoutBundling, writtenConfig } from './helpers';

/** One config, several regions (issue 18): one watchdog stack per region, each with its region's targets. */

const ecs = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'ecs-service',
  cluster: 'prod',
  service: id,
  alarms: [`${id}-5xx`],
  ...extra,
});

function config(input: unknown): WatchdogConfig {
  const parsed = parseWatchdogConfig(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.config;
}

const twoRegions = config({
  regions: ['us-east-1', 'eu-west-1'],
  targets: [
    ecs('web'),
    ecs('api', { region: 'us-east-1' }),
    ecs('api', { region: 'eu-west-1', cluster: 'prod-eu' }),
    ecs('reports', { region: 'us-east-1' }),
  ],
  groups: [{ id: 'storefront', targets: ['web', 'api', 'reports'] }],
});

describe('watchdogStacks', () => {
  it('builds one stack per region, each in its region under the same CloudFormation stack name', () => {
    const stacks = watchdogStacks(appWithoutBundling(), 'RollbackWatchdog', { config: twoRegions });
    expect(stacks.map((s) => [s.node.id, s.stackName, s.region])).toEqual([
      ['RollbackWatchdog-us-east-1', 'RollbackWatchdog', 'us-east-1'],
      ['RollbackWatchdog-eu-west-1', 'RollbackWatchdog', 'eu-west-1'],
    ]);
  });

  it("writes each region's targets and groups into its own config item", () => {
    const [us, eu] = watchdogStacks(appWithoutBundling(), 'W', { config: twoRegions });
    const usConfig = writtenConfig(us, Template.fromStack(us));
    const euConfig = writtenConfig(eu, Template.fromStack(eu));
    expect(usConfig.targets.map((t) => t.id)).toEqual(['web', 'api', 'reports']);
    expect(euConfig.targets.map((t) => [t.id, (t as { cluster?: string }).cluster])).toEqual([
      ['web', 'prod'],
      ['api', 'prod-eu'],
    ]);
    expect(usConfig.region).toBe('us-east-1');
    expect(euConfig.groups?.[0]?.targets).toEqual(['web', 'api']);
  });

  it('keeps a config without regions in one environment-agnostic stack named as before', () => {
    const [only, ...rest] = watchdogStacks(appWithoutBundling(), 'RollbackWatchdog', {
      config: config({ targets: [ecs('web')] }),
    });
    expect(rest).toEqual([]);
    expect(only.node.id).toBe('RollbackWatchdog');
    expect(only.stackName).toBe('RollbackWatchdog');
  });

  it("keeps every region in each region's config and gives each stack the version quarantine", () => {
    expect(regionalConfig(twoRegions, 'eu-west-1').regions).toEqual(['us-east-1', 'eu-west-1']);
    const stacks = watchdogStacks(appWithoutBundling(), 'W', { config: twoRegions });
    for (const stack of stacks) {
      expect(stack.watchdog.versionBus).toBeDefined();
      expect(writtenConfig(stack).regions).toEqual(['us-east-1', 'eu-west-1']);
    }
  });

  it('drops a group from a region where fewer than two of its members are', () => {
    expect(
      regionalConfig(
        config({
          regions: ['us-east-1', 'eu-west-1'],
          targets: [ecs('web', { region: 'us-east-1' }), ecs('api', { region: 'us-east-1' }), ecs('jobs')],
          groups: [{ id: 'pair', targets: ['web', 'api'], rollbackOrder: ['api', 'web'] }],
        }),
        'eu-west-1',
      ).groups,
    ).toEqual([]);
  });

  it('refuses, at synth, a stack given a target of another region', () => {
    const app = appWithoutBundling();
    new WatchdogStack(app, 'Wrong', {
      env: { region: 'eu-west-1' },
      config: config({ regions: ['us-east-1'], targets: [ecs('web', { region: 'us-east-1' })] }),
    });
    expect(() => app.synth()).toThrow(
      "targets: web is in us-east-1, not in this stack's region eu-west-1; deploy one stack per region with watchdogStacks()",
    );
  });

  it('is what the CDK app builds from a config file with regions, whatever region the CLI targets', () => {
    const file = join(
      tempDir({ 'watchdog.config.json': { regions: ['us-east-1', 'eu-west-1'], targets: [ecs('web')] } }),
      'watchdog.config.json',
    );
    const stacks = buildApp(appWithoutBundling({ config: file }), { CDK_DEFAULT_REGION: 'eu-central-2' });
    expect(stacks.map((s) => s.region)).toEqual(['us-east-1', 'eu-west-1']);
  });
});
