import { Readable } from 'node:stream';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AWS_CLIENT_DEFAULTS } from '../../lambda/adapters/aws-clients';
import { EcsDeployer } from '../../lambda/adapters/ecs-deployer';
import { parseWatchdogConfig } from '../../lambda/boundary/config-schema';
import { MINUTE, type LiveOk } from '../../lambda/domain';
import { RetryableError, TargetInvalidError } from '../../lambda/use-cases/errors';
import { handleAlarm } from '../../lambda/use-cases/handle-alarm';
import { handleDeployment } from '../../lambda/use-cases/handle-deployment';
import {
  ecsTarget,
  liveCompleted,
  liveInProgress,
  seededState,
  T0,
  transition,
} from '../support/domain-fixtures';
import { fakeDeps } from '../support/fakes';
import { deploymentEvent, runtimeConfig } from './support';

/**
 * Cases of layer U of the reliability checklist (docs/reliability.md, "The reliability checklist") not
 * already proven under that name elsewhere. SDK behaviour (#10, #11) is proven below the mocks: a custom
 * request handler answers the real ECSClient's HTTP requests, so the SDK's own retry middleware (standard
 * mode, three attempts, as createAwsClients configures it) runs.
 */

const SERVICE_DEPLOYMENT = 'arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/abc';

interface SeenRequest {
  readonly target: string | undefined;
}

