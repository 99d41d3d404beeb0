import {
  AccessDeniedException,
  ClusterNotFoundException,
  ConflictException,
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
import { EcsDeployer, toVersion } from '../../../lambda/adapters/ecs-deployer';
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
