import { AsyncLocalStorage } from 'node:async_hooks';
import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
} from '@smithy/types';
import type { AwsClientName, ConfigurableAwsClient } from '../../lambda/adapters/aws-clients';
import type { InvocationContext, WatchdogRuntime } from '../../lambda/handlers/runtime';
import { parseScenario } from '../../lambda/sim/scenario-schema';
import { simulate, type SimulationResult } from '../../lambda/sim/simulate';

/**
 * The fault matrix (issue: "exactly one rollback per incident under faults"). Each case runs a whole incident
 * through the real runtime (handlers, use cases, the real DynamoDB store on dynalite, the real ECS and
 * CodeDeploy adapters against the simulated account) with one fault injected at the SDK level into the first
 * attempt of the alarm handler: the SDK's own retries run for real, Lambda's retries follow (same request id,
 * after one and two minutes), then the reconcile sweep runs every five minutes. Whatever the fault, the
 * incident must end with exactly one effective rollback call, exactly one `rollback` decision and one
 * `rollback-started` message, no lease left and the target not paused.
 */

type Path =
  | 'ecs-in-progress'
  | 'ecs-completed'
  | 'ecs-linear-completed-fast-track'
  | 'codedeploy-in-progress'
  | 'codedeploy-completed';

interface PathSpec {
  readonly target: string;
  readonly rollbackApi: string;
  readonly knownGood: string;
  readonly scenario: unknown;
  /**
   * A fast-tracked rollback also changes the service's deployment configuration, with configuration-only
   * UpdateService calls that deploy nothing: only the calls that deploy count as rollback calls, and the
   * service's own configuration must be back at the end.
   */
  readonly fastTrack?: { readonly ownStrategy: string };
}

const START = '2026-03-01T10:00:00Z';
const ROLLBACK_APIS = [
  'ecs:StopServiceDeployment',
  'ecs:UpdateService',
  'codedeploy:StopDeployment',
  'codedeploy:CreateDeployment',
];

