import {
  AccessDeniedException,
  ClusterNotFoundException,
  ConflictException,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  ServerException,
  ServiceNotFoundException,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type Deployment,
  type DescribeServicesCommandOutput,
  type ListServiceDeploymentsCommandOutput,
  type Service,
  type ServiceDeploymentBrief,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { EcsDeployer, MAX_DESCRIBED_REVISIONS, toVersion } from '../../../lambda/adapters/ecs-deployer';
import { RetryableError, TargetInvalidError } from '../../../lambda/use-cases/errors';
import { awsError } from '../../support/aws-errors';
import { ecsTarget, SEC, T0 } from '../../support/domain-fixtures';

const MIN = 60 * SEC;
const DAY = 24 * 60 * MIN;
const taskDef = (revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:${revision}`;
const sdArn = (id: string) => `arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/${id}`;
const meta = { httpStatusCode: 400, requestId: 'req-1' };

function deployment(
  id: string,
  revision: number,
  status: 'PRIMARY' | 'ACTIVE',
  rollout: Pick<Deployment, 'rolloutState' | 'rolloutStateReason'>,
  createdAt: number,
  updatedAt = createdAt,
): Deployment {
  return {
    id,
    status,
    taskDefinition: taskDef(revision),
    desiredCount: 2,
    runningCount: 2,
    createdAt: new Date(createdAt),
    updatedAt: new Date(updatedAt),
    ...rollout,
  };
}

function service(deployments: Deployment[], overrides: Partial<Service> = {}): DescribeServicesCommandOutput {
  const primary = deployments.find((d) => d.status === 'PRIMARY');
  return {
    $metadata: {},
    services: [
      {
        serviceName: 'checkout',
        serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/checkout',
        status: 'ACTIVE',
        taskDefinition: primary?.taskDefinition,
        deploymentController: { type: 'ECS' },
        deployments,
        ...overrides,
      },
    ],
    failures: [],
  };
}

function serviceDeployments(...items: ServiceDeploymentBrief[]): ListServiceDeploymentsCommandOutput {
  return { $metadata: {}, serviceDeployments: items };
}

/** checkout:42 rolling out over checkout:41, which completed a day earlier. */
const rollingOut = [
  deployment(
    'ecs-svc/2',
    42,
    'PRIMARY',
    { rolloutState: 'IN_PROGRESS', rolloutStateReason: 'ECS deployment ecs-svc/2 in progress.' },
    T0,
  ),
  deployment('ecs-svc/1', 41, 'ACTIVE', { rolloutState: 'COMPLETED' }, T0 - DAY, T0 - DAY + 2 * MIN),
];

describe('EcsDeployer', () => {
  const ecs = mockClient(ECSClient);
  const target = ecsTarget();
  let deployer: EcsDeployer;
  let log: jest.Mock;

  beforeEach(() => {
    ecs.reset();
    log = jest.fn();
    deployer = new EcsDeployer({ client: new ECSClient({ region: 'us-east-1' }), telemetry: { log } });
  });

  describe('inspect', () => {
    it('RELIABILITY #15: maps an in-progress PRIMARY (ecs-svc/… id) to the service deployment ARN to stop, and the version a stop restores', async () => {
      // Prepare
      ecs.on(DescribeServicesCommand).resolves(service(rollingOut));
      ecs
        .on(ListServiceDeploymentsCommand)
        .resolves(
          serviceDeployments(
            { serviceDeploymentArn: sdArn('older'), status: 'PENDING', createdAt: new Date(T0 - MIN) },
            { serviceDeploymentArn: sdArn('newest'), status: 'IN_PROGRESS', createdAt: new Date(T0) },
          ),
        );

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'ok',
        currentVersion: 'checkout:42',
        latest: {
          id: 'ecs-svc/2',
          version: 'checkout:42',
          state: 'in-progress',
          startedAt: T0,
          stopRef: sdArn('newest'),
          stopRestores: 'checkout:41',
        },
        previous: [
          {
            id: 'ecs-svc/1',
            version: 'checkout:41',
            state: 'completed',
            startedAt: T0 - DAY,
            completedAt: T0 - DAY + 2 * MIN,
          },
        ],
        nativeRollback: false,
      });
      expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, {
        cluster: 'prod',
        services: ['checkout'],
      });
      expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, {
        cluster: 'prod',
        service: 'checkout',
        status: ['IN_PROGRESS', 'PENDING', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'],
      });
    });

    it('maps a completed PRIMARY with its completion time and no stop handle', async () => {
      // Prepare
      const done = deployment('ecs-svc/2', 42, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 3 * MIN);
      ecs.on(DescribeServicesCommand).resolves(service([done]));
      ecs.on(ListServiceDeploymentsCommand).resolves(serviceDeployments());

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({
        kind: 'ok',
        currentVersion: 'checkout:42',
        latest: {
          id: 'ecs-svc/2',
          version: 'checkout:42',
          state: 'completed',
          startedAt: T0,
          completedAt: T0 + 3 * MIN,
        },
        previous: [],
        nativeRollback: false,
      });
    });

    describe.each(['BLUE_GREEN', 'LINEAR', 'CANARY'] as const)('a %s service', (strategy) => {
      /**
       * checkout:42 took all production traffic at T0 + 3 min and is in ECS's bake time: the PRIMARY reads
       * COMPLETED, blue (checkout:41) still runs as ACTIVE, and the service deployment is IN_PROGRESS.
       */
      const inBake = [
        deployment('ecs-svc/2', 42, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 3 * MIN),
        deployment('ecs-svc/1', 41, 'ACTIVE', { rolloutState: 'COMPLETED' }, T0 - DAY, T0 - DAY + 2 * MIN),
      ];
      const config = {
        deploymentConfiguration: {
          strategy,
          bakeTimeInMinutes: 60,
          maximumPercent: 200,
          minimumHealthyPercent: 100,
          ...(strategy === 'LINEAR' && {
            linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 5 },
          }),
          ...(strategy === 'CANARY' && {
            canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 15 },
          }),
        },
      };

      it('is in progress through the bake, with the service deployment to stop and blue as what a stop restores', async () => {
        // Prepare
        ecs.on(DescribeServicesCommand).resolves(service(inBake, config));
        // As ListServiceDeployments answers during BAKE_TIME: the brief carries no lifecycleStage.
        ecs.on(ListServiceDeploymentsCommand).resolves(
          serviceDeployments({
            serviceDeploymentArn: sdArn('bake'),
            serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/checkout',
            clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
            targetServiceRevisionArn:
              'arn:aws:ecs:us-east-1:123456789012:service-revision/prod/checkout/4980306466373577095',
            status: 'IN_PROGRESS',
            statusReason: `${strategy} deployment in progress`,
            createdAt: new Date(T0),
            startedAt: new Date(T0),
          }),
        );

        // Act
        const live = await deployer.inspect(target);

        // Assess
        expect(live).toMatchObject({
          kind: 'ok',
          currentVersion: 'checkout:42',
          latest: {
            id: 'ecs-svc/2',
            state: 'in-progress',
            stopRef: sdArn('bake'),
            stopRestores: 'checkout:41',
          },
        });
        expect(live.kind === 'ok' && live.latest?.completedAt).toBeFalsy();
      });

      it('is completed once its service deployment is no longer in progress (SERVICE_DEPLOYMENT_COMPLETED)', async () => {
        // Prepare
        const done = deployment('ecs-svc/2', 42, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 63 * MIN);
        ecs.on(DescribeServicesCommand).resolves(service([done], config));
        ecs.on(ListServiceDeploymentsCommand).resolves(serviceDeployments());

        // Act
        const live = await deployer.inspect(target);

        // Assess
        expect(live).toMatchObject({
          kind: 'ok',
          latest: { id: 'ecs-svc/2', state: 'completed', completedAt: T0 + 63 * MIN },
        });
      });

      /** The least replay: LINEAR 25 % steps give 4 shifts, 3 step bakes of 5 min; CANARY one 15-min bake. */
      const replayMinutes = { BLUE_GREEN: 60, LINEAR: 3 * 5 + 60, CANARY: 15 + 60 }[strategy];
      const ownSettings = {
        BLUE_GREEN: 'BLUE_GREEN with bake 60 min',
        LINEAR: 'LINEAR (25 % every 5 min, bake 60 min)',
        CANARY: 'CANARY (10 % for 15 min, bake 60 min)',
      }[strategy];

      it('offers a redeploy plan: the strategy it replays, and the fast track past it', async () => {
        // Prepare
        const done = deployment('ecs-svc/2', 42, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 63 * MIN);
        ecs.on(DescribeServicesCommand).resolves(service([done], config));
        ecs.on(ListServiceDeploymentsCommand).resolves(serviceDeployments());

        // Act
        const live = await deployer.inspect(target);

        // Assess
        expect(live.kind === 'ok' && live.redeployPlan).toEqual({
          replays: { strategy, settings: ownSettings, minutes: replayMinutes },
          fastTrack: {
            settings: 'BLUE_GREEN with no bake',
            restore: JSON.stringify(config.deploymentConfiguration),
          },
        });
      });

      it('redeploys on the fast track: a configuration-only UpdateService first, then the task definition', async () => {
        // Prepare
        ecs.on(UpdateServiceCommand).resolves({ service: { serviceName: 'checkout', deployments: [] } });
        const restore = JSON.stringify(config.deploymentConfiguration);

        // Act
        const result = await deployer.redeploy(target, 'checkout:41', undefined, 'd-1', {
          settings: 'BLUE_GREEN with no bake',
          skips: { strategy, minutes: replayMinutes },
          restore,
        });

        // Assess
        expect(result).toEqual({ status: 'issued' });
        expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
          {
            cluster: 'prod',
            service: 'checkout',
            deploymentConfiguration: {
              strategy: 'BLUE_GREEN',
              bakeTimeInMinutes: 0,
              maximumPercent: 200,
              minimumHealthyPercent: 100,
            },
          },
          { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' },
        ]);
      });

      it('restores the service’s own configuration while the fast-track settings are in place', async () => {
        // Prepare
        const fast = { strategy: 'BLUE_GREEN' as const, bakeTimeInMinutes: 0, maximumPercent: 200 };
        const back = deployment('ecs-svc/3', 41, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 70 * MIN);
        ecs.on(DescribeServicesCommand).resolves(service([back], { deploymentConfiguration: fast }));
        ecs.on(UpdateServiceCommand).resolves({});

        // Act
        const outcome = await deployer.restoreSettings(
          target,
          JSON.stringify(config.deploymentConfiguration),
        );

        // Assess
        expect(outcome.status).toBe('restored');
        expect(ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input)).toEqual([
          { cluster: 'prod', service: 'checkout', deploymentConfiguration: config.deploymentConfiguration },
        ]);
      });

      it('finds the configuration already restored, and changes nothing', async () => {
        // Prepare
        const back = deployment('ecs-svc/3', 41, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 70 * MIN);
        ecs.on(DescribeServicesCommand).resolves(service([back], config));

        // Act
        const outcome = await deployer.restoreSettings(
          target,
          JSON.stringify(config.deploymentConfiguration),
        );

        // Assess
        expect(outcome.status).toBe('already-restored');
        expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
      });
    });

    it('leaves a configuration someone changed since the fast track alone', async () => {
      // Prepare: a pipeline switched the service to ROLLING meanwhile.
      const own = { strategy: 'LINEAR' as const, bakeTimeInMinutes: 30 };
      const back = deployment('ecs-svc/3', 41, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 70 * MIN);
      ecs
        .on(DescribeServicesCommand)
        .resolves(service([back], { deploymentConfiguration: { strategy: 'ROLLING' } }));

      // Act
      const outcome = await deployer.restoreSettings(target, JSON.stringify(own));

      // Assess
      expect(outcome).toEqual({
        status: 'changed',
        detail:
          'service checkout in cluster prod was changed to ROLLING since the fast-tracked rollback; its LINEAR (10 % every 6 min, bake 30 min) was left unrestored',
      });
      expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    });

    it('refuses a recorded configuration that is not a JSON object, naming the fix', async () => {
      await expect(deployer.restoreSettings(target, '[1]')).rejects.toThrow(
        'the deployment configuration recorded for service checkout in cluster prod is not a JSON object; restore it by hand',
      );
      await expect(deployer.restoreSettings(target, '[1]')).rejects.toThrow(TargetInvalidError);
    });

    it('throws RetryableError when the configuration-only UpdateService of a fast track is throttled', async () => {
      // Prepare
      ecs.on(UpdateServiceCommand).rejects(awsError('ThrottlingException'));

      // Act
      const redeploying = deployer.redeploy(target, 'checkout:41', undefined, 'd-1', {
        settings: 'BLUE_GREEN with no bake',
        skips: { strategy: 'LINEAR', minutes: 84 },
        restore: JSON.stringify({ strategy: 'LINEAR' }),
      });

      // Assess: the task definition is not deployed under the service's own strategy instead.
      await expect(redeploying).rejects.toThrow(RetryableError);
      expect(ecs.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    });

    describe('redeploy plan', () => {
      const inspectWith = async (deploymentConfiguration: Service['deploymentConfiguration']) => {
        const done = deployment('ecs-svc/2', 42, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 3 * MIN);
        ecs.on(DescribeServicesCommand).resolves(service([done], { deploymentConfiguration }));
        ecs.on(ListServiceDeploymentsCommand).resolves(serviceDeployments());
        const live = await deployer.inspect(target);
        return live.kind === 'ok' ? live.redeployPlan : undefined;
      };

      it('is absent for a ROLLING service, and for one that names no strategy', async () => {
        expect(await inspectWith({ strategy: 'ROLLING', maximumPercent: 200 })).toBeUndefined();
        expect(await inspectWith({ maximumPercent: 200 })).toBeUndefined();
      });

      it('has nothing to fast-track for BLUE_GREEN with no bake and no pause hook', async () => {
        expect(await inspectWith({ strategy: 'BLUE_GREEN', bakeTimeInMinutes: 0 })).toEqual({
          replays: { strategy: 'BLUE_GREEN', settings: 'BLUE_GREEN with no bake', minutes: 0 },
        });
      });

      it('counts LINEAR steps in tenths of a percent, with no step bake after the shift to 100 %', async () => {
        // 3.3 % steps: 30 shifts reach 99 %, the 31st reaches 100 %; 30 step bakes of 2 min, then the bake.
        const plan = await inspectWith({
          strategy: 'LINEAR',
          bakeTimeInMinutes: 10,
          linearConfiguration: { stepPercent: 3.3, stepBakeTimeInMinutes: 2 },
        });
        expect(plan?.replays).toEqual({
          strategy: 'LINEAR',
          settings: 'LINEAR (3.3 % every 2 min, bake 10 min)',
          minutes: 30 * 2 + 10,
        });
      });

      it('uses ECS’s defaults for LINEAR and CANARY settings the service leaves out', async () => {
        expect((await inspectWith({ strategy: 'LINEAR', bakeTimeInMinutes: 0 }))?.replays.minutes).toBe(
          9 * 6,
        );
        expect((await inspectWith({ strategy: 'CANARY', bakeTimeInMinutes: 0 }))?.replays.minutes).toBe(10);
      });

      it('fast-tracks without pause hooks, which would hold the rollback, and keeps the Lambda hooks', async () => {
        const lambdaHook = {
          targetType: 'AWS_LAMBDA' as const,
          hookTargetArn: 'arn:aws:lambda:us-east-1:123456789012:function:smoke-test',
          roleArn: 'arn:aws:iam::123456789012:role/ecs-hooks',
          lifecycleStages: ['POST_TEST_TRAFFIC_SHIFT' as const],
        };
        const pauseHook = { targetType: 'PAUSE' as const, lifecycleStages: ['POST_SCALE_UP' as const] };
        const own = {
          strategy: 'BLUE_GREEN' as const,
          bakeTimeInMinutes: 0,
          lifecycleHooks: [lambdaHook, pauseHook],
        };
        const plan = await inspectWith(own);
        expect(plan?.fastTrack?.settings).toBe('BLUE_GREEN with no bake');
        ecs.on(UpdateServiceCommand).resolves({});

        await deployer.redeploy(target, 'checkout:41', undefined, 'd-1', {
          ...plan!.fastTrack!,
          skips: plan!.replays,
        });

        expect(ecs.commandCalls(UpdateServiceCommand)[0]?.args[0].input.deploymentConfiguration).toEqual({
          strategy: 'BLUE_GREEN',
          bakeTimeInMinutes: 0,
          lifecycleHooks: [lambdaHook],
        });
      });
    });

    it('keeps reading a ROLLING service from the PRIMARY rolloutState', async () => {
      // Prepare
      const done = deployment('ecs-svc/2', 42, 'PRIMARY', { rolloutState: 'COMPLETED' }, T0, T0 + 3 * MIN);
      ecs
        .on(DescribeServicesCommand)
        .resolves(service([done], { deploymentConfiguration: { strategy: 'ROLLING' } }));
      ecs.on(ListServiceDeploymentsCommand).resolves(
        serviceDeployments({
          serviceDeploymentArn: sdArn('x'),
          status: 'IN_PROGRESS',
          createdAt: new Date(T0),
        }),
      );

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({ kind: 'ok', latest: { state: 'completed', completedAt: T0 + 3 * MIN } });
    });

    it('recognises the circuit breaker rolling back from the PRIMARY rolloutStateReason', async () => {
      // Prepare
      const rollback = deployment(
        'ecs-svc/124',
        41,
        'PRIMARY',
        {
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason: 'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/122.',
        },
        T0 + 5 * MIN,
      );
      const failed = deployment('ecs-svc/123', 42, 'ACTIVE', { rolloutState: 'FAILED' }, T0);
      ecs.on(DescribeServicesCommand).resolves(service([failed, rollback]));
      ecs.on(ListServiceDeploymentsCommand).resolves(serviceDeployments());

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({
        kind: 'ok',
        currentVersion: 'checkout:41',
        latest: { id: 'ecs-svc/124', state: 'in-progress' },
        previous: [{ id: 'ecs-svc/123', version: 'checkout:42', state: 'failed' }],
        nativeRollback: true,
      });
    });

    it('recognises a service deployment that ECS is already rolling back', async () => {
      // Prepare
      ecs.on(DescribeServicesCommand).resolves(service(rollingOut));
      ecs.on(ListServiceDeploymentsCommand).resolves(
        serviceDeployments({
          serviceDeploymentArn: sdArn('a'),
          status: 'ROLLBACK_IN_PROGRESS',
          createdAt: new Date(T0),
        }),
      );

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({ kind: 'ok', nativeRollback: true });
      expect(live.kind === 'ok' && live.latest?.stopRef).toBeFalsy();
    });

    it('issues DescribeServices and ListServiceDeployments concurrently', async () => {
      // Prepare
      const describe = deferred<DescribeServicesCommandOutput>();
      const list = deferred<ListServiceDeploymentsCommandOutput>();
      ecs.on(DescribeServicesCommand).callsFake(() => describe.promise);
      ecs.on(ListServiceDeploymentsCommand).callsFake(() => list.promise);

      // Act
      const inspecting = deployer.inspect(target);
      await new Promise((resolve) => setImmediate(resolve));
      const listedBeforeDescribeResolved = ecs.commandCalls(ListServiceDeploymentsCommand).length;
      describe.resolve(service(rollingOut));
      list.resolve(serviceDeployments());
      const live = await inspecting;

      // Assess
      expect(ecs.commandCalls(DescribeServicesCommand)).toHaveLength(1);
      expect(listedBeforeDescribeResolved).toBe(1);
      expect(live.kind).toBe('ok');
    });

    it.each<[string, Partial<Service>, string]>([
      ['DRAINING', { status: 'DRAINING' }, 'service checkout in cluster prod is DRAINING, not ACTIVE'],
      ['INACTIVE', { status: 'INACTIVE' }, 'service checkout in cluster prod is INACTIVE, not ACTIVE'],
      [
        'CODE_DEPLOY controlled',
        { deploymentController: { type: 'CODE_DEPLOY' } },
        'service checkout in cluster prod uses the CODE_DEPLOY deployment controller: protect its CodeDeploy deployment group instead',
      ],
    ])('reports a %s service as invalid', async (_label, overrides, why) => {
      // Prepare
      ecs.on(DescribeServicesCommand).resolves(service(rollingOut, overrides));
      ecs.on(ListServiceDeploymentsCommand).resolves(serviceDeployments());

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({ kind: 'invalid', why });
    });

    it('reports a MISSING service as invalid', async () => {
      // Prepare
      ecs.on(DescribeServicesCommand).resolves({
        $metadata: {},
        services: [],
        failures: [{ arn: 'arn:aws:ecs:us-east-1:123456789012:service/prod/checkout', reason: 'MISSING' }],
      });
      ecs
        .on(ListServiceDeploymentsCommand)
        .rejects(new ServiceNotFoundException({ message: 'Service not found.', $metadata: meta }));

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({ kind: 'invalid', why: 'service checkout in cluster prod does not exist' });
    });

    it.each([
      [
        'a missing cluster',
        new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: meta }),
        'ClusterNotFoundException: Cluster not found',
      ],
      [
        'denied access',
        new AccessDeniedException({
          message: 'not authorized to perform ecs:DescribeServices',
          $metadata: meta,
        }),
        'AccessDeniedException: not authorized',
      ],
    ])('reports %s as invalid', async (_label, error, fragment) => {
      // Prepare
      ecs.on(DescribeServicesCommand).rejects(error);
      ecs.on(ListServiceDeploymentsCommand).rejects(error);

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toEqual({ kind: 'invalid', why: expect.stringContaining(fragment) });
      expect(live.kind === 'invalid' && live.why).toContain(
        'DescribeServices of service checkout in cluster prod failed',
      );
    });

    it('throws RetryableError when DescribeServices is throttled past the SDK retries', async () => {
      // Prepare
      const throttled = awsError('ThrottlingException', { message: 'Rate exceeded' });
      ecs.on(DescribeServicesCommand).rejects(throttled);
      ecs.on(ListServiceDeploymentsCommand).resolves(serviceDeployments());

      // Act
      const inspecting = deployer.inspect(target);

      // Assess
      await expect(inspecting).rejects.toThrow(RetryableError);
      await expect(inspecting).rejects.toMatchObject({ cause: throttled });
    });

    it('throws RetryableError when only ListServiceDeployments is throttled', async () => {
      // Prepare
      ecs.on(DescribeServicesCommand).resolves(service(rollingOut));
      ecs.on(ListServiceDeploymentsCommand).rejects(awsError('ThrottlingException'));

      // Act & Assess
      await expect(deployer.inspect(target)).rejects.toThrow(RetryableError);
    });

    it('degrades without ListServiceDeployments when it is denied: no stop handle, rollbacks seen from the reason', async () => {
      // Prepare
      const rollback = deployment(
        'ecs-svc/124',
        41,
        'PRIMARY',
        {
          rolloutState: 'IN_PROGRESS',
          rolloutStateReason:
            'ECS deployment detected triggered alarm(s): rolling back to deploymentId ecs-svc/122.',
        },
        T0,
      );
      ecs.on(DescribeServicesCommand).resolves(service([rollback]));
      ecs.on(ListServiceDeploymentsCommand).rejects(
        new AccessDeniedException({
          message: 'not authorized to perform ecs:ListServiceDeployments',
          $metadata: meta,
        }),
      );

      // Act
      const live = await deployer.inspect(target);

      // Assess
      expect(live).toMatchObject({ kind: 'ok', currentVersion: 'checkout:41', nativeRollback: true });
      expect(live.kind === 'ok' && live.latest).not.toHaveProperty('stopRef');
      expect(log).toHaveBeenCalledWith('warn', expect.stringContaining('ListServiceDeployments'), {
        target: 'checkout',
        error: expect.objectContaining({ name: 'AccessDeniedException' }),
      });
    });
  });

  describe('stop', () => {
    const ref = sdArn('newest');

    it('stops the service deployment with ECS rollback', async () => {
      // Prepare
      ecs.on(StopServiceDeploymentCommand).resolves({ serviceDeploymentArn: ref });

      // Act
      const result = await deployer.stop(target, ref);

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: ref });
      expect(ecs).toHaveReceivedCommandTimes(StopServiceDeploymentCommand, 1);
      expect(ecs).toHaveReceivedCommandWith(StopServiceDeploymentCommand, {
        serviceDeploymentArn: ref,
        stopType: 'ROLLBACK',
      });
    });

    it('reports a deployment that already finished or is stopping as already-finished (ConflictException)', async () => {
      // Prepare
      ecs
        .on(StopServiceDeploymentCommand)
        .rejects(
          new ConflictException({ message: 'The service deployment is already complete.', $metadata: meta }),
        );

      // Act
      const result = await deployer.stop(target, ref);

      // Assess
      expect(result).toEqual({
        status: 'already-finished',
        detail: expect.stringContaining('ConflictException: The service deployment is already complete)'),
      });
    });

    it('reports a ConflictException that answered the SDK retry as ambiguous: the first attempt may have been ours', async () => {
      // Prepare: the first attempt timed out after ECS accepted it; the retry finds the deployment stopping.
      ecs.on(StopServiceDeploymentCommand).rejects(
        new ConflictException({
          message: 'The service deployment is already stopping.',
          $metadata: { ...meta, attempts: 2 },
        }),
      );

      // Act / Assess
      await expect(deployer.stop(target, ref)).rejects.toThrow(RetryableError);
    });

    it('throws TargetInvalidError when stopping is not permitted', async () => {
      // Prepare
      const denied = new AccessDeniedException({ message: 'not authorized', $metadata: meta });
      ecs.on(StopServiceDeploymentCommand).rejects(denied);

      // Act
      const stopping = deployer.stop(target, ref);

      // Assess
      await expect(stopping).rejects.toThrow(TargetInvalidError);
      await expect(stopping).rejects.toMatchObject({
        message: `StopServiceDeployment of ${ref} (service checkout in cluster prod) was refused: AccessDeniedException: not authorized`,
        cause: denied,
      });
    });

    it('throws RetryableError on a server error', async () => {
      // Prepare
      ecs
        .on(StopServiceDeploymentCommand)
        .rejects(new ServerException({ message: 'boom', $metadata: { httpStatusCode: 500 } }));

      // Act & Assess
      await expect(deployer.stop(target, ref)).rejects.toThrow(RetryableError);
    });
  });

  describe('redeploy', () => {
    it('updates the service to the version and returns the new PRIMARY deployment id', async () => {
      // Prepare
      ecs.on(UpdateServiceCommand).resolves({
        service: {
          serviceName: 'checkout',
          deployments: [
            deployment('ecs-svc/3', 41, 'PRIMARY', { rolloutState: 'IN_PROGRESS' }, T0 + 5 * MIN),
            deployment('ecs-svc/2', 42, 'ACTIVE', { rolloutState: 'COMPLETED' }, T0),
          ],
        },
      });

      // Act
      const result = await deployer.redeploy(target, 'checkout:41');

      // Assess
      expect(result).toEqual({ status: 'issued', deploymentRef: 'ecs-svc/3' });
      const [call] = ecs.commandCalls(UpdateServiceCommand);
      expect(call?.args[0].input).toEqual({
        cluster: 'prod',
        service: 'checkout',
        taskDefinition: 'checkout:41',
      });
    });

    it('throws TargetInvalidError when the service does not exist', async () => {
      // Prepare
      const missing = new ServiceNotFoundException({ message: 'Service not found.', $metadata: meta });
      ecs.on(UpdateServiceCommand).rejects(missing);

      // Act
      const redeploying = deployer.redeploy(target, 'checkout:41');

      // Assess
      await expect(redeploying).rejects.toThrow(TargetInvalidError);
      await expect(redeploying).rejects.toMatchObject({
        message:
          'UpdateService of service checkout in cluster prod to checkout:41 was refused: ServiceNotFoundException: Service not found',
        cause: missing,
      });
    });

    it('throws TargetInvalidError when the task definition is inactive', async () => {
      // Prepare
      ecs
        .on(UpdateServiceCommand)
        .rejects(new InvalidParameterException({ message: 'TaskDefinition is inactive', $metadata: meta }));

      // Act
      const redeploying = deployer.redeploy(target, 'checkout:41');

      // Assess
      await expect(redeploying).rejects.toThrow(TargetInvalidError);
      await expect(redeploying).rejects.toThrow(/TaskDefinition is inactive/);
    });

    it('throws RetryableError when throttled', async () => {
      // Prepare
      ecs.on(UpdateServiceCommand).rejects(awsError('ThrottlingException'));

      // Act & Assess
      await expect(deployer.redeploy(target, 'checkout:41')).rejects.toThrow(RetryableError);
    });
  });

  describe('describeChange', () => {
    const ecr = '111122223333.dkr.ecr.us-east-1.amazonaws.com';
    const taskDefinition = (revision: number, containers: [string, string][]) => ({
      taskDefinition: {
        family: 'checkout',
        revision,
        containerDefinitions: containers.map(([name, image]) => ({ name, image })),
      },
    });

    it('lists the containers whose image changed, was added or was removed', async () => {
      // Prepare
      ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: 'checkout:42' })
        .resolves(
          taskDefinition(42, [
            ['web', `${ecr}/web:1.5.0`],
            ['envoy', 'public.ecr.aws/envoy:v1.30'],
            ['debug', `${ecr}/debug:1`],
          ]),
        )
        .on(DescribeTaskDefinitionCommand, { taskDefinition: 'checkout:41' })
        .resolves(
          taskDefinition(41, [
            ['web', `${ecr}/web:1.4.2`],
            ['envoy', 'public.ecr.aws/envoy:v1.30'],
            ['log-router', 'public.ecr.aws/fluent-bit:2'],
          ]),
        );

      // Act
      const lines = await deployer.describeChange(target, 'checkout:42', 'checkout:41');

      // Assess
      expect(lines).toEqual([
        `web: ${ecr}/web:1.5.0 → ${ecr}/web:1.4.2`,
        'log-router: added public.ecr.aws/fluent-bit:2',
        `debug: removed (was ${ecr}/debug:1)`,
      ]);
      expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
    });

    it('reads both task definitions at the same time', async () => {
      // Prepare
      const first = deferred<ReturnType<typeof taskDefinition>>();
      ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: 'checkout:42' })
        .callsFake(() => first.promise)
        .on(DescribeTaskDefinitionCommand, { taskDefinition: 'checkout:41' })
        .resolves(taskDefinition(41, [['web', 'web:1']]));

      // Act
      const describing = deployer.describeChange(target, 'checkout:42', 'checkout:41');
      await new Promise((resolve) => setImmediate(resolve));

      // Assess: the second read started before the first one answered.
      expect(ecs).toHaveReceivedCommandTimes(DescribeTaskDefinitionCommand, 2);
      first.resolve(taskDefinition(42, [['web', 'web:2']]));
      await expect(describing).resolves.toEqual(['web: web:2 → web:1']);
    });

    it('gives no lines when nothing but the revision changed', async () => {
      // Prepare
      ecs.on(DescribeTaskDefinitionCommand).resolves(taskDefinition(1, [['web', 'web:1']]));

      // Act & Assess
      await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([]);
    });

    it.each([
      ['access is denied', new AccessDeniedException({ message: 'not authorized', $metadata: meta })],
      ['ECS throttles', awsError('ThrottlingException')],
      ['the network fails', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ])('never throws: gives no lines when %s', async (_label, error) => {
      // Prepare
      ecs
        .on(DescribeTaskDefinitionCommand, { taskDefinition: 'checkout:42' })
        .resolves(taskDefinition(42, [['web', 'web:2']]))
        .on(DescribeTaskDefinitionCommand, { taskDefinition: 'checkout:41' })
        .rejects(error);

      // Act & Assess
      await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([]);
      expect(log).toHaveBeenCalledWith(
        'info',
        'DescribeTaskDefinition failed; notifying without the image change',
        expect.objectContaining({ from: 'checkout:42', to: 'checkout:41' }),
      );
    });

    describe('image digests', () => {
      const revisionArn = (id: string) =>
        `arn:aws:ecs:us-east-1:123456789012:service-revision/prod/checkout/${id}`;
      const digest = (first12: string, fill: string) => `sha256:${first12}${fill.repeat(52)}`;
      const BAD = digest('4f1c2a9e0b7d', 'a');
      const GOOD = digest('9ab03c11de42', 'b');
      const ENVOY = digest('e7a0c5d31f20', 'c');
      const FLUENT = digest('0d6b1e2f3a4c', 'd');
      const DEBUG = digest('77aa88bb99cc', 'e');
      const OLDER_GOOD = digest('1111aaaa2222', 'f');

      interface RevisionSpec {
        readonly id: string;
        readonly revision: number;
        readonly at: number;
        readonly images: readonly [name: string, image: string, digest?: string][];
      }
      /** ECS as it records deployments: one brief per deployment, naming its target revision. */
      function deployed(...revisions: RevisionSpec[]) {
        ecs.on(ListServiceDeploymentsCommand).resolves(
          serviceDeployments(
            ...revisions.map((r) => ({
              serviceDeploymentArn: sdArn(`sd-${r.id}`),
              targetServiceRevisionArn: revisionArn(r.id),
              status: 'SUCCESSFUL' as const,
              createdAt: new Date(r.at),
            })),
          ),
        );
        ecs.on(DescribeServiceRevisionsCommand).resolves({
          serviceRevisions: revisions.map((r) => ({
            serviceRevisionArn: revisionArn(r.id),
            taskDefinition: taskDef(r.revision),
            createdAt: new Date(r.at),
            containerImages: r.images.map(([containerName, image, imageDigest]) => ({
              containerName,
              image,
              ...(imageDigest ? { imageDigest } : {}),
            })),
          })),
          failures: [],
        });
      }
      const tagged = (revision: number, containers: [string, string][]) =>
        ecs
          .on(DescribeTaskDefinitionCommand, { taskDefinition: `checkout:${revision}` })
          .resolves(taskDefinition(revision, containers));

      it('shows after each image the digest ECS resolved it to, from the newest revision of each version', async () => {
        // Prepare: checkout:41 was deployed twice; its newest revision is what the rollback brings back.
        tagged(42, [
          ['web', `${ecr}/web:1.5.0`],
          ['envoy', 'public.ecr.aws/envoy:v1.30'],
          ['debug', `${ecr}/debug:1`],
        ]);
        tagged(41, [
          ['web', `${ecr}/web:1.4.2`],
          ['envoy', 'public.ecr.aws/envoy:v1.30'],
          ['log-router', 'public.ecr.aws/fluent-bit:2'],
        ]);
        deployed(
          {
            id: 'r41-old',
            revision: 41,
            at: T0 - 2 * DAY,
            images: [
              ['web', `${ecr}/web:1.4.2`, OLDER_GOOD],
              ['envoy', 'public.ecr.aws/envoy:v1.30', ENVOY],
              ['log-router', 'public.ecr.aws/fluent-bit:2', FLUENT],
            ],
          },
          {
            id: 'r42',
            revision: 42,
            at: T0,
            images: [
              ['web', `${ecr}/web:1.5.0`, BAD],
              ['envoy', 'public.ecr.aws/envoy:v1.30', ENVOY],
              ['debug', `${ecr}/debug:1`, DEBUG],
            ],
          },
          {
            id: 'r41',
            revision: 41,
            at: T0 - DAY,
            images: [
              ['web', `${ecr}/web:1.4.2`, GOOD],
              ['envoy', 'public.ecr.aws/envoy:v1.30', ENVOY],
              ['log-router', 'public.ecr.aws/fluent-bit:2', FLUENT],
            ],
          },
        );

        // Act
        const lines = await deployer.describeChange(target, 'checkout:42', 'checkout:41');

        // Assess
        expect(lines).toEqual([
          `web: ${ecr}/web:1.5.0 (sha256:4f1c2a9e0b7d) → ${ecr}/web:1.4.2 (sha256:9ab03c11de42)`,
          'log-router: added public.ecr.aws/fluent-bit:2 (sha256:0d6b1e2f3a4c)',
          `debug: removed (was ${ecr}/debug:1 (sha256:77aa88bb99cc))`,
        ]);
        expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, {
          cluster: 'prod',
          service: 'checkout',
          maxResults: 100,
        });
        expect(ecs).toHaveReceivedCommandTimes(DescribeServiceRevisionsCommand, 1);
        expect(ecs).toHaveReceivedCommandWith(DescribeServiceRevisionsCommand, {
          serviceRevisionArns: [revisionArn('r42'), revisionArn('r41'), revisionArn('r41-old')],
        });
        expect(log).not.toHaveBeenCalled();
      });

      it('says so when a tag stayed but names another image (re-pushed), and is silent when it did not', async () => {
        // Prepare
        tagged(42, [
          ['web', `${ecr}/web:latest`],
          ['envoy', 'public.ecr.aws/envoy:v1.30'],
        ]);
        tagged(41, [
          ['web', `${ecr}/web:latest`],
          ['envoy', 'public.ecr.aws/envoy:v1.30'],
        ]);
        deployed(
          {
            id: 'r42',
            revision: 42,
            at: T0,
            images: [
              ['web', `${ecr}/web:latest`, BAD],
              ['envoy', 'public.ecr.aws/envoy:v1.30', ENVOY],
            ],
          },
          {
            id: 'r41',
            revision: 41,
            at: T0 - DAY,
            images: [
              ['web', `${ecr}/web:latest`, GOOD],
              ['envoy', 'public.ecr.aws/envoy:v1.30', ENVOY],
            ],
          },
        );

        // Act & Assess
        await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([
          `web: ${ecr}/web:latest (sha256:4f1c2a9e0b7d) → same tag, re-pushed (sha256:9ab03c11de42)`,
        ]);
      });

      it('shows a digest only where ECS recorded one', async () => {
        // Prepare: versionConsistency disabled for web on the old revision, so ECS resolved no digest there.
        tagged(42, [['web', `${ecr}/web:1.5.0`]]);
        tagged(41, [['web', `${ecr}/web:1.4.2`]]);
        deployed(
          { id: 'r42', revision: 42, at: T0, images: [['web', `${ecr}/web:1.5.0`, BAD]] },
          { id: 'r41', revision: 41, at: T0 - DAY, images: [['web', `${ecr}/web:1.4.2`]] },
        );

        // Act & Assess
        await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([
          `web: ${ecr}/web:1.5.0 (sha256:4f1c2a9e0b7d) → ${ecr}/web:1.4.2`,
        ]);
      });

      it('needs no revision for images pinned by digest: their reference names what runs', async () => {
        // Prepare
        tagged(42, [['web', `${ecr}/web@${BAD}`]]);
        tagged(41, [['web', `${ecr}/web@${GOOD}`]]);
        ecs.on(ListServiceDeploymentsCommand).rejects(awsError('AccessDeniedException'));

        // Act & Assess
        await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([
          `web: ${ecr}/web@${BAD} → ${ecr}/web@${GOOD}`,
        ]);
        expect(ecs).toHaveReceivedCommandTimes(DescribeServiceRevisionsCommand, 0);
        // The denied listing did not matter, so it is not reported.
        expect(log).not.toHaveBeenCalled();
      });

      it('looks up the tagged images next to pinned ones, and shows each pinned image as it is', async () => {
        // Prepare
        tagged(42, [
          ['web', `${ecr}/web:1.5.0`],
          ['envoy', `public.ecr.aws/envoy@${ENVOY}`],
        ]);
        tagged(41, [
          ['web', `${ecr}/web:1.4.2`],
          ['envoy', `public.ecr.aws/envoy@${FLUENT}`],
        ]);
        deployed(
          { id: 'r42', revision: 42, at: T0, images: [['web', `${ecr}/web:1.5.0`, BAD]] },
          { id: 'r41', revision: 41, at: T0 - DAY, images: [['web', `${ecr}/web:1.4.2`, GOOD]] },
        );

        // Act & Assess
        await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([
          `web: ${ecr}/web:1.5.0 (sha256:4f1c2a9e0b7d) → ${ecr}/web:1.4.2 (sha256:9ab03c11de42)`,
          `envoy: public.ecr.aws/envoy@${ENVOY} → public.ecr.aws/envoy@${FLUENT}`,
        ]);
      });

      it('lists the deployments while the task definitions are still being read', async () => {
        // Prepare
        const first = deferred<ReturnType<typeof taskDefinition>>();
        ecs
          .on(DescribeTaskDefinitionCommand, { taskDefinition: 'checkout:42' })
          .callsFake(() => first.promise);
        tagged(41, [['web', 'web:1']]);
        deployed(
          { id: 'r42', revision: 42, at: T0, images: [['web', 'web:2', BAD]] },
          { id: 'r41', revision: 41, at: T0 - DAY, images: [['web', 'web:1', GOOD]] },
        );

        // Act
        const describing = deployer.describeChange(target, 'checkout:42', 'checkout:41');
        await new Promise((resolve) => setImmediate(resolve));

        // Assess: ListServiceDeployments went out before the first task definition answered.
        expect(ecs).toHaveReceivedCommandTimes(ListServiceDeploymentsCommand, 1);
        first.resolve(taskDefinition(42, [['web', 'web:2']]));
        await expect(describing).resolves.toEqual([
          'web: web:2 (sha256:4f1c2a9e0b7d) → web:1 (sha256:9ab03c11de42)',
        ]);
      });

      it.each([
        [
          'DescribeServiceRevisions',
          'is denied',
          new AccessDeniedException({ message: 'not authorized', $metadata: meta }),
        ],
        ['DescribeServiceRevisions', 'is throttled', awsError('ThrottlingException')],
        // What an endpoint without the operation answers (moto 5.2.1: HTTP 500; AWS's JSON protocol: this).
        ['DescribeServiceRevisions', 'is unknown to the endpoint', awsError('UnknownOperationException')],
        ['DescribeServiceRevisions', 'fails on the server', awsError('InternalFailure', { status: 500 })],
        [
          'ListServiceDeployments',
          'is denied',
          new AccessDeniedException({ message: 'not authorized', $metadata: meta }),
        ],
        ['ListServiceDeployments', 'is unknown to the endpoint', awsError('UnknownOperationException')],
      ])(
        'never throws: shows the lines without digests when %s %s, and logs it once',
        async (call, _how, error) => {
          // Prepare
          tagged(42, [['web', `${ecr}/web:1.5.0`]]);
          tagged(41, [['web', `${ecr}/web:1.4.2`]]);
          deployed(
            { id: 'r42', revision: 42, at: T0, images: [['web', `${ecr}/web:1.5.0`, BAD]] },
            { id: 'r41', revision: 41, at: T0 - DAY, images: [['web', `${ecr}/web:1.4.2`, GOOD]] },
          );
          if (call === 'ListServiceDeployments') ecs.on(ListServiceDeploymentsCommand).rejects(error);
          else ecs.on(DescribeServiceRevisionsCommand).rejects(error);

          // Act & Assess
          await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([
            `web: ${ecr}/web:1.5.0 → ${ecr}/web:1.4.2`,
          ]);
          expect(log).toHaveBeenCalledTimes(1);
          expect(log).toHaveBeenCalledWith(
            'info',
            `${call} failed; notifying without image digests`,
            expect.objectContaining({
              from: 'checkout:42',
              to: 'checkout:41',
              error: expect.objectContaining({ name: error.name }),
            }),
          );
        },
      );

      it('keeps the digests it could read when ECS cannot describe an older revision, and logs the failure', async () => {
        // Prepare: revisions created before 25 October 2024 cannot be described.
        tagged(42, [['web', `${ecr}/web:1.5.0`]]);
        tagged(41, [['web', `${ecr}/web:1.4.2`]]);
        deployed({ id: 'r42', revision: 42, at: T0, images: [['web', `${ecr}/web:1.5.0`, BAD]] });
        ecs.on(DescribeServiceRevisionsCommand).resolves({
          serviceRevisions: [
            {
              serviceRevisionArn: revisionArn('r42'),
              taskDefinition: taskDef(42),
              createdAt: new Date(T0),
              containerImages: [{ containerName: 'web', image: `${ecr}/web:1.5.0`, imageDigest: BAD }],
            },
          ],
          failures: [{ arn: revisionArn('r41'), reason: 'MISSING' }],
        });

        // Act & Assess
        await expect(deployer.describeChange(target, 'checkout:42', 'checkout:41')).resolves.toEqual([
          `web: ${ecr}/web:1.5.0 (sha256:4f1c2a9e0b7d) → ${ecr}/web:1.4.2`,
        ]);
        expect(log).toHaveBeenCalledTimes(1);
        expect(log).toHaveBeenCalledWith(
          'info',
          'DescribeServiceRevisions could not describe some revisions',
          {
            from: 'checkout:42',
            to: 'checkout:41',
            failures: [{ arn: revisionArn('r41'), reason: 'MISSING' }],
          },
        );
      });

      it(`describes only the ${MAX_DESCRIBED_REVISIONS} newest revisions, in one call`, async () => {
        // Prepare: 25 deployments, listed oldest first; the versions asked about are the two newest.
        tagged(42, [['web', `${ecr}/web:1.5.0`]]);
        tagged(41, [['web', `${ecr}/web:1.4.2`]]);
        const revisions = Array.from({ length: 25 }, (_, i) => ({
          id: `r${i}`,
          revision: i === 24 ? 42 : i === 23 ? 41 : 17 + i,
          at: T0 - (24 - i) * MIN,
          images: [['web', `${ecr}/web:x`, i === 24 ? BAD : GOOD]] as [string, string, string][],
        }));
        deployed(...revisions);

        // Act
        const lines = await deployer.describeChange(target, 'checkout:42', 'checkout:41');

        // Assess
        expect(lines).toEqual([
          `web: ${ecr}/web:1.5.0 (sha256:4f1c2a9e0b7d) → ${ecr}/web:1.4.2 (sha256:9ab03c11de42)`,
        ]);
        expect(ecs).toHaveReceivedCommandTimes(DescribeServiceRevisionsCommand, 1);
        const [call] = ecs.commandCalls(DescribeServiceRevisionsCommand);
        expect(call.args[0].input.serviceRevisionArns).toEqual(
          Array.from({ length: 20 }, (_, i) => revisionArn(`r${24 - i}`)),
        );
      });

      it('gives up on the digests when they take too long, keeps the lines and ends the call in flight', async () => {
        // Prepare
        const quick = new EcsDeployer({
          client: new ECSClient({ region: 'us-east-1' }),
          telemetry: { log },
          digestLookupTimeoutMs: 20,
        });
        tagged(42, [['web', `${ecr}/web:1.5.0`]]);
        tagged(41, [['web', `${ecr}/web:1.4.2`]]);
        ecs.on(ListServiceDeploymentsCommand).callsFake(() => new Promise(() => undefined));

        // Act
        const lines = await quick.describeChange(target, 'checkout:42', 'checkout:41');

        // Assess
        expect(lines).toEqual([`web: ${ecr}/web:1.5.0 → ${ecr}/web:1.4.2`]);
        expect(log).toHaveBeenCalledTimes(1);
        expect(log).toHaveBeenCalledWith(
          'info',
          'image digest lookup timed out; notifying without image digests',
          { from: 'checkout:42', to: 'checkout:41', timeoutMs: 20 },
        );
        const [listing] = ecs.commandCalls(ListServiceDeploymentsCommand);
        // send(command, options): the recorded call's arguments include the options the SDK was given.
        const [, options] = listing.args as unknown as [unknown, { abortSignal?: AbortSignal } | undefined];
        expect(options?.abortSignal?.aborted).toBe(true);
        expect(ecs).toHaveReceivedCommandTimes(DescribeServiceRevisionsCommand, 0);
      });
    });
  });
});

describe('toVersion', () => {
  it.each([
    ['arn:aws:ecs:us-east-1:123456789012:task-definition/checkout:41', 'checkout:41'],
    ['checkout:41', 'checkout:41'],
    ['arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/my-app:7', 'my-app:7'],
  ])('%s -> %s', (taskDefinition, version) => {
    // Act & Assess
    expect(toVersion(taskDefinition)).toBe(version);
  });
});

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
