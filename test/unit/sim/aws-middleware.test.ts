import {
  ConflictException,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateDeploymentCommand,
  DeploymentAlreadyCompletedException,
  DeploymentLimitExceededException,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { createAwsClients, type AwsClients } from '../../../lambda/adapters/aws-clients';
import {
  SIMULATOR_MIDDLEWARE_NAME,
  installSimulator,
  type MutatingCall,
} from '../../../lambda/sim/aws-middleware';
import { CodeDeployWorld, revisionLocation } from '../../../lambda/sim/world/codedeploy';
import { recordingContext } from './support';
import { simCommand } from '../../../lambda/sim/sim-commands';
import { SimulatorGapError } from '../../../lambda/sim/world/world-context';

/** An ECS client pointed at an endpoint nothing listens on: any request that left the process would fail. */
const offlineEcsClient = () =>
  new ECSClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });

function setup() {
  const counted: [string, string][] = [];
  const mutating: MutatingCall[] = [];
  const gaps: string[] = [];
  const client = offlineEcsClient();
  installSimulator(
    client,
    'ecs',
    {
      ecs: {
        DescribeServices: simCommand<{ services?: string[] }>({
          run: (input) => ({
            services: (input.services ?? []).map((serviceName) => ({ serviceName })),
            failures: [],
          }),
        }),
        StopServiceDeployment: simCommand<{ serviceDeploymentArn?: string }>({
          target: () => 'checkout',
          run: (input) => {
            if (input.serviceDeploymentArn === 'done')
              throw new ConflictException({ message: 'already finished', $metadata: {} });
            return { serviceDeploymentArn: input.serviceDeploymentArn };
          },
        }),
      },
    },
    {
      counted: (api, kind) => counted.push([api, kind]),
      mutating: (call) => mutating.push(call),
      gap: (api) => gaps.push(api),
    },
  );
  return { client, counted, mutating, gaps };
}

