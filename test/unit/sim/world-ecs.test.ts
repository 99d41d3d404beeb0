import { createHash } from 'node:crypto';
import { ConflictException, InvalidParameterException, ServiceNotFoundException } from '@aws-sdk/client-ecs';
import {
  ECS_CANARY_DEFAULTS,
  ECS_LINEAR_DEFAULTS,
  type EcsSimStrategy,
  type VersionSpec,
} from '../../../lambda/sim/scenario';
import { EcsWorld, trafficSteps } from '../../../lambda/sim/world/ecs';
import { SimulatorGapError } from '../../../lambda/sim/world/world-context';
import { START_MS, minutes, recordingContext, seconds } from './support';

interface ServiceOut {
  taskDefinition: string;
  deployments: {
    id: string;
    status: string;
    taskDefinition: string;
    rolloutState: string;
    rolloutStateReason: string;
    createdAt: Date;
    updatedAt: Date;
  }[];
}
interface BriefOut {
  serviceDeploymentArn: string;
  targetServiceRevisionArn: string;
  status: string;
}

function setup(
  options: {
    failing?: string[];
    rolloutSeconds?: number;
    strategy?: EcsSimStrategy;
    bakeTimeInMinutes?: number;
    linear?: { stepPercent: number; stepBakeMinutes: number };
    canary?: { canaryPercent: number; canaryBakeMinutes: number };
    versions?: Record<string, VersionSpec>;
  } = {},
) {
  const ctx = recordingContext();
  const serving: [string, string, boolean][] = [];
  const world = new EcsWorld(
    ctx,
    [
      {
        cluster: 'prod',
        service: 'checkout',
        taskDefinition: 'checkout:41',
        rolloutSeconds: options.rolloutSeconds ?? 120,
        strategy: options.strategy ?? 'ROLLING',
        bakeTimeInMinutes: options.bakeTimeInMinutes ?? 0,
        linear: options.linear ?? ECS_LINEAR_DEFAULTS,
        canary: options.canary ?? ECS_CANARY_DEFAULTS,
      },
    ],
    new Map([['prod/checkout', 'checkout']]),
    new Set(options.failing ?? []),
    new Map(Object.entries(options.versions ?? {})),
    (target, version, settled) => serving.push([target, version, settled]),
  );
  const ecs = world.commands();
  const run = (op: string, input: Record<string, unknown>) => {
    const command = ecs[op];
    if (!command) throw new Error(`no ${op}`);
    return command.run(input);
  };
  const describe = () =>
    (run('DescribeServices', { cluster: 'prod', services: ['checkout'] }).services as ServiceOut[])[0];
  const deploymentConfiguration = () =>
    (
      run('DescribeServices', { cluster: 'prod', services: ['checkout'] }).services as {
        deploymentConfiguration: unknown;
      }[]
    )[0]?.deploymentConfiguration;
  const list = (status?: string[]) =>
    run('ListServiceDeployments', { cluster: 'prod', service: 'checkout', ...(status ? { status } : {}) })
      .serviceDeployments as BriefOut[];
  const events = () =>
    ctx.emitted.map((e) => [
      e.at - START_MS,
      e.event.detail.eventName,
      e.event.detail.deploymentId,
      e.event.detail.reason,
    ]);
  return { ctx, world, run, describe, deploymentConfiguration, list, events, serving };
}