/** Answers each HTTP request with the next scripted response: ECS's JSON 1.1 protocol. */
function scriptedEcs(responses: { status: number; body: unknown }[]) {
  const seen: SeenRequest[] = [];
  const requestHandler = {
    async handle(request: { headers: Record<string, string> }) {
      seen.push({ target: request.headers['x-amz-target'] });
      const next = responses.shift() ?? { status: 500, body: { __type: 'ServerException' } };
      return {
        response: {
          statusCode: next.status,
          reason: next.status === 200 ? 'OK' : 'Bad Request',
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-requestid': `req-${seen.length}`,
          },
          body: Readable.from([Buffer.from(JSON.stringify(next.body))]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  const client = new ECSClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    retryMode: AWS_CLIENT_DEFAULTS.retryMode,
    maxAttempts: AWS_CLIENT_DEFAULTS.maxAttempts,
    requestHandler,
  });
  return { client, seen };
}

const throttled = { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };

describe('RELIABILITY #10: ECS throttles twice, then succeeds', () => {
  it('RELIABILITY #10 (U): the SDK retries (standard, 3 attempts) and the stop is issued once', async () => {
    const { client, seen } = scriptedEcs([
      throttled,
      throttled,
      { status: 200, body: { serviceDeploymentArn: SERVICE_DEPLOYMENT } },
    ]);
    const deployer = new EcsDeployer({ client });

    const result = await deployer.stop(ecsTarget(), SERVICE_DEPLOYMENT);

    expect(result).toEqual({ status: 'issued', deploymentRef: SERVICE_DEPLOYMENT });
    expect(seen.map((r) => r.target)).toEqual(
      Array(3).fill('AmazonEC2ContainerServiceV20141113.StopServiceDeployment'),
    );
    client.destroy();
  });
});

describe('RELIABILITY #11: ECS throttles every attempt', () => {
  it('RELIABILITY #11 (U): after three attempts the adapter throws RetryableError, so the handler fails and Lambda retries', async () => {
    const { client, seen } = scriptedEcs([throttled, throttled, throttled, throttled]);
    const deployer = new EcsDeployer({ client });

    await expect(deployer.stop(ecsTarget(), SERVICE_DEPLOYMENT)).rejects.toThrow(RetryableError);

    expect(seen).toHaveLength(AWS_CLIENT_DEFAULTS.maxAttempts);
    client.destroy();
  });
});

describe('RELIABILITY #17: known-good version is the current one, inactive, or never baked', () => {
  const config = runtimeConfig();
  const now = T0 + 6 * MINUTE;
  const alarm = transition('ALARM', T0 + 5 * MINUTE);

  /**
   * A version replaced before its bake time ended never becomes known-good: the bake counts time served
   * (LedgerEntry.servedUntil), not time since completion.
   */
  it('RELIABILITY #17 (U): never baked (served 8 of its 10 bake minutes): no rollback, no-known-good plus an escalation', async () => {
    // A new service: checkout:41 is the first version the watchdog sees, while it deploys.
    const first: LiveOk = {
      kind: 'ok',
      currentVersion: 'checkout:41',
      latest: {
        id: 'ecs-svc/1',
        version: 'checkout:41',
        state: 'in-progress',
        startedAt: T0 - 10 * MINUTE,
      },
      previous: [],
      nativeRollback: false,
    };
    const deps = fakeDeps(first, T0 - 10 * MINUTE);
    const target = ecsTarget();
    await handleDeployment(deps, target, deploymentEvent('in-progress', T0 - 10 * MINUTE, 'ecs-svc/1'), 'e1');
    deps.clock.at = T0 - 8 * MINUTE;
    deps.deployer.live = liveCompleted('checkout:41', T0 - 10 * MINUTE, T0 - 8 * MINUTE);
    await handleDeployment(deps, target, deploymentEvent('completed', T0 - 8 * MINUTE, 'ecs-svc/1'), 'e2');
    // checkout:42 replaces it after 8 minutes of serving, and completes.
    deps.clock.at = T0;
    deps.deployer.live = liveInProgress('checkout:42', T0);
    await handleDeployment(deps, target, deploymentEvent('in-progress', T0, 'ecs-svc/2'), 'e3');
    deps.clock.at = T0 + 2 * MINUTE;
    deps.deployer.live = liveCompleted('checkout:42', T0, T0 + 2 * MINUTE);
    await handleDeployment(deps, target, deploymentEvent('completed', T0 + 2 * MINUTE, 'ecs-svc/2'), 'e4');

    deps.clock.at = now;
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'skip', reason: 'no-known-good', escalate: true });
    expect(deps.deployer.actions()).toEqual([]);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['escalation']);
  });

  it('RELIABILITY #17 (U): the only known-good version is the current one: no rollback, no-known-good plus an escalation', async () => {
    const deps = fakeDeps(liveCompleted('checkout:42', T0, T0 + 2 * MINUTE), now);
    deps.store.items.set(
      'checkout',
      seededState({
        ledger: [
          {
            version: 'checkout:42',
            status: 'completed',
            startedAt: T0,
            completedAt: T0 + 2 * MINUTE,
            deploymentId: 'ecs-svc/2',
          },
          {
            version: 'checkout:41',
            status: 'failed',
            startedAt: T0 - 10 * MINUTE,
            deploymentId: 'ecs-svc/1',
          },
        ],
      }),
    );
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'skip', reason: 'no-known-good', escalate: true });
    expect(deps.deployer.actions()).toEqual([]);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['escalation']);
  });

  it('RELIABILITY #17 (U): inactive known-good task definition: target-invalid plus an escalation, claim given back', async () => {
    const deps = fakeDeps(liveCompleted('checkout:42', T0, T0 + 2 * MINUTE), now);
    deps.store.items.set(
      'checkout',
      seededState({
        ledger: [
          {
            version: 'checkout:42',
            status: 'completed',
            startedAt: T0,
            completedAt: T0 + 2 * MINUTE,
            deploymentId: 'ecs-svc/2',
          },
          {
            version: 'checkout:41',
            status: 'completed',
            startedAt: T0 - 24 * 60 * MINUTE,
            completedAt: T0 - 24 * 60 * MINUTE + 2 * MINUTE,
            proven: true,
            deploymentId: 'ecs-svc/1',
          },
        ],
      }),
    );
    deps.deployer.redeployResults = [
      new TargetInvalidError('InvalidParameterException: TaskDefinition is inactive'),
    ];
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'skip', escalate: true });
    expect(d.reason).toBe('target-invalid');
    expect(deps.deployer.actions()).toHaveLength(1);
    expect(deps.store.items.get('checkout')?.rollback).toBeUndefined();
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['escalation']);
  });
});

describe('RELIABILITY #24: invalid config', () => {
  it('RELIABILITY #24 (U): one result listing every problem by JSON path', () => {
    const result = parseWatchdogConfig({
      targets: [
        {
          id: 'checkout',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'checkout',
          alarms: ['a'],
          colour: 'x',
        },
        { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'other', alarms: ['b'] },
        { id: 'payments', type: 'lambda', alarms: ['c'] },
        {
          id: 'search',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'search',
          alarms: ['d'],
          cooldownMinutes: -5,
        },
      ],
    });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    for (const path of [
      '$.targets[0].colour',
      '$.targets[1].id',
      '$.targets[2].type',
      '$.targets[3].cooldownMinutes',
    ]) {
      expect(problems).toContainEqual(
        expect.stringMatching(new RegExp(`^${path.replace(/[$.[\]]/g, '\\$&')}:`)),
      );
    }
  });
});