describe('installSimulator', () => {
  it('answers at the SDK level from the command table, without a request leaving the process', async () => {
    const { client, counted, mutating } = setup();
    const out = await client.send(new DescribeServicesCommand({ cluster: 'prod', services: ['checkout'] }));
    expect(out.services).toEqual([{ serviceName: 'checkout' }]);
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(counted).toEqual([['ecs:DescribeServices', 'read']]);
    expect(mutating).toEqual([]);
  });

  it('records mutating calls with their input exactly as sent, and failures with the exception', async () => {
    const { client, counted, mutating } = setup();
    await client.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: 'arn-1', stopType: 'ROLLBACK' }),
    );
    await expect(
      client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: 'done', stopType: 'ROLLBACK' })),
    ).rejects.toThrow(ConflictException);
    expect(counted).toEqual([
      ['ecs:StopServiceDeployment', 'write'],
      ['ecs:StopServiceDeployment', 'write'],
    ]);
    expect(mutating).toEqual([
      {
        api: 'ecs:StopServiceDeployment',
        target: 'checkout',
        params: { serviceDeploymentArn: 'arn-1', stopType: 'ROLLBACK' },
      },
      {
        api: 'ecs:StopServiceDeployment',
        target: 'checkout',
        params: { serviceDeploymentArn: 'done', stopType: 'ROLLBACK' },
        error: 'ConflictException: already finished',
      },
    ]);
  });

  it('fails an operation it does not model, and reports the gap', async () => {
    const { client, gaps } = setup();
    await expect(client.send(new ListClustersCommand({}))).rejects.toThrow(SimulatorGapError);
    expect(gaps).toEqual(['ecs:ListClusters']);
  });

  it('covers every client createAwsClients makes, CodeDeploy included, and passes its exceptions through the SDK', async () => {
    const world = new CodeDeployWorld(
      recordingContext(),
      [
        {
          application: 'payments',
          deploymentGroup: 'payments-prod',
          revision: 'payments@r7',
          rolloutSeconds: 120,
          lostEvents: [],
        },
      ],
      new Map([['payments/payments-prod', 'payments']]),
      new Set(),
      () => undefined,
    );
    const mutating: MutatingCall[] = [];
    const installed: (keyof AwsClients)[] = [];
    const clients = createAwsClients({
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      configure: (client, name) => {
        installed.push(name as keyof AwsClients);
        installSimulator(
          client,
          name,
          { codedeploy: world.commands() },
          { counted: () => undefined, mutating: (call) => mutating.push(call), gap: () => undefined },
        );
      },
    });
    try {
      expect([...installed].sort()).toEqual(
        (Object.keys(clients) as (keyof AwsClients)[]).sort((a, b) => a.localeCompare(b)),
      );
      for (const name of installed) {
        expect(clients[name].middlewareStack.identify().join('\n')).toContain(SIMULATOR_MIDDLEWARE_NAME);
      }
      const group = { applicationName: 'payments', deploymentGroupName: 'payments-prod' };
      const { deploymentId } = await clients.codedeploy.send(
        new CreateDeploymentCommand({ ...group, revision: revisionLocation('payments@r8') }),
      );
      await expect(
        clients.codedeploy.send(
          new CreateDeploymentCommand({ ...group, revision: revisionLocation('payments@r9') }),
        ),
      ).rejects.toThrow(DeploymentLimitExceededException);
      await clients.codedeploy.send(new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }));
      const again = clients.codedeploy.send(
        new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }),
      );
      await expect(again).rejects.toBeInstanceOf(DeploymentAlreadyCompletedException);
      expect(mutating.map((c) => [c.api, c.target, c.error?.split(':')[0]])).toEqual([
        ['codedeploy:CreateDeployment', 'payments', undefined],
        ['codedeploy:CreateDeployment', 'payments', 'DeploymentLimitExceededException'],
        ['codedeploy:StopDeployment', 'payments', undefined],
        ['codedeploy:StopDeployment', 'payments', 'DeploymentAlreadyCompletedException'],
      ]);
    } finally {
      for (const name of installed) clients[name].destroy();
    }
  });
});

describe('installSimulator: scenario faults', () => {
  function withFaults(faults: { api: string; target?: string; error: string; message?: string }[]) {
    const mutating: MutatingCall[] = [];
    let runs = 0;
    const client = offlineEcsClient();
    installSimulator(
      client,
      'ecs',
      {
        ecs: {
          StopServiceDeployment: simCommand<{ serviceDeploymentArn?: string }>({
            target: (input) => input.serviceDeploymentArn,
            run: (input) => {
              runs += 1;
              return { serviceDeploymentArn: input.serviceDeploymentArn };
            },
          }),
        },
      },
      { counted: () => {}, mutating: (call) => mutating.push(call), gap: () => {} },
      faults,
    );
    return { client, mutating, runs: () => runs };
  }

  it('throws the named error for calls about the faulted target only, leaving the world unchanged', async () => {
    const sim = withFaults([
      {
        api: 'ecs:StopServiceDeployment',
        target: 'web',
        error: 'AccessDeniedException',
        message: 'not authorized',
      },
    ]);
    await expect(
      sim.client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: 'web' })),
    ).rejects.toMatchObject({ name: 'AccessDeniedException', message: 'not authorized', $fault: 'client' });
    await sim.client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: 'api' }));
    expect(sim.runs()).toBe(1);
    expect(sim.mutating.map((c) => [c.target, c.error])).toEqual([
      ['web', 'AccessDeniedException: not authorized'],
      ['api', undefined],
    ]);
  });

  it('faults every call of the API when it names no target', async () => {
    const sim = withFaults([{ api: 'ecs:StopServiceDeployment', error: 'ServerException' }]);
    await expect(
      sim.client.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: 'api' })),
    ).rejects.toMatchObject({ name: 'ServerException' });
    expect(sim.runs()).toBe(0);
  });
});