const arn = (td: string) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${td}`;

describe('EcsWorld', () => {
  it('starts each service on its initial version, deployed a day before the scenario', () => {
    const { describe, list } = setup();
    const svc = describe();
    expect(svc.taskDefinition).toBe(arn('checkout:41'));
    expect(svc.deployments).toEqual([
      expect.objectContaining({
        id: 'ecs-svc/1000000001',
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        updatedAt: new Date(START_MS - minutes(24 * 60)),
      }),
    ]);
    expect(list().map((d) => d.status)).toEqual(['SUCCESSFUL']);
  });

  it('deploys: the new version is reported at once, IN_PROGRESS then COMPLETED after rolloutSeconds', async () => {
    const { ctx, world, describe, list, events, serving } = setup();
    world.release('prod', 'checkout', 'checkout:42');

    let svc = describe();
    expect(svc.taskDefinition).toBe(arn('checkout:42'));
    expect(svc.deployments.map((d) => [d.id, d.status, d.taskDefinition, d.rolloutState])).toEqual([
      ['ecs-svc/1000000002', 'PRIMARY', arn('checkout:42'), 'IN_PROGRESS'],
      ['ecs-svc/1000000001', 'ACTIVE', arn('checkout:41'), 'COMPLETED'],
    ]);
    expect(list(['IN_PROGRESS', 'PENDING'])).toHaveLength(1);

    await ctx.clock.runUntil(START_MS + minutes(10));
    svc = describe();
    expect(svc.deployments.map((d) => [d.id, d.status, d.rolloutState])).toEqual([
      ['ecs-svc/1000000002', 'PRIMARY', 'COMPLETED'],
    ]);
    expect(svc.deployments[0]?.updatedAt).toEqual(new Date(START_MS + seconds(120)));
    expect(list().map((d) => d.status)).toEqual(['SUCCESSFUL', 'SUCCESSFUL']);
    expect(events()).toEqual([
      [
        0,
        'SERVICE_DEPLOYMENT_IN_PROGRESS',
        'ecs-svc/1000000002',
        'ECS deployment ecs-svc/1000000002 in progress.',
      ],
      [
        seconds(120),
        'SERVICE_DEPLOYMENT_COMPLETED',
        'ecs-svc/1000000002',
        'ECS deployment ecs-svc/1000000002 completed.',
      ],
    ]);
    expect(serving).toEqual([
      ['checkout', 'checkout:42', false],
      ['checkout', 'checkout:42', true],
    ]);
  });

  describe('BLUE_GREEN', () => {
    const blueGreen = { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 30 };

    it('shifts traffic to green once it is up, keeps blue through the bake and completes after it', async () => {
      const { ctx, world, describe, deploymentConfiguration, list, events, serving } = setup(blueGreen);
      expect(deploymentConfiguration()).toMatchObject({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 30 });
      world.release('prod', 'checkout', 'checkout:42');
      expect(serving).toEqual([]);

      await ctx.clock.runUntil(START_MS + minutes(10));
      expect(serving).toEqual([['checkout', 'checkout:42', false]]);
      expect(list(['IN_PROGRESS'])).toHaveLength(1);
      expect(describe().deployments.map((d) => [d.status, d.taskDefinition])).toEqual([
        ['PRIMARY', arn('checkout:42')],
        ['ACTIVE', arn('checkout:41')],
      ]);

      await ctx.clock.runUntil(START_MS + minutes(60));
      expect(serving).toEqual([
        ['checkout', 'checkout:42', false],
        ['checkout', 'checkout:42', true],
      ]);
      expect(events().map(([at, name]) => [at, name])).toEqual([
        [0, 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [seconds(120) + minutes(30), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
      expect(describe().deployments).toHaveLength(1);
    });

    it('rolls back during the bake by moving traffic back to blue at once: no task starts', async () => {
      const { ctx, world, describe, list, events, serving, run } = setup(blueGreen);
      world.release('prod', 'checkout', 'checkout:42');
      await ctx.clock.runUntil(START_MS + minutes(10));
      const [inBake] = list(['IN_PROGRESS']);

      run('StopServiceDeployment', {
        serviceDeploymentArn: inBake?.serviceDeploymentArn,
        stopType: 'ROLLBACK',
      });
      expect(describe().taskDefinition).toBe(arn('checkout:41'));
      await ctx.clock.runUntil(START_MS + minutes(10) + seconds(1));

      expect(serving.at(-1)).toEqual(['checkout', 'checkout:41', true]);
      expect(list().map((d) => d.status)[0]).toBe('ROLLBACK_SUCCESSFUL');
      expect(
        events()
          .map(([at, name]) => [at, name])
          .slice(-2),
      ).toEqual([
        [minutes(10), 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [minutes(10), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
    });

    it('replays the whole strategy for a redeploy after completion: scale-up, shift, then the bake', async () => {
      const { ctx, world, run, events } = setup(blueGreen);
      world.release('prod', 'checkout', 'checkout:42');
      await ctx.clock.runUntil(START_MS + minutes(60));

      run('UpdateService', { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' });
      await ctx.clock.runUntil(START_MS + minutes(120));

      expect(
        events()
          .map(([at, name]) => [at, name])
          .slice(-2),
      ).toEqual([
        [minutes(60), 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [minutes(60) + seconds(120) + minutes(30), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
    });
  });

  describe('LINEAR and CANARY', () => {
    it('LINEAR shifts stepPercent every stepBakeMinutes, then bakes, then completes', async () => {
      const linear = { stepPercent: 25, stepBakeMinutes: 5 };
      const { ctx, world, events, serving, deploymentConfiguration } = setup({
        strategy: 'LINEAR',
        bakeTimeInMinutes: 20,
        linear,
      });
      expect(deploymentConfiguration()).toMatchObject({
        strategy: 'LINEAR',
        linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 5 },
      });
      world.release('prod', 'checkout', 'checkout:42');
      await ctx.clock.runUntil(START_MS + minutes(120));
      // 2 min to start green, 25/50/75 % with 5 min each, then 100 % and the 20-minute bake.
      expect(events().map(([at, name]) => [at, name])).toEqual([
        [0, 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [seconds(120) + minutes(15 + 20), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
      expect(serving[0]).toEqual(['checkout', 'checkout:42', false]);
      expect(ctx.notes.filter((n) => n.text.includes('% of production traffic'))).toHaveLength(4);
    });

    it('CANARY shifts canaryPercent, waits canaryBakeMinutes, shifts the rest and bakes', async () => {
      const canary = { canaryPercent: 10, canaryBakeMinutes: 15 };
      const { ctx, world, events } = setup({ strategy: 'CANARY', bakeTimeInMinutes: 30, canary });
      world.release('prod', 'checkout', 'checkout:42');
      await ctx.clock.runUntil(START_MS + minutes(120));
      expect(events().map(([at, name]) => [at, name])).toEqual([
        [0, 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [seconds(120) + minutes(15 + 30), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
    });

    it('rolls a canary back at once while it has only its share of traffic', async () => {
      const { ctx, world, run, list, events } = setup({ strategy: 'CANARY', bakeTimeInMinutes: 30 });
      world.release('prod', 'checkout', 'checkout:42');
      await ctx.clock.runUntil(START_MS + minutes(5));
      const [inProgress] = list(['IN_PROGRESS']);
      run('StopServiceDeployment', {
        serviceDeploymentArn: inProgress?.serviceDeploymentArn,
        stopType: 'ROLLBACK',
      });
      await ctx.clock.runUntil(START_MS + minutes(120));
      expect(
        events()
          .map(([at, name]) => [at, name])
          .slice(-1),
      ).toEqual([[minutes(5), 'SERVICE_DEPLOYMENT_COMPLETED']]);
    });

    it.each([
      [{ stepPercent: 30, stepBakeMinutes: 1 }, [30, 60, 90, 100]],
      [{ stepPercent: 3.3, stepBakeMinutes: 1 }, 31],
      [{ stepPercent: 100, stepBakeMinutes: 1 }, [100]],
    ])('plans LINEAR steps of %j', (linear, expected) => {
      const steps = trafficSteps({
        strategy: 'LINEAR',
        bakeTimeInMinutes: 9,
        linear,
        canary: ECS_CANARY_DEFAULTS,
      });
      if (Array.isArray(expected)) expect(steps.map((s) => s.percent)).toEqual(expected);
      else expect(steps).toHaveLength(expected);
      expect(steps.at(-1)).toEqual({ percent: 100, waitMinutes: 9 });
    });
  });

  describe('UpdateService deploymentConfiguration', () => {
    const linear = { strategy: 'LINEAR' as const, bakeTimeInMinutes: 30 };
    const reported = (extra: Record<string, unknown>) => ({
      deploymentCircuitBreaker: { enable: true, rollback: true },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
      ...extra,
    });
    const configure = (
      run: ReturnType<typeof setup>['run'],
      deploymentConfiguration: Record<string, unknown>,
    ) => run('UpdateService', { cluster: 'prod', service: 'checkout', deploymentConfiguration });
    const shifts = (ctx: ReturnType<typeof setup>['ctx']) =>
      ctx.notes.filter((n) => n.text.includes('% of production traffic')).map((n) => n.text);
    const toBlueGreen = { strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 };
    const backToLinear = {
      strategy: 'LINEAR',
      bakeTimeInMinutes: 30,
      linearConfiguration: { stepPercent: 10, stepBakeTimeInMinutes: 6 },
    };

    it('a configuration-only change starts no deployment and is what DescribeServices reports', () => {
      const { ctx, run, describe, deploymentConfiguration, list, events } = setup(linear);
      const before = describe().deployments;

      const out = configure(run, toBlueGreen) as { service: { deploymentConfiguration: unknown } };

      expect(events()).toEqual([]);
      expect(describe().deployments).toEqual(before);
      expect(list().map((d) => d.status)).toEqual(['SUCCESSFUL']);
      const now = reported({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 });
      expect(deploymentConfiguration()).toEqual(now);
      expect(out.service.deploymentConfiguration).toEqual(now);
      expect(ctx.notes.map((n) => n.text)).toEqual([
        'checkout: deployment configuration LINEAR (10% every 6 min, bake 30 min) → BLUE_GREEN (bake 0 min); no deployment started',
      ]);
    });

    it('the next deployment runs under the new configuration: one 100% shift, no bake', async () => {
      const { ctx, run, events } = setup(linear);
      configure(run, toBlueGreen);

      run('UpdateService', { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:42' });
      await ctx.clock.runUntil(START_MS + minutes(60));

      expect(events().map(([at, name]) => [at, name])).toEqual([
        [0, 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [seconds(120), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
      expect(shifts(ctx)).toEqual([
        'checkout: 100% of production traffic shifted to checkout:42; bake time 0 min',
      ]);
    });

    it('restoring the original configuration starts nothing; the deployment after it replays the linear steps', async () => {
      const { ctx, run, events, deploymentConfiguration } = setup(linear);
      const original = deploymentConfiguration();
      configure(run, toBlueGreen);
      run('UpdateService', { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:42' });
      await ctx.clock.runUntil(START_MS + minutes(60));
      const eventsBefore = events().length;

      configure(run, backToLinear);
      expect(events()).toHaveLength(eventsBefore);
      expect(deploymentConfiguration()).toEqual(original);
      expect(ctx.notes.at(-1)?.text).toBe(
        'checkout: deployment configuration BLUE_GREEN (bake 0 min) → LINEAR (10% every 6 min, bake 30 min); no deployment started',
      );

      run('UpdateService', { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:43' });
      await ctx.clock.runUntil(START_MS + minutes(240));
      // 2 min to start green, 10 % to 90 % with 6 min each, then 100 % and the 30-minute bake.
      expect(
        events()
          .slice(eventsBefore)
          .map(([at, name]) => [at, name]),
      ).toEqual([
        [minutes(60), 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [minutes(60) + seconds(120) + minutes(9 * 6 + 30), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
      expect(shifts(ctx).slice(1)).toHaveLength(10);
    });

    it('a change while a deployment runs leaves that deployment as it started; only the next one uses it', async () => {
      const { ctx, world, run, events } = setup({
        strategy: 'LINEAR',
        bakeTimeInMinutes: 20,
        linear: { stepPercent: 25, stepBakeMinutes: 5 },
      });
      world.release('prod', 'checkout', 'checkout:42');
      await ctx.clock.runUntil(START_MS + minutes(3));
      configure(run, toBlueGreen);

      await ctx.clock.runUntil(START_MS + minutes(120));
      expect(events().map(([at, name]) => [at, name])).toEqual([
        [0, 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [seconds(120) + minutes(15 + 20), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
      expect(shifts(ctx)).toHaveLength(4);

      world.release('prod', 'checkout', 'checkout:43');
      await ctx.clock.runUntil(START_MS + minutes(240));
      expect(events().at(-1)?.slice(0, 2)).toEqual([
        minutes(120) + seconds(120),
        'SERVICE_DEPLOYMENT_COMPLETED',
      ]);
      expect(shifts(ctx)).toHaveLength(5);
    });

    it('ECS’s rollback of a running deployment runs under that deployment’s configuration too', async () => {
      const { ctx, world, run, list, events } = setup({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 30 });
      world.release('prod', 'checkout', 'checkout:42');
      await ctx.clock.runUntil(START_MS + minutes(10));
      configure(run, { strategy: 'ROLLING' });
      const [inBake] = list(['IN_PROGRESS']);

      run('StopServiceDeployment', {
        serviceDeploymentArn: inBake?.serviceDeploymentArn,
        stopType: 'ROLLBACK',
      });
      await ctx.clock.runUntil(START_MS + minutes(60));

      // Blue still runs, so traffic moves back at once, not over a rolling replacement's rolloutSeconds.
      expect(
        events()
          .map(([at, name]) => [at, name])
          .slice(-1),
      ).toEqual([[minutes(10), 'SERVICE_DEPLOYMENT_COMPLETED']]);
    });

    it('with a new task definition in the same call, deploys under the new configuration', async () => {
      const { ctx, run, events } = setup(linear);
      run('UpdateService', {
        cluster: 'prod',
        service: 'checkout',
        taskDefinition: 'checkout:42',
        deploymentConfiguration: toBlueGreen,
      });
      await ctx.clock.runUntil(START_MS + minutes(60));
      expect(events().map(([at, name]) => [at, name])).toEqual([
        [0, 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
        [seconds(120), 'SERVICE_DEPLOYMENT_COMPLETED'],
      ]);
      expect(ctx.notes[0]?.text).toBe(
        'checkout: deployment configuration LINEAR (10% every 6 min, bake 30 min) → BLUE_GREEN (bake 0 min)',
      );
    });

    it('keeps what is left out, and takes ECS’s defaults on a switch to LINEAR or CANARY without settings', () => {
      const { run, deploymentConfiguration } = setup({
        strategy: 'LINEAR',
        bakeTimeInMinutes: 30,
        linear: { stepPercent: 25, stepBakeMinutes: 5 },
      });
      configure(run, { linearConfiguration: { stepPercent: 20 } });
      expect(deploymentConfiguration()).toEqual(
        reported({
          strategy: 'LINEAR',
          bakeTimeInMinutes: 30,
          linearConfiguration: { stepPercent: 20, stepBakeTimeInMinutes: 5 },
        }),
      );
      configure(run, { strategy: 'CANARY' });
      expect(deploymentConfiguration()).toEqual(
        reported({
          strategy: 'CANARY',
          bakeTimeInMinutes: 30,
          canaryConfiguration: {
            canaryPercent: ECS_CANARY_DEFAULTS.canaryPercent,
            canaryBakeTimeInMinutes: ECS_CANARY_DEFAULTS.canaryBakeMinutes,
          },
        }),
      );
      configure(run, { strategy: 'LINEAR' });
      expect(deploymentConfiguration()).toMatchObject({
        linearConfiguration: {
          stepPercent: ECS_LINEAR_DEFAULTS.stepPercent,
          stepBakeTimeInMinutes: ECS_LINEAR_DEFAULTS.stepBakeMinutes,
        },
      });
    });

    it('accepts the unmodelled settings exactly as DescribeServices reports them', () => {
      const { run, deploymentConfiguration } = setup(linear);
      configure(run, {
        ...reported({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }),
        lifecycleHooks: [],
        alarms: { alarmNames: [], enable: false, rollback: false },
      });
      expect(deploymentConfiguration()).toEqual(reported({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 5 }));
    });

    it.each([
      [{ strategy: 'BLUE_GREN' }, /deploymentConfiguration\.strategy must be one of ROLLING, BLUE_GREEN/],
      [{ bakeTimeInMinutes: 2000 }, /deploymentConfiguration\.bakeTimeInMinutes must be a whole number/],
      [{ bakeTimeInMinutes: 1.5 }, /bakeTimeInMinutes must be a whole number of minutes from 0 to 1440/],
      [
        { linearConfiguration: { stepPercent: 2.5 } },
        /linearConfiguration\.stepPercent must be a multiple of 0\.1 from 3\.0/,
      ],
      [{ linearConfiguration: { stepPercent: 10.05 } }, /linearConfiguration\.stepPercent .*\(got 10\.05\)/],
      [{ linearConfiguration: { stepBakeTimeInMinutes: -1 } }, /linearConfiguration\.stepBakeTimeInMinutes/],
      [
        { strategy: 'CANARY', canaryConfiguration: { canaryPercent: 0 } },
        /canaryConfiguration\.canaryPercent/,
      ],
      [
        { strategy: 'BLUE_GREEN', linearConfiguration: { stepPercent: 10 } },
        /valid only with strategy LINEAR/,
      ],
    ])('rejects %j with InvalidParameterException, changing nothing', (deploymentConfiguration, message) => {
      const { run, deploymentConfiguration: now, events } = setup(linear);
      const before = now();
      const call = () =>
        run('UpdateService', {
          cluster: 'prod',
          service: 'checkout',
          taskDefinition: 'checkout:42',
          deploymentConfiguration,
        });
      expect(call).toThrow(InvalidParameterException);
      expect(call).toThrow(message);
      expect(now()).toEqual(before);
      expect(events()).toEqual([]);
    });

    it.each([
      [{ maximumPercent: 150 }, /deploymentConfiguration\.maximumPercent 150 is not modelled/],
      [{ minimumHealthyPercent: 50 }, /deploymentConfiguration\.minimumHealthyPercent 50 is not modelled/],
      [{ deploymentCircuitBreaker: { enable: false, rollback: false } }, /deploymentCircuitBreaker/],
      [
        { alarms: { alarmNames: ['checkout-5xx'], enable: true, rollback: true } },
        /deploymentConfiguration\.alarms/,
      ],
      [
        { lifecycleHooks: [{ hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:hook' }] },
        /lifecycle hooks are not modelled/,
      ],
      [{ earlySuccessCriteria: { enable: true } }, /fields earlySuccessCriteria are not modelled/],
    ])('refuses %j as a simulator gap', (deploymentConfiguration, message) => {
      const { run } = setup(linear);
      const call = () => configure(run, deploymentConfiguration);
      expect(call).toThrow(SimulatorGapError);
      expect(call).toThrow(message);
    });
  });

  it('emits events shaped like ECS Deployment State Change in the simulated account', () => {
    const { ctx, world } = setup();
    world.release('prod', 'checkout', 'checkout:42');
    expect(ctx.emitted[0]?.event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: '123456789012',
      time: '2026-03-01T10:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:ecs:us-east-1:123456789012:service/prod/checkout'],
      detail: {
        eventType: 'INFO',
        eventName: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
        deploymentId: 'ecs-svc/1000000002',
        updatedAt: '2026-03-01T10:00:00Z',
        reason: 'ECS deployment ecs-svc/1000000002 in progress.',
      },
    });
  });

  it('StopServiceDeployment(ROLLBACK): rolls back at once, natively, and completes after rolloutSeconds', async () => {
    const { ctx, world, run, describe, list, events, serving } = setup();
    world.release('prod', 'checkout', 'checkout:42');
    await ctx.clock.runUntil(START_MS + seconds(60));
    const [inProgress] = list(['IN_PROGRESS', 'PENDING']);

    expect(
      run('StopServiceDeployment', {
        serviceDeploymentArn: inProgress.serviceDeploymentArn,
        stopType: 'ROLLBACK',
      }),
    ).toEqual({
      serviceDeploymentArn: inProgress.serviceDeploymentArn,
    });

    const svc = describe();
    expect(svc.taskDefinition).toBe(arn('checkout:41'));
    expect(svc.deployments[0]).toEqual(
      expect.objectContaining({
        id: 'ecs-svc/1000000003',
        status: 'PRIMARY',
        taskDefinition: arn('checkout:41'),
        rolloutState: 'IN_PROGRESS',
        rolloutStateReason:
          'ECS deployment ecs-svc/1000000002 stopped by StopServiceDeployment: rolling back to deploymentId ecs-svc/1000000001.',
      }),
    );
    expect(list(['ROLLBACK_IN_PROGRESS']).map((d) => d.serviceDeploymentArn)).toEqual([
      inProgress.serviceDeploymentArn,
    ]);

    await ctx.clock.runUntil(START_MS + minutes(10));
    expect(list().map((d) => d.status)).toEqual(['ROLLBACK_SUCCESSFUL', 'SUCCESSFUL']);
    expect(describe().deployments.map((d) => [d.id, d.rolloutState])).toEqual([
      ['ecs-svc/1000000003', 'COMPLETED'],
    ]);
    expect(events().slice(1)).toEqual([
      [
        seconds(60),
        'SERVICE_DEPLOYMENT_IN_PROGRESS',
        'ecs-svc/1000000003',
        expect.stringContaining('rolling back'),
      ],
      [
        seconds(180),
        'SERVICE_DEPLOYMENT_COMPLETED',
        'ecs-svc/1000000003',
        'ECS deployment ecs-svc/1000000003 completed.',
      ],
    ]);
    expect(serving.at(-1)).toEqual(['checkout', 'checkout:41', true]);
  });

  it('StopServiceDeployment on a finished or already rolling-back deployment fails with ConflictException', async () => {
    const { ctx, world, run, list } = setup();
    world.release('prod', 'checkout', 'checkout:42');
    const [sd] = list(['IN_PROGRESS']);
    run('StopServiceDeployment', { serviceDeploymentArn: sd.serviceDeploymentArn, stopType: 'ROLLBACK' });

    expect(() =>
      run('StopServiceDeployment', { serviceDeploymentArn: sd.serviceDeploymentArn, stopType: 'ROLLBACK' }),
    ).toThrow(ConflictException);
    await ctx.clock.runUntil(START_MS + minutes(10));
    let caught: unknown;
    try {
      run('StopServiceDeployment', { serviceDeploymentArn: sd.serviceDeploymentArn, stopType: 'ROLLBACK' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConflictException);
    expect((caught as Error).name).toBe('ConflictException');
    expect((caught as Error).message).toMatch(/is ROLLBACK_SUCCESSFUL and can no longer be stopped/);
  });

  it('a failing version fails at the end of its rollout and the circuit breaker restores the previous one', async () => {
    const { ctx, world, describe, list, events } = setup({ failing: ['checkout:42'], rolloutSeconds: 300 });
    world.release('prod', 'checkout', 'checkout:42');
    await ctx.clock.runUntil(START_MS + seconds(300));

    expect(describe().taskDefinition).toBe(arn('checkout:41'));
    expect(describe().deployments.map((d) => [d.id, d.status, d.rolloutState])).toEqual([
      ['ecs-svc/1000000003', 'PRIMARY', 'IN_PROGRESS'],
      ['ecs-svc/1000000002', 'ACTIVE', 'FAILED'],
      ['ecs-svc/1000000001', 'ACTIVE', 'COMPLETED'],
    ]);
    expect(list(['ROLLBACK_IN_PROGRESS'])).toHaveLength(1);

    await ctx.clock.runUntil(START_MS + minutes(20));
    expect(events()).toEqual([
      [0, 'SERVICE_DEPLOYMENT_IN_PROGRESS', 'ecs-svc/1000000002', expect.any(String)],
      [
        seconds(300),
        'SERVICE_DEPLOYMENT_FAILED',
        'ecs-svc/1000000002',
        'ECS deployment circuit breaker: tasks failed to start.',
      ],
      [
        seconds(300),
        'SERVICE_DEPLOYMENT_IN_PROGRESS',
        'ecs-svc/1000000003',
        'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1000000001.',
      ],
      [seconds(600), 'SERVICE_DEPLOYMENT_COMPLETED', 'ecs-svc/1000000003', expect.any(String)],
    ]);
    expect(ctx.emitted[1]?.event.detail.eventType).toBe('ERROR');
    expect(list().map((d) => d.status)).toEqual(['ROLLBACK_SUCCESSFUL', 'SUCCESSFUL']);
  });

  it('UpdateService starts a deployment of the given task definition (family:revision or ARN)', async () => {
    const { ctx, world, run, describe } = setup();
    world.release('prod', 'checkout', 'checkout:42');
    await ctx.clock.runUntil(START_MS + minutes(5));

    const out = run('UpdateService', {
      cluster: 'prod',
      service: 'checkout',
      taskDefinition: arn('checkout:41'),
    }) as { service: ServiceOut };
    expect(out.service.taskDefinition).toBe(arn('checkout:41'));
    expect(describe().deployments.map((d) => [d.status, d.taskDefinition])).toEqual([
      ['PRIMARY', arn('checkout:41')],
      ['ACTIVE', arn('checkout:42')],
    ]);
    run('UpdateService', { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' });
    expect(describe().deployments).toHaveLength(2);
  });

  it('a newer deployment replaces an unfinished one, whose completion never comes', async () => {
    const { ctx, world, list, events } = setup();
    world.release('prod', 'checkout', 'checkout:42');
    ctx.clock.after(seconds(30), () => world.release('prod', 'checkout', 'checkout:43'));
    await ctx.clock.runUntil(START_MS + minutes(10));
    expect(list().map((d) => d.status)).toEqual(['SUCCESSFUL', 'STOPPED', 'SUCCESSFUL']);
    expect(
      events()
        .filter((e) => e[1] === 'SERVICE_DEPLOYMENT_COMPLETED')
        .map((e) => e[2]),
    ).toEqual(['ecs-svc/1000000003']);
  });

  it('answers for a missing service as ECS does', () => {
    const { run } = setup();
    expect(run('DescribeServices', { cluster: 'prod', services: ['gone'] })).toEqual({
      services: [],
      failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/gone', reason: 'MISSING' }],
    });
    expect(() =>
      run('UpdateService', { cluster: 'prod', service: 'gone', taskDefinition: 'gone:1' }),
    ).toThrow(ServiceNotFoundException);
    expect(() => run('ListServiceDeployments', { cluster: 'staging', service: 'checkout' })).toThrow(
      expect.objectContaining({ name: 'ClusterNotFoundException' }),
    );
  });

  it('DescribeTaskDefinition: every family:revision has one container, its image tagged with the revision', () => {
    const { run } = setup();
    const expected = {
      taskDefinition: {
        taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:40',
        family: 'checkout',
        revision: 40,
        status: 'ACTIVE',
        containerDefinitions: [
          {
            name: 'checkout',
            image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:40',
            essential: true,
          },
        ],
      },
    };
    expect(run('DescribeTaskDefinition', { taskDefinition: 'checkout:40' })).toEqual(expected);
    expect(
      run('DescribeTaskDefinition', {
        taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:40',
      }),
    ).toEqual(expected);
    expect(() => run('DescribeTaskDefinition', { taskDefinition: 'checkout' })).toThrow(SimulatorGapError);
    expect(run('DescribeTaskDefinition', { taskDefinition: 'checkout:40', include: [] })).toEqual(expected);
  });

  describe('DescribeTaskDefinition with include TAGS: the version’s world.versions entry as tags', () => {
    const versions: Record<string, VersionSpec> = {
      'checkout:42': {
        schema: 8,
        minCompatibleSchema: 7,
        tags: { team: 'payments', 'rollback-watchdog:schema': 'eight' },
      },
      'checkout:43': { schema: 0, tags: {} },
    };
    const tagsOf = (run: ReturnType<typeof setup>['run'], taskDefinition: string) =>
      run('DescribeTaskDefinition', { taskDefinition, include: ['TAGS'] }).tags;

    it('derives the schema tags, the raw tags overriding one with the same key in its place', () => {
      const { run } = setup({ versions });
      expect(tagsOf(run, 'checkout:42')).toEqual([
        { key: 'rollback-watchdog:schema', value: 'eight' },
        { key: 'rollback-watchdog:min-compatible-schema', value: '7' },
        { key: 'team', value: 'payments' },
      ]);
      expect(tagsOf(run, arn('checkout:43'))).toEqual([{ key: 'rollback-watchdog:schema', value: '0' }]);
    });

    it('answers an empty tag list for a version world.versions does not list, beside the same task definition', () => {
      const { run } = setup({ versions });
      const out = run('DescribeTaskDefinition', { taskDefinition: 'checkout:41', include: ['TAGS'] });
      expect(out.tags).toEqual([]);
      expect(out.taskDefinition).toEqual(
        run('DescribeTaskDefinition', { taskDefinition: 'checkout:41' }).taskDefinition,
      );
    });

    it('has no tags field without include', () => {
      const { run } = setup({ versions });
      expect(run('DescribeTaskDefinition', { taskDefinition: 'checkout:42' })).not.toHaveProperty('tags');
    });

    it('refuses any other include value with InvalidParameterException naming it', () => {
      const { run } = setup({ versions });
      const call = () =>
        run('DescribeTaskDefinition', { taskDefinition: 'checkout:42', include: ['TAGS', 'LABELS'] });
      expect(call).toThrow(InvalidParameterException);
      expect(call).toThrow('include must list only TAGS, the one field ECS can add (got "LABELS").');
    });
  });

  it('DescribeServiceRevisions: the revision each deployment deployed, its image with a digest fixed per image', async () => {
    const { ctx, world, run, list } = setup();
    world.release('prod', 'checkout', 'checkout:42');
    await ctx.clock.runUntil(START_MS + minutes(10));
    const image = (revision: number) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/checkout:${revision}`;
    const digest = (revision: number) =>
      `sha256:${createHash('sha256').update(image(revision)).digest('hex')}`;
    const [newer, initial] = list().map((d) => d.targetServiceRevisionArn);
    const unknown = 'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/checkout/unknown';

    const out = run('DescribeServiceRevisions', { serviceRevisionArns: [newer, initial, unknown] });

    expect(out).toEqual({
      serviceRevisions: [
        {
          serviceRevisionArn: newer,
          serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/checkout',
          clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
          taskDefinition: arn('checkout:42'),
          launchType: 'FARGATE',
          containerImages: [{ containerName: 'checkout', image: image(42), imageDigest: digest(42) }],
          createdAt: new Date(START_MS),
        },
        expect.objectContaining({
          serviceRevisionArn: initial,
          taskDefinition: arn('checkout:41'),
          containerImages: [{ containerName: 'checkout', image: image(41), imageDigest: digest(41) }],
        }),
      ],
      failures: [{ arn: unknown, reason: 'MISSING' }],
    });
    expect(() => run('DescribeServiceRevisions', { serviceRevisionArns: [] })).toThrow(
      InvalidParameterException,
    );
    expect(() =>
      run('DescribeServiceRevisions', { serviceRevisionArns: Array.from({ length: 21 }, () => newer) }),
    ).toThrow(InvalidParameterException);
  });

  it('a rollback makes no revision of its own: it restores the source deployment’s revision', async () => {
    const { ctx, world, run, list } = setup();
    world.release('prod', 'checkout', 'checkout:42');
    const [inProgress] = list(['IN_PROGRESS']);
    run('StopServiceDeployment', {
      serviceDeploymentArn: inProgress?.serviceDeploymentArn,
      stopType: 'ROLLBACK',
    });
    await ctx.clock.runUntil(START_MS + minutes(10));

    const revisions = list().map((d) => d.targetServiceRevisionArn);
    expect(revisions).toHaveLength(2);
    const described = run('DescribeServiceRevisions', { serviceRevisionArns: revisions })
      .serviceRevisions as {
      taskDefinition: string;
    }[];
    expect(described.map((r) => r.taskDefinition)).toEqual([arn('checkout:42'), arn('checkout:41')]);
  });

  it('refuses what it does not model instead of guessing', () => {
    const { run } = setup();
    expect(() => run('UpdateService', { cluster: 'prod', service: 'checkout', desiredCount: 0 })).toThrow(
      SimulatorGapError,
    );
    expect(() => run('StopServiceDeployment', { serviceDeploymentArn: 'x', stopType: 'ABORT' })).toThrow(
      SimulatorGapError,
    );
  });
});