function ecsScenario(
  rolloutSeconds: number,
  alarmDelaySeconds: number,
  strategy: Record<string, unknown> = {},
): unknown {
  return {
    name: 'fault matrix: ecs',
    start: START,
    config: {
      defaults: { sweepIntervalMinutes: 5 },
      targets: [
        {
          id: 'checkout',
          type: 'ecs-service',
          cluster: 'prod',
          service: 'checkout',
          alarms: ['checkout-5xx'],
        },
      ],
    },
    world: {
      ecsServices: [
        { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41', rolloutSeconds, ...strategy },
      ],
      alarms: [{ name: 'checkout-5xx', watches: 'checkout', delaySeconds: alarmDelaySeconds }],
      badVersions: ['checkout:42'],
    },
    timeline: [
      { at: '+0s', deploy: { target: 'checkout', version: 'checkout:42' } },
      { at: '+55m', command: ['status', 'checkout'] },
    ],
    until: '+1h',
  };
}

function codeDeployScenario(rolloutSeconds: number, alarmDelaySeconds: number): unknown {
  return {
    name: 'fault matrix: codedeploy',
    start: START,
    config: {
      defaults: { sweepIntervalMinutes: 5 },
      targets: [
        {
          id: 'payments',
          type: 'codedeploy',
          application: 'payments',
          deploymentGroup: 'payments-prod',
          alarms: ['payments-errors'],
        },
      ],
    },
    world: {
      codeDeployGroups: [
        {
          application: 'payments',
          deploymentGroup: 'payments-prod',
          revision: 'payments@r7',
          rolloutSeconds,
        },
      ],
      alarms: [{ name: 'payments-errors', watches: 'payments', delaySeconds: alarmDelaySeconds }],
      badVersions: ['payments@r8'],
    },
    timeline: [
      { at: '+0s', deploy: { target: 'payments', version: 'payments@r8' } },
      { at: '+55m', command: ['status', 'payments'] },
    ],
    until: '+1h',
  };
}

const PATHS: Record<Path, PathSpec> = {
  'ecs-in-progress': {
    target: 'checkout',
    rollbackApi: 'ecs:StopServiceDeployment',
    knownGood: 'checkout:41',
    scenario: ecsScenario(300, 60),
  },
  'ecs-completed': {
    target: 'checkout',
    rollbackApi: 'ecs:UpdateService',
    knownGood: 'checkout:41',
    scenario: ecsScenario(30, 120),
  },
  // Two 50 % steps a minute apart and a 2-minute bake: completed at +3.5 min, the alarm fires at +5.5 min.
  'ecs-linear-completed-fast-track': {
    target: 'checkout',
    rollbackApi: 'ecs:UpdateService',
    knownGood: 'checkout:41',
    scenario: ecsScenario(30, 300, {
      strategy: 'LINEAR',
      bakeTimeInMinutes: 2,
      linear: { stepPercent: 50, stepBakeMinutes: 1 },
    }),
    fastTrack: { ownStrategy: 'LINEAR' },
  },
  'codedeploy-in-progress': {
    target: 'payments',
    rollbackApi: 'codedeploy:StopDeployment',
    knownGood: 'payments@r7',
    scenario: codeDeployScenario(600, 60),
  },
  'codedeploy-completed': {
    target: 'payments',
    rollbackApi: 'codedeploy:CreateDeployment',
    knownGood: 'payments@r7',
    scenario: codeDeployScenario(120, 300),
  },
};

/** The invocation an SDK call belongs to, so that a fault hits only the alarm handler's first attempt. */
interface Invocation {
  readonly handler: keyof WatchdogRuntime;
  readonly attempt: number;
  killed: boolean;
  kill(): void;
}

/** Calls as the faults see them: the SDK operation and its input, and whether to aim at this invocation. */
interface Call {
  readonly service: AwsClientName;
  readonly operation: string;
  readonly input: Record<string, unknown>;
}

type Next = () => Promise<{ output: MetadataBearer }>;

/**
 * A fault is a middleware body: it may call `next` (let the call happen), throw, or kill the invocation. It
 * runs at `initialize` (before the SDK's retries; the simulated services answer there) or, for DynamoDB, at
 * `deserialize` (inside the retry loop, around the real request to dynalite).
 */
interface Fault {
  readonly step: 'initialize' | 'deserialize';
  /** `hit` says the fault was injected: every case must inject its fault at least once. */
  run(call: Call, next: Next, inv: Invocation, hit: () => void): Promise<{ output: MetadataBearer }>;
}

const awsError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} (injected)`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1 },
    ...extra,
  });

/** A DynamoDB attribute as the call carries it: marshalled (`{ S: ... }`) below the document client, plain above. */
function attr(value: unknown): unknown {
  if (typeof value === 'object' && value !== null) {
    const v = value as { S?: unknown; M?: unknown };
    if (v.S !== undefined) return v.S;
    if (v.M !== undefined) return v.M;
  }
  return value;
}
const item = (c: Call) => attr(c.input.Item) as Record<string, unknown> | undefined;
const writes = (c: Call, prefix: string) =>
  c.service === 'dynamodb' && c.operation === 'PutItem' && String(attr(item(c)?.pk)).startsWith(prefix);
const isClaimWrite = (c: Call) => {
  const state = attr(item(c)?.state) as Record<string, unknown> | undefined;
  const rollback = attr(state?.rollback) as Record<string, unknown> | undefined;
  return writes(c, 'TARGET#') && rollback !== undefined && rollback.issued === undefined;
};
const isTargetWrite = (c: Call) => writes(c, 'TARGET#');
const isAuditWrite = (c: Call) => writes(c, 'AUDIT#');
const isRollbackCall = (c: Call) => ROLLBACK_APIS.includes(`${c.service}:${c.operation}`);
const isTargetRead = (c: Call) =>
  [
    'DescribeServices',
    'ListServiceDeployments',
    'GetDeploymentGroup',
    'ListDeployments',
    'BatchGetDeployments',
  ].includes(c.operation);

function once(): () => boolean {
  let used = false;
  return () => {
    if (used) return false;
    used = true;
    return true;
  };
}

/** The faults of the matrix, each aimed at the alarm handler's first attempt. */
const FAULTS: Record<string, () => Fault> = {
  'loading the state fails': () => ({
    step: 'initialize',
    run: async (c, next, _inv, hit) => {
      if (c.service !== 'dynamodb' || c.operation !== 'BatchGetItem') return next();
      hit();
      throw awsError('ProvisionedThroughputExceededException', 400);
    },
  }),
  'the claim write applies but its response is lost': () => {
    const first = once();
    return {
      step: 'deserialize',
      run: async (c, next, _inv, hit) => {
        if (!isClaimWrite(c) || !first()) return next();
        hit();
        await next(); // DynamoDB applied it...
        throw awsError('TimeoutError', 0); // ...but the answer never came back: the SDK retries
      },
    };
  },
  'the claim write fails after the SDK retries': () => ({
    step: 'deserialize',
    run: async (c, next, _inv, hit) => {
      if (!isClaimWrite(c)) return next();
      hit();
      throw awsError('InternalServerError', 500);
    },
  }),
  'the invocation is killed after the rollback call': () => ({
    step: 'initialize',
    run: async (c, next, inv, hit) => {
      if (!isRollbackCall(c)) return next();
      await next();
      hit();
      inv.kill();
      return new Promise(() => undefined);
    },
  }),
  'the rollback call is ambiguous and the re-read is throttled': () => {
    let called = false;
    return {
      step: 'initialize',
      run: async (c, next, _inv, hit) => {
        if (isRollbackCall(c) && !called) {
          called = true;
          await next(); // it went through, but the caller is told it timed out
          throw awsError('TimeoutError', 0);
        }
        if (called && isTargetRead(c)) {
          hit();
          throw awsError('ThrottlingException', 400);
        }
        return next();
      },
    };
  },
  'the rollback call is throttled and giving the claim back fails': () => {
    let refused = false;
    return {
      step: 'initialize',
      run: async (c, next, _inv, hit) => {
        if (isRollbackCall(c) && !refused) {
          refused = true;
          throw awsError('ThrottlingException', 400);
        }
        if (refused && isTargetWrite(c)) {
          hit();
          throw awsError('InternalServerError', 500);
        }
        return next();
      },
    };
  },
  'the audit write fails': () => ({
    step: 'initialize',
    run: async (c, next, _inv, hit) => {
      if (!isAuditWrite(c)) return next();
      hit();
      throw awsError('InternalServerError', 500);
    },
  }),
  'SNS fails': () => ({
    step: 'initialize',
    run: async (c, next, _inv, hit) => {
      if (c.service !== 'sns' || c.operation !== 'Publish') return next();
      hit();
      throw awsError('InternalErrorException', 500);
    },
  }),
};

/** Runs one path with one fault in the first attempt of the alarm handler. */
async function runWithFault(
  path: Path,
  makeFault: () => Fault,
): Promise<{ output: SimulationResult['output']; hits: number }> {
  const parsed = parseScenario(PATHS[path].scenario);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const fault = makeFault();
  let hits = 0;
  const hit = () => {
    hits += 1;
  };
  const als = new AsyncLocalStorage<Invocation>();
  const attempts = new Map<string, number>();

  const wrap =
    <A extends unknown[]>(handler: keyof WatchdogRuntime, fn: (...args: A) => Promise<unknown>) =>
    (...args: A): Promise<never> => {
      const context = args.find(
        (a): a is InvocationContext => typeof a === 'object' && a !== null && 'awsRequestId' in a,
      )!;
      const attempt = (attempts.get(context.awsRequestId) ?? 0) + 1;
      attempts.set(context.awsRequestId, attempt);
      let kill!: () => void;
      const killed = new Promise<never>((_resolve, reject) => {
        kill = () => reject(new Error('Task timed out after 30.00 seconds (injected)'));
      });
      const inv: Invocation = {
        handler,
        attempt,
        killed: false,
        kill: () => {
          inv.killed = true;
          kill();
        },
      };
      return als.run(inv, () => Promise.race([fn(...args), killed])) as Promise<never>;
    };

  const install = (client: ConfigurableAwsClient, service: AwsClientName) => {
    const body =
      (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) =>
      async (args: InitializeHandlerArguments<object>) => {
        const inv = als.getStore();
        // Whatever a killed invocation would still do never happens.
        if (inv?.killed) return new Promise<never>(() => undefined);
        const call: Call = {
          service,
          operation: (context.commandName ?? '').replace(/Command$/, ''),
          input: args.input as Record<string, unknown>,
        };
        const aimed = inv?.handler === 'onAlarm' && inv.attempt === 1;
        return aimed ? fault.run(call, () => next(args), inv, hit) : next(args);
      };
    // The same body fits both steps: it reads only the command's input and passes `args` on untouched.
    const options = { name: `fault-${fault.step}`, priority: 'high' as const };
    if (fault.step === 'initialize')
      client.middlewareStack.add(body as never, { ...options, step: 'initialize' });
    else client.middlewareStack.add(body as never, { ...options, step: 'deserialize' });
  };

  const { output } = await simulate(parsed.scenario, {
    configureClient: install,
    runtime: (rt) => ({
      onAlarm: wrap('onAlarm', rt.onAlarm.bind(rt)),
      onDeployment: wrap('onDeployment', rt.onDeployment.bind(rt)),
      onSweep: wrap('onSweep', rt.onSweep.bind(rt)),
      onOperator: wrap('onOperator', rt.onOperator.bind(rt)),
      onVersionEvent: wrap('onVersionEvent', rt.onVersionEvent.bind(rt)),
    }),
  });
  return { output, hits };
}

const cases = Object.keys(PATHS).flatMap((path) =>
  Object.keys(FAULTS).map((fault) => [path as Path, fault] as const),
);

/** A call that starts a deployment: any rollback call but a configuration-only UpdateService. */
function deploys(params: unknown): boolean {
  const p = params as { deploymentConfiguration?: unknown; taskDefinition?: unknown } | undefined;
  return p?.deploymentConfiguration === undefined || p.taskDefinition !== undefined;
}

function configurationOf(params: unknown): { strategy?: string } | undefined {
  return (params as { deploymentConfiguration?: { strategy?: string } } | undefined)?.deploymentConfiguration;
}

describe('fault matrix: one incident, one fault in the alarm handler, then Lambda retries and the sweep', () => {
  it.each(cases)('RELIABILITY #8 #11 #21 (D M) %s: %s', async (path, fault) => {
    const spec = PATHS[path];
    const { output: o, hits } = await runWithFault(path, FAULTS[fault]);
    expect(hits).toBeGreaterThan(0);

    expect(o.errors).toEqual([]);
    // Exactly one effective rollback call (a refused call, e.g. a ConflictException, does not count).
    const effective = o.calls.filter(
      (c) => ROLLBACK_APIS.includes(c.api) && c.error === undefined && deploys(c.params),
    );
    expect(effective.map((c) => c.api)).toEqual([spec.rollbackApi]);
    if (spec.fastTrack) {
      // The rollback ran on the fast track, and the service's own configuration was put back after it.
      const configured = o.calls.filter((c) => c.error === undefined && configurationOf(c.params));
      expect(configured.map((c) => configurationOf(c.params)?.strategy)).toEqual(
        expect.arrayContaining(['BLUE_GREEN']),
      );
      expect(configurationOf(configured.at(-1)?.params)?.strategy).toBe(spec.fastTrack.ownStrategy);
      expect(configured.at(-1)!.at >= effective[0].at).toBe(true);
    }
    // The audit holds exactly one rollback decision; the topic got exactly one rollback-started.
    expect(o.decisions.filter((d) => d.outcome === 'rollback').map((d) => [d.target, d.to])).toEqual([
      [spec.target, spec.knownGood],
    ]);
    expect(o.notifications.filter((n) => n.kind === 'rollback-started')).toHaveLength(1);
    expect(o.notifications.filter((n) => n.kind === 'rollback-failed')).toEqual([]);
    // The rollback completed: the known-good version serves, no lease is left, nothing is paused.
    expect(o.final[spec.target]).toBe(spec.knownGood);
    const status = o.commands.find((c) => c.command[0] === 'status');
    expect(status).toMatchObject({ ok: true });
    const row = (status as { result: { targets: Record<string, unknown>[] } }).result.targets[0];
    expect(row.rollback).toBeUndefined();
    expect(row.paused).toBeUndefined();
    expect(o.failureDestination).toEqual([]);
  });
});
