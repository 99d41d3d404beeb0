import {
  AppConfigClient,
  BadRequestException,
  ConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-appconfig';
import { DEFAULT_POLICY, type RuntimeAppConfigTarget } from '../../../../lambda/contract';
import { AppConfigDeployer } from '../../../../lambda/kinds/appconfig/deployer';
import { parseAppConfigEvent } from '../../../../lambda/kinds/appconfig/events';
import {
  APPCONFIG_SIM_ENV,
  SIM_APPCONFIG_STRATEGY_ID,
  appConfigSimKind,
  type AppConfigEnvironmentEntry,
} from '../../../../lambda/kinds/appconfig/sim';
import { installSimulator } from '../../../../lambda/sim/aws-middleware';
import { SimulatorGapError } from '../../../../lambda/sim/world/world-context';
import { START_MS, minutes, recordingContext, seconds } from '../../sim/support';

const DAY = minutes(24 * 60);

function entry(patch: Record<string, unknown> = {}): AppConfigEnvironmentEntry {
  const parsed = appConfigSimKind.entrySchema.safeParse({
    application: 'checkout',
    environment: 'production',
    configurationProfile: 'feature-flags',
    version: '2',
    deploySeconds: 300,
    bakeSeconds: 600,
    ...patch,
  });
  if (!parsed.success) throw new Error(parsed.error.message);
  return parsed.data;
}

function setup(
  options: { entries?: AppConfigEnvironmentEntry[]; failing?: string[]; unavailable?: string[] } = {},
) {
  const ctx = recordingContext();
  const serving: [string, string, boolean][] = [];
  const entries = options.entries ?? [entry()];
  const world = appConfigSimKind.createWorld({
    ctx,
    entries,
    targets: new Map(
      entries.map((e, i) => [appConfigSimKind.entryResource(e), i === 0 ? 'flags' : `flags-${i}`]),
    ),
    failingVersions: new Set(options.failing ?? []),
    unavailableVersions: new Set(options.unavailable ?? []),
    onServing: (target, version, settled) => serving.push([target, version, settled]),
  });
  const api = world.commands().appconfig ?? {};
  const run = (op: string, input: Record<string, unknown> = {}) => {
    const command = api[op];
    if (!command) throw new Error(`no ${op}`);
    return command.run(input) as Record<string, unknown> & { Items?: Record<string, unknown>[] };
  };
  const app = (run('ListApplications').Items ?? [])[0] as { Id: string; Name: string };
  const env = (run('ListEnvironments', { ApplicationId: app.Id }).Items ?? [])[0] as { Id: string };
  const profile = (run('ListConfigurationProfiles', { ApplicationId: app.Id }).Items ?? [])[0] as {
    Id: string;
  };
  const ids = { ApplicationId: app.Id, EnvironmentId: env.Id };
  const deployments = () =>
    (run('ListDeployments', ids).Items ?? []) as {
      DeploymentNumber: number;
      ConfigurationVersion: string;
      State: string;
      StartedAt: Date;
      CompletedAt?: Date;
    }[];
  const events = () =>
    ctx.emitted.map((e) => [
      (e.at - START_MS) / 1_000,
      e.event['detail-type'],
      e.event.detail['DeploymentNumber'],
      e.event.detail['ConfigurationVersion'],
    ]);
  return { ctx, world, run, ids, profileId: profile.Id, deployments, events, serving };
}

describe('appConfigSimKind', () => {
  it('defines its world section and counts StartDeployment and StopDeployment as mutating', () => {
    expect(appConfigSimKind.worldKey).toBe('appConfigEnvironments');
    expect(appConfigSimKind.mutatingApis).toEqual(['appconfig:StartDeployment', 'appconfig:StopDeployment']);
    expect(APPCONFIG_SIM_ENV).toEqual({ WATCHDOG_APPCONFIG_STRATEGY_ID: SIM_APPCONFIG_STRATEGY_ID });
  });

  it('validates an entry strictly and fills in the defaults', () => {
    expect(entry({ deploySeconds: undefined, bakeSeconds: undefined })).toEqual({
      application: 'checkout',
      environment: 'production',
      configurationProfile: 'feature-flags',
      version: '2',
      deploySeconds: 120,
      bakeSeconds: 0,
      lostEvents: [],
    });
    const bad = appConfigSimKind.entrySchema.safeParse({
      application: 'checkout',
      environment: 'production',
      configurationProfile: 'feature-flags',
      version: 'v2',
      lostEvents: ['OnDeploymentStep'],
      rolloutSeconds: 5,
    });
    expect(bad.success).toBe(false);
    const issues = bad.success ? [] : bad.error.issues;
    expect(issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual(
      expect.arrayContaining([
        'version: must be the configuration version it serves, a version number string like "2"',
        expect.stringMatching(/^lostEvents\.0: must be one of "OnDeploymentStart"/),
      ]),
    );
    // The scenario schema names an unknown key from the issue's keys.
    expect(issues.find((i) => i.code === 'unrecognized_keys')).toMatchObject({ keys: ['rolloutSeconds'] });
  });

  it('matches entries to targets by name, or by the ids an entry gives', () => {
    const target = {
      id: 'flags',
      type: 'appconfig' as const,
      application: 'checkout',
      environment: 'production',
      configurationProfile: 'feature-flags',
      alarms: ['x'],
    };
    expect(appConfigSimKind.entryResource(entry())).toBe(appConfigSimKind.targetResource(target));
    const withIds = entry({ applicationId: 'a1b2c3d', environmentId: 'e4f5g6h' });
    expect(appConfigSimKind.entryResource(withIds)).toBe('a1b2c3d/e4f5g6h/feature-flags');
    expect(appConfigSimKind.missingEntry({ ...target, environment: 'staging' })).toMatch(
      /no world\.appConfigEnvironments entry for .*environment staging.*"environment": "staging"/,
    );
  });
});

describe('the simulated AppConfig account', () => {
  it('starts each entry on its version, deployed a day before the scenario, with ids derived from the names', () => {
    const { world, run, deployments } = setup();
    const again = setup();

    expect(world.versionOf('flags')).toBe('2');
    expect(deployments()).toEqual([
      expect.objectContaining({
        DeploymentNumber: 1,
        ConfigurationVersion: '2',
        State: 'COMPLETE',
        CompletedAt: new Date(START_MS - DAY),
      }),
    ]);
    expect(run('ListApplications').Items).toEqual([
      { Id: expect.stringMatching(/^[a-z0-9]{7}$/), Name: 'checkout' },
    ]);
    expect(again.ids).toEqual(setup().ids);
  });

  it('uses the ids an entry gives', () => {
    const { ids } = setup({ entries: [entry({ applicationId: 'a1b2c3d', environmentId: 'e4f5g6h' })] });
    expect(ids).toEqual({ ApplicationId: 'a1b2c3d', EnvironmentId: 'e4f5g6h' });
  });

  it('deploys: DEPLOYING at once (the new version serves), BAKING after deploySeconds, COMPLETE after the bake', async () => {
    const { ctx, world, deployments, events, serving } = setup();

    world.deploy('flags', '3');
    expect(world.versionOf('flags')).toBe('3');
    expect(ctx.notes[0]?.text).toBe('flags: release 2 → 3 (deployment 2)');
    expect(deployments()[0]).toMatchObject({
      DeploymentNumber: 2,
      ConfigurationVersion: '3',
      State: 'DEPLOYING',
    });

    await ctx.clock.runUntil(START_MS + seconds(300));
    expect(deployments()[0]?.State).toBe('BAKING');
    await ctx.clock.runUntil(START_MS + minutes(20));

    expect(deployments()[0]).toMatchObject({
      State: 'COMPLETE',
      CompletedAt: new Date(START_MS + seconds(900)),
    });
    expect(events()).toEqual([
      [0, 'On Deployment Start', 2, '3'],
      [300, 'On Deployment Baking', 2, '3'],
      [900, 'On Deployment Complete', 2, '3'],
    ]);
    expect(serving).toEqual([
      ['flags', '3', false],
      ['flags', '3', true],
    ]);
  });

  it('emits events the parser accepts, naming the ids the List calls give', () => {
    const { ctx, world, ids, profileId } = setup();
    world.deploy('flags', '3');

    const parsed = parseAppConfigEvent(ctx.emitted[0]?.event, { now: START_MS });

    expect(parsed.ok && parsed.value).toMatchObject({
      kind: 'deployment',
      identity: {
        application: ids.ApplicationId,
        environment: ids.EnvironmentId,
        configurationProfile: profileId,
      },
      event: { deploymentId: '2', phase: 'in-progress' },
    });
  });

  it('rolls back a deployment stopped while deploying: the previous version serves again at once', async () => {
    const { ctx, world, run, ids, deployments, events, serving } = setup();
    world.deploy('flags', '3');
    await ctx.clock.runUntil(START_MS + seconds(60));

    const out = run('StopDeployment', { ...ids, DeploymentNumber: 2 });
    await ctx.clock.runUntil(START_MS + minutes(30));

    expect(out).toMatchObject({ DeploymentNumber: 2, State: 'ROLLED_BACK' });
    expect(world.versionOf('flags')).toBe('2');
    expect(deployments()[0]).toMatchObject({
      State: 'ROLLED_BACK',
      CompletedAt: new Date(START_MS + seconds(60)),
    });
    // The rollout's own timers change nothing after the stop.
    expect(events().map((e) => e[1])).toEqual(['On Deployment Start', 'On Deployment Rollback']);
    expect(serving.at(-1)).toEqual(['flags', '2', true]);
    expect(() => run('StopDeployment', { ...ids, DeploymentNumber: 2, AllowRevert: true })).toThrow(
      BadRequestException,
    );
  });

  it('stops a baking deployment only with AllowRevert, as the API reference says', async () => {
    const { ctx, world, run, ids } = setup();
    world.deploy('flags', '3');
    await ctx.clock.runUntil(START_MS + seconds(400));

    expect(() => run('StopDeployment', { ...ids, DeploymentNumber: 2 })).toThrow(
      /only a DEPLOYING deployment/,
    );
    expect(run('StopDeployment', { ...ids, DeploymentNumber: 2, AllowRevert: true })).toMatchObject({
      State: 'ROLLED_BACK',
    });
    expect(world.versionOf('flags')).toBe('2');
  });

  it('reverts a completed deployment with AllowRevert within 72 hours, and refuses otherwise', async () => {
    const { ctx, world, run, ids, events } = setup();
    world.deploy('flags', '3');
    await ctx.clock.runUntil(START_MS + minutes(20));

    expect(() => run('StopDeployment', { ...ids, DeploymentNumber: 2 })).toThrow(/give AllowRevert/);
    expect(run('StopDeployment', { ...ids, DeploymentNumber: 2, AllowRevert: true })).toMatchObject({
      State: 'REVERTED',
    });
    expect(world.versionOf('flags')).toBe('2');
    expect(events().at(-1)).toEqual([1200, 'On Deployment Rollback', 2, '3']);

    world.deploy('flags', '4');
    await ctx.clock.runUntil(START_MS + minutes(20) + 73 * minutes(60));
    expect(() => run('StopDeployment', { ...ids, DeploymentNumber: 3, AllowRevert: true })).toThrow(
      /more than 72 hours ago/,
    );
  });

  it('takes one deployment at a time per environment, for every profile in it', async () => {
    const second = entry({ configurationProfile: 'limits', version: '5' });
    const { world, run, ids, ctx } = setup({ entries: [entry(), second] });
    const limitsId = (run('ListConfigurationProfiles', { ApplicationId: ids.ApplicationId }).Items ?? [])[1]
      ?.Id;
    world.deploy('flags', '3');

    expect(() =>
      run('StartDeployment', {
        ...ids,
        ConfigurationProfileId: limitsId,
        ConfigurationVersion: '6',
        DeploymentStrategyId: SIM_APPCONFIG_STRATEGY_ID,
      }),
    ).toThrow(ConflictException);
    expect(world.deploy('flags-1', '6')).toBe(true);
    expect(world.versionOf('flags-1')).toBe('5');
    expect(ctx.notes.at(-1)?.text).toMatch(
      /refused: deployment 3 \(feature-flags 3\) holds environment production/,
    );
  });

  it('runs the watchdog’s zero-bake StartDeployment to completion at the same moment, recording its description', async () => {
    const { ctx, world, run, ids, profileId, events } = setup();
    const out = run('StartDeployment', {
      ...ids,
      ConfigurationProfileId: profileId,
      ConfigurationVersion: '1',
      DeploymentStrategyId: SIM_APPCONFIG_STRATEGY_ID,
      Description: 'Rollback Watchdog decision x: roll back to configuration version 1',
    });
    await ctx.clock.runUntil(START_MS);

    expect(out).toMatchObject({ DeploymentNumber: 2, DeploymentStrategyId: SIM_APPCONFIG_STRATEGY_ID });
    expect(world.versionOf('flags')).toBe('1');
    expect(run('GetDeployment', { ...ids, DeploymentNumber: 2 })).toMatchObject({
      State: 'COMPLETE',
      DeploymentDurationInMinutes: 0,
      FinalBakeTimeInMinutes: 0,
      GrowthFactor: 100,
      Description: 'Rollback Watchdog decision x: roll back to configuration version 1',
    });
    expect(events()).toEqual([
      [0, 'On Deployment Start', 2, '1'],
      [0, 'On Deployment Complete', 2, '1'],
    ]);
  });

  it('refuses what it does not model instead of guessing', () => {
    const { run, ids, profileId } = setup();
    const start = { ...ids, ConfigurationProfileId: profileId, ConfigurationVersion: '1' };

    expect(() =>
      run('StartDeployment', { ...start, DeploymentStrategyId: 'AppConfig.Linear50PercentEvery30Seconds' }),
    ).toThrow(SimulatorGapError);
    expect(() =>
      run('StartDeployment', { ...start, DeploymentStrategyId: SIM_APPCONFIG_STRATEGY_ID, Tags: { a: 'b' } }),
    ).toThrow(/parameters Tags are not modelled/);
    expect(() =>
      run('StartDeployment', {
        ...start,
        DeploymentStrategyId: SIM_APPCONFIG_STRATEGY_ID,
        ConfigurationVersion: 'latest',
      }),
    ).toThrow(BadRequestException);
    expect(() => run('ListEnvironments', { ApplicationId: 'nope123' })).toThrow(ResourceNotFoundException);
    expect(() => run('GetDeployment', { ...ids, DeploymentNumber: 9 })).toThrow(ResourceNotFoundException);
  });

  it('rolls a failing version back by itself at the end of its deployment', async () => {
    const { ctx, world, deployments, events } = setup({ failing: ['3'] });
    world.deploy('flags', '3');
    await ctx.clock.runUntil(START_MS + minutes(30));

    expect(world.versionOf('flags')).toBe('2');
    expect(deployments()[0]).toMatchObject({
      State: 'ROLLED_BACK',
      CompletedAt: new Date(START_MS + seconds(300)),
    });
    expect(events().map((e) => e[1])).toEqual(['On Deployment Start', 'On Deployment Rollback']);
  });

  it('drops the events an entry loses, and says so in the timeline', async () => {
    const { ctx, world, events } = setup({ entries: [entry({ lostEvents: ['OnDeploymentComplete'] })] });
    world.deploy('flags', '3');
    await ctx.clock.runUntil(START_MS + minutes(30));

    expect(events().map((e) => e[1])).toEqual(['On Deployment Start', 'On Deployment Baking']);
    expect(
      ctx.notes.some((n) => n.kind === 'lost' && /OnDeploymentComplete of deployment 2/.test(n.text)),
    ).toBe(true);
  });

  it('pages its lists with NextToken', () => {
    const entries = Array.from({ length: 3 }, (_, i) => entry({ application: `app-${i}` }));
    const { run } = setup({ entries });

    const first = run('ListApplications', { MaxResults: 2 });
    const rest = run('ListApplications', { MaxResults: 2, NextToken: first['NextToken'] });

    expect(first.Items?.map((a) => a['Name'])).toEqual(['app-0', 'app-1']);
    expect(rest.Items?.map((a) => a['Name'])).toEqual(['app-2']);
    expect(rest['NextToken']).toBeUndefined();
  });

  describe('unavailableVersions', () => {
    it('GetHostedConfigurationVersion answers for every version number but the deleted ones', () => {
      const { run, ids, profileId } = setup({ unavailable: ['1'] });
      const get = (VersionNumber: number) => () =>
        run('GetHostedConfigurationVersion', {
          ApplicationId: ids.ApplicationId,
          ConfigurationProfileId: profileId,
          VersionNumber,
        });

      expect(get(2)()).toMatchObject({
        ApplicationId: ids.ApplicationId,
        ConfigurationProfileId: profileId,
        VersionNumber: 2,
        ContentType: 'application/json',
      });
      expect(get(1)).toThrow(ResourceNotFoundException);
      expect(() =>
        run('GetHostedConfigurationVersion', {
          ApplicationId: ids.ApplicationId,
          ConfigurationProfileId: 'nope123',
          VersionNumber: 2,
        }),
      ).toThrow(ResourceNotFoundException);
    });

    it('rolls back the watchdog’s StartDeployment of a deleted version, leaving the version that served', async () => {
      const { ctx, world, run, ids, profileId, deployments, events, serving } = setup({ unavailable: ['1'] });

      run('StartDeployment', {
        ...ids,
        ConfigurationProfileId: profileId,
        ConfigurationVersion: '1',
        DeploymentStrategyId: SIM_APPCONFIG_STRATEGY_ID,
      });
      await ctx.clock.runUntil(START_MS + minutes(1));

      expect(world.versionOf('flags')).toBe('2');
      expect(deployments()[0]).toMatchObject({ ConfigurationVersion: '1', State: 'ROLLED_BACK' });
      expect(events().map((e) => e[1])).toEqual(['On Deployment Start', 'On Deployment Rollback']);
      expect(serving.at(-1)).toEqual(['flags', '2', true]);
      expect(ctx.notes.some((n) => /failed \(configuration version deleted\)/.test(n.text))).toBe(true);
    });

    it('deploys a deleted version for the timeline as usual', async () => {
      const { ctx, world, deployments } = setup({ unavailable: ['3'] });

      world.deploy('flags', '3');
      await ctx.clock.runUntil(START_MS + minutes(30));

      expect(world.versionOf('flags')).toBe('3');
      expect(deployments()[0]).toMatchObject({ ConfigurationVersion: '3', State: 'COMPLETE' });
    });
  });
});

describe('the AppConfig deployer against the simulated account', () => {
  const target: RuntimeAppConfigTarget = {
    id: 'flags',
    type: 'appconfig',
    application: 'checkout',
    environment: 'production',
    configurationProfile: 'feature-flags',
    alarms: ['checkout-errors'],
    policy: DEFAULT_POLICY,
  };

  function connected(options: Parameters<typeof setup>[0] = {}) {
    const sim = setup(options);
    const client = new AppConfigClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      maxAttempts: 1,
    });
    installSimulator(
      client,
      'appconfig',
      { appconfig: sim.world.commands().appconfig },
      { counted: () => undefined, mutating: () => undefined, gap: () => undefined },
    );
    const deployer = new AppConfigDeployer({
      client,
      strategyId: APPCONFIG_SIM_ENV['WATCHDOG_APPCONFIG_STRATEGY_ID'],
      now: () => sim.ctx.clock.now(),
    });
    return { ...sim, deployer };
  }

  it('sees a deployment under way, stops it, and then sees AppConfig’s rollback completed', async () => {
    const { ctx, world, deployer } = connected();
    world.deploy('flags', '3');
    await ctx.clock.runUntil(START_MS + seconds(60));

    const during = await deployer.inspect(target);
    expect(during).toMatchObject({
      kind: 'ok',
      currentVersion: '3',
      latest: { id: '2', stopRef: '2', stopRestores: '2', blocksNewDeployments: true },
    });

    await expect(deployer.stop(target, '2')).resolves.toEqual({ status: 'issued', deploymentRef: '2' });
    const after = await deployer.inspect(target);

    expect(after).toMatchObject({
      kind: 'ok',
      currentVersion: '2',
      latest: { id: '2-rollback', version: '2', state: 'completed', isRollback: true },
      previous: [
        { id: '2', version: '3', state: 'failed' },
        { id: '1', version: '2', state: 'completed' },
      ],
    });
    await expect(deployer.stop(target, '2')).resolves.toMatchObject({ status: 'already-finished' });
  });

  it('reverts a completed deployment, and deploys an older version with the zero-bake strategy', async () => {
    const { ctx, world, deployer } = connected();
    world.deploy('flags', '3');
    await ctx.clock.runUntil(START_MS + minutes(20));

    await expect(deployer.redeploy(target, '2')).resolves.toEqual({
      status: 'issued',
      deploymentRef: '2-rollback',
    });
    expect(world.versionOf('flags')).toBe('2');

    await expect(
      deployer.redeploy(target, '1', undefined, '0f8fad5b-d9cb-469f-a165-70867728950e'),
    ).resolves.toEqual({
      status: 'issued',
      deploymentRef: '3',
    });
    await ctx.clock.runUntil(START_MS + minutes(21));
    const live = await deployer.inspect(target);
    expect(live).toMatchObject({
      kind: 'ok',
      currentVersion: '1',
      latest: { id: '3', state: 'completed', initiatedBy: '0f8fad5b-d9cb-469f-a165-70867728950e' },
    });
  });

  it('answers busy while a release holds the environment', async () => {
    const { world, deployer } = connected();
    world.deploy('flags', '3');

    await expect(deployer.redeploy(target, '1')).resolves.toMatchObject({ status: 'busy' });
  });

  it('checks viability through the SDK: a deleted version is missing, another runnable', async () => {
    const { deployer } = connected({ unavailable: ['1'] });

    await expect(deployer.viability(target, '2')).resolves.toEqual({ runnable: true });
    const gone = await deployer.viability(target, '1');
    expect(gone.runnable).toBe(false);
    expect(gone.missing).toEqual([expect.stringContaining('is not in the hosted configuration store')]);
  });
});
