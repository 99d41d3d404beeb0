import {
  ConflictException,
  DescribeServicesCommand,
  ECSClient,
  ListClustersCommand,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { installSimulator, type MutatingCall } from '../../../lambda/sim/aws-middleware';
import { simCommand } from '../../../lambda/sim/sim-commands';
import { SimulatorGapError } from '../../../lambda/sim/world/world-context';

function setup() {
  const counted: [string, string][] = [];
  const mutating: MutatingCall[] = [];
  const gaps: string[] = [];
  // An endpoint nothing listens on: any request that left the process would fail.
  const client = new ECSClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });
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
});
