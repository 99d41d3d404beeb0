import {
  ApplicationDoesNotExistException,
  BatchLimitExceededException,
  DeploymentAlreadyCompletedException,
  DeploymentDoesNotExistException,
  DeploymentGroupDoesNotExistException,
  CodeDeployClient,
  DeploymentLimitExceededException,
  RevisionDoesNotExistException,
} from '@aws-sdk/client-codedeploy';
import { CodeDeployDeployer } from '../../../lambda/adapters/codedeploy-deployer';
import { DEFAULT_POLICY } from '../../../lambda/contract';
import { installSimulator } from '../../../lambda/sim/aws-middleware';
import type { LosableCodeDeployState } from '../../../lambda/sim/scenario';
import { CodeDeployWorld, revisionLocation, splitRevisionLabel } from '../../../lambda/sim/world/codedeploy';
import { SimulatorGapError } from '../../../lambda/sim/world/world-context';
import { START_MS, minutes, recordingContext, seconds } from './support';

interface DeploymentOut {
  deploymentId: string;
  status: string;
  creator: string;
  revision: { revisionType: string; gitHubLocation: { repository: string; commitId: string } };
  previousRevision?: unknown;
  createTime: Date;
  completeTime?: Date;
  description?: string;
  rollbackInfo?: {
    rollbackDeploymentId?: string;
    rollbackTriggeringDeploymentId?: string;
    rollbackMessage?: string;
  };
}
interface LastOut {
  deploymentId: string;
  status: string;
  createTime: Date;
  endTime?: Date;
}

const GROUP = { applicationName: 'payments', deploymentGroupName: 'payments-prod' };
const r = (label: string) => revisionLocation(label);

function setup(
  options: {
    failing?: string[];
    lost?: LosableCodeDeployState[];
    rolloutSeconds?: number;
    unavailable?: string[];
  } = {},
) {
  const ctx = recordingContext();
  const serving: [string, string, boolean][] = [];
  const world = new CodeDeployWorld(
    ctx,
    [
      {
        application: 'payments',
        deploymentGroup: 'payments-prod',
        revision: 'payments@r7',
        rolloutSeconds: options.rolloutSeconds ?? 120,
        lostEvents: options.lost ?? [],
      },
    ],
    new Map([['payments/payments-prod', 'payments']]),
    new Set(options.failing ?? []),
    (target, version, settled) => serving.push([target, version, settled]),
    new Map(),
    new Set(options.unavailable ?? []),
  );
  const api = world.commands();
  const run = (op: string, input: Record<string, unknown>) => {
    const command = api[op];
    if (!command) throw new Error(`no ${op}`);
    return command.run(input);
  };
  const group = () =>
    run('GetDeploymentGroup', GROUP).deploymentGroupInfo as {
      lastSuccessfulDeployment?: LastOut;
      lastAttemptedDeployment?: LastOut;
      deploymentGroupId: string;
    };
  const list = (statuses?: string[]) =>
    run('ListDeployments', { ...GROUP, ...(statuses ? { includeOnlyStatuses: statuses } : {}) })
      .deployments as string[];
  const get = (...ids: string[]) =>
    run('BatchGetDeployments', { deploymentIds: ids }).deploymentsInfo as DeploymentOut[];
  const events = () =>
    ctx.emitted.map((e) => [e.at - START_MS, e.event.detail.state, e.event.detail.deploymentId]);
  return { ctx, world, run, group, list, get, events, serving };
}

const ACTIVE = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

describe('revision labels', () => {
  it('split at the last "@" into a GitHub revision, and refuse labels with an empty part', () => {
    expect(splitRevisionLabel('payments@r7')).toEqual({ repository: 'payments', commitId: 'r7' });
    expect(splitRevisionLabel('org/app@v1@abc123')).toEqual({ repository: 'org/app@v1', commitId: 'abc123' });
    expect(revisionLocation('payments@r7')).toEqual({
      revisionType: 'GitHub',
      gitHubLocation: { repository: 'payments', commitId: 'r7' },
    });
    for (const bad of ['payments', '@r7', 'payments@', '']) expect(splitRevisionLabel(bad)).toBeUndefined();
  });
});

describe('CodeDeployWorld', () => {
  it('starts each group on its revision, whose deployment succeeded a day before the scenario', () => {
    const { group, list, get, world } = setup();
    const info = group();
    expect(info.lastSuccessfulDeployment).toEqual({
      deploymentId: expect.stringMatching(/^d-[A-Z0-9]{9}$/),
      status: 'Succeeded',
      createTime: new Date(START_MS - minutes(24 * 60) - seconds(120)),
      endTime: new Date(START_MS - minutes(24 * 60)),
    });
    expect(info.lastAttemptedDeployment).toEqual(info.lastSuccessfulDeployment);
    expect(list(ACTIVE)).toEqual([]);
    const [initial] = get(info.lastSuccessfulDeployment?.deploymentId ?? '');
    expect(initial).toEqual(
      expect.objectContaining({ status: 'Succeeded', creator: 'user', revision: r('payments@r7') }),
    );
    expect(world.versionOf('payments')).toBe('payments@r7');
  });

  it('deploys: START at once (the new revision serves), SUCCESS after rolloutSeconds', async () => {
    const { ctx, world, group, list, get, events, serving } = setup();
    world.release('payments', 'payments-prod', 'payments@r8');

    const [active] = list(ACTIVE);
    expect(active).toMatch(/^d-[A-Z0-9]{9}$/);
    expect(world.versionOf('payments')).toBe('payments@r8');
    expect(get(active)[0]).toEqual(
      expect.objectContaining({
        deploymentId: active,
        status: 'InProgress',
        creator: 'user',
        revision: r('payments@r8'),
        previousRevision: r('payments@r7'),
        createTime: new Date(START_MS),
      }),
    );
    expect(get(active)[0]?.completeTime).toBeUndefined();
    expect(group().lastAttemptedDeployment).toEqual({
      deploymentId: active,
      status: 'InProgress',
      createTime: new Date(START_MS),
    });

    await ctx.clock.runUntil(START_MS + minutes(10));
    expect(get(active)[0]).toEqual(
      expect.objectContaining({ status: 'Succeeded', completeTime: new Date(START_MS + seconds(120)) }),
    );
    expect(group().lastSuccessfulDeployment?.deploymentId).toBe(active);
    expect(list(ACTIVE)).toEqual([]);
    expect(list()).toHaveLength(2);
    expect(list()[0]).toBe(active);
    expect(events()).toEqual([
      [0, 'START', active],
      [seconds(120), 'SUCCESS', active],
    ]);
    expect(serving).toEqual([
      ['payments', 'payments@r8', false],
      ['payments', 'payments@r8', true],
    ]);
  });

  it('emits CodeDeploy Deployment State-change Notifications of the simulated account', () => {
    const { ctx, world, group } = setup();
    world.release('payments', 'payments-prod', 'payments@r8');
    expect(ctx.emitted[0]?.event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'CodeDeploy Deployment State-change Notification',
      source: 'aws.codedeploy',
      account: '123456789012',
      time: '2026-03-01T10:00:00Z',
      region: 'us-east-1',
      resources: [
        'arn:aws:codedeploy:us-east-1:123456789012:application:payments',
        'arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:payments/payments-prod',
      ],
      detail: {
        instanceGroupId: group().deploymentGroupId,
        region: 'us-east-1',
        application: 'payments',
        deploymentId: expect.stringMatching(/^d-[A-Z0-9]{9}$/),
        state: 'START',
        deploymentGroup: 'payments-prod',
      },
    });
    expect(ctx.emitted[0]?.deliveries).toBe(1);
  });

  it('StopDeployment(autoRollbackEnabled): STOP, then CodeDeploy rolls back to the previous revision', async () => {
    const { ctx, world, run, list, get, events, serving } = setup({ rolloutSeconds: 300 });
    world.release('payments', 'payments-prod', 'payments@r8');
    await ctx.clock.runUntil(START_MS + seconds(60));
    const [bad] = list(ACTIVE);

    expect(run('StopDeployment', { deploymentId: bad, autoRollbackEnabled: true })).toEqual({
      status: 'Succeeded',
      statusMessage: `Deployment ${bad} was stopped.`,
    });
    const [rollback] = list(ACTIVE);
    expect(rollback).not.toBe(bad);
    expect(world.versionOf('payments')).toBe('payments@r7');
    const [stopped, restoring] = get(bad, rollback);
    expect(stopped).toEqual(
      expect.objectContaining({
        status: 'Stopped',
        completeTime: new Date(START_MS + seconds(60)),
        rollbackInfo: expect.objectContaining({ rollbackDeploymentId: rollback }),
      }),
    );
    expect(restoring).toEqual(
      expect.objectContaining({
        status: 'InProgress',
        creator: 'codeDeployRollback',
        revision: r('payments@r7'),
        rollbackInfo: expect.objectContaining({ rollbackTriggeringDeploymentId: bad }),
      }),
    );

    await ctx.clock.runUntil(START_MS + minutes(20));
    expect(get(rollback)[0]?.status).toBe('Succeeded');
    expect(get(bad)[0]?.status).toBe('Stopped');
    expect(events()).toEqual([
      [0, 'START', bad],
      [seconds(60), 'STOP', bad],
      [seconds(60), 'START', rollback],
      [seconds(360), 'SUCCESS', rollback],
    ]);
    expect(serving.at(-1)).toEqual(['payments', 'payments@r7', true]);
  });

  it('StopDeployment on a finished deployment fails with DeploymentAlreadyCompletedException', async () => {
    const { ctx, world, run, list } = setup();
    world.release('payments', 'payments-prod', 'payments@r8');
    const [deployment] = list(ACTIVE);
    await ctx.clock.runUntil(START_MS + minutes(5));
    let caught: unknown;
    try {
      run('StopDeployment', { deploymentId: deployment, autoRollbackEnabled: true });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DeploymentAlreadyCompletedException);
    expect((caught as Error).name).toBe('DeploymentAlreadyCompletedException');
    expect((caught as Error).message).toBe(`The deployment ${deployment} has already completed (Succeeded).`);
    expect(() => run('StopDeployment', { deploymentId: 'd-NOTEXIST0', autoRollbackEnabled: true })).toThrow(
      DeploymentDoesNotExistException,
    );
  });

  it('CreateDeployment deploys a GitHub revision, and is refused while another deployment is active', async () => {
    const { ctx, world, run, get, events } = setup();
    world.release('payments', 'payments-prod', 'payments@r8');
    expect(() => run('CreateDeployment', { ...GROUP, revision: r('payments@r7') })).toThrow(
      DeploymentLimitExceededException,
    );
    await ctx.clock.runUntil(START_MS + minutes(5));

    const out = run('CreateDeployment', {
      ...GROUP,
      revision: r('payments@r7'),
      description: 'roll back',
    }) as { deploymentId: string };
    expect(out.deploymentId).toMatch(/^d-[A-Z0-9]{9}$/);
    expect(world.versionOf('payments')).toBe('payments@r7');
    expect(get(out.deploymentId)[0]).toEqual(
      expect.objectContaining({
        status: 'InProgress',
        creator: 'user',
        description: 'roll back',
        revision: r('payments@r7'),
        previousRevision: r('payments@r8'),
      }),
    );
    await ctx.clock.runUntil(START_MS + minutes(10));
    expect(events().slice(2)).toEqual([
      [minutes(5), 'START', out.deploymentId],
      [minutes(5) + seconds(120), 'SUCCESS', out.deploymentId],
    ]);
  });

  it('refuses a timeline release while a deployment is active, and says so in the timeline', () => {
    const { ctx, world, list } = setup();
    world.release('payments', 'payments-prod', 'payments@r8');
    world.release('payments', 'payments-prod', 'payments@r9');
    expect(list()).toHaveLength(2);
    expect(world.versionOf('payments')).toBe('payments@r8');
    expect(ctx.notes.at(-1)?.text).toMatch(
      /^payments: release payments@r9 refused: d-[A-Z0-9]{9} \(payments@r8\) is still active \(DeploymentLimitExceededException\)$/,
    );
  });

  it('a failing revision fails after rolloutSeconds and CodeDeploy rolls back to the previous revision', async () => {
    const { ctx, world, list, get, events, serving } = setup({ failing: ['payments@r8'] });
    world.release('payments', 'payments-prod', 'payments@r8');
    const [bad] = list(ACTIVE);
    await ctx.clock.runUntil(START_MS + seconds(120));
    const [rollback] = list(ACTIVE);
    expect(world.versionOf('payments')).toBe('payments@r7');
    expect(get(bad)[0]).toEqual(
      expect.objectContaining({
        status: 'Failed',
        rollbackInfo: expect.objectContaining({ rollbackDeploymentId: rollback }),
      }),
    );
    expect(get(rollback)[0]?.creator).toBe('codeDeployRollback');

    await ctx.clock.runUntil(START_MS + minutes(10));
    expect(events()).toEqual([
      [0, 'START', bad],
      [seconds(120), 'FAILURE', bad],
      [seconds(120), 'START', rollback],
      [seconds(240), 'SUCCESS', rollback],
    ]);
    expect(serving).toEqual([
      ['payments', 'payments@r8', false],
      ['payments', 'payments@r7', false],
      ['payments', 'payments@r7', true],
    ]);
  });

  it('never rolls back a failing rollback: the group is left on that revision', async () => {
    const { ctx, world, run, list, events } = setup({ failing: ['payments@r7'] });
    world.release('payments', 'payments-prod', 'payments@r8');
    const [bad] = list(ACTIVE);
    run('StopDeployment', { deploymentId: bad, autoRollbackEnabled: true });
    await ctx.clock.runUntil(START_MS + minutes(10));
    expect(events().map((e) => e[1])).toEqual(['START', 'STOP', 'START', 'FAILURE']);
    expect(list(ACTIVE)).toEqual([]);
    expect(world.versionOf('payments')).toBe('payments@r7');
  });

  it('loses the events of the states in lostEvents, says so, and still changes the world', async () => {
    const { ctx, world, group, events, serving } = setup({ lost: ['SUCCESS'] });
    world.release('payments', 'payments-prod', 'payments@r8');
    await ctx.clock.runUntil(START_MS + minutes(5));
    const deployment = group().lastSuccessfulDeployment?.deploymentId;
    expect(events()).toEqual([[0, 'START', deployment]]);
    expect(serving.at(-1)).toEqual(['payments', 'payments@r8', true]);
    expect(ctx.notes.map((n) => [n.at - START_MS, n.kind, n.text])).toEqual([
      [0, 'deploy', `payments: release payments@r7 → payments@r8 (${deployment})`],
      [seconds(120), 'codedeploy', `payments: ${deployment} (payments@r8) succeeded`],
      [
        seconds(120),
        'lost',
        `payments: event lost: SUCCESS of ${deployment} (payments@r8) is never delivered`,
      ],
    ]);
  });

  it('gives the same deployment ids on every run', () => {
    const ids = () => {
      const { world, list } = setup();
      world.release('payments', 'payments-prod', 'payments@r8');
      return list();
    };
    expect(ids()).toEqual(ids());
    expect(new Set(ids()).size).toBe(2);
  });

  it('answers for missing applications, groups and oversized batches as CodeDeploy does', () => {
    const { run, get } = setup();
    expect(() => run('GetDeploymentGroup', { applicationName: 'orders', deploymentGroupName: 'x' })).toThrow(
      ApplicationDoesNotExistException,
    );
    expect(() => run('ListDeployments', { applicationName: 'payments', deploymentGroupName: 'x' })).toThrow(
      DeploymentGroupDoesNotExistException,
    );
    expect(() =>
      run('BatchGetDeployments', { deploymentIds: Array.from({ length: 26 }, (_, i) => `d-${i}`) }),
    ).toThrow(BatchLimitExceededException);
    expect(get('d-UNKNOWN00')).toEqual([]);
  });

  it('refuses what it does not model instead of guessing', () => {
    const { run } = setup();
    const s3 = { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k.zip', bundleType: 'zip' } };
    expect(() => run('CreateDeployment', { ...GROUP, revision: s3 })).toThrow(SimulatorGapError);
    expect(() =>
      run('CreateDeployment', { ...GROUP, revision: r('payments@r8'), deploymentConfigName: 'x' }),
    ).toThrow(SimulatorGapError);
  });

  it('StopDeployment without automatic rollback stops it and leaves the revision serving until the next deployment', () => {
    const { world, run, list, serving } = setup();
    world.release('payments', 'payments-prod', 'payments@r8');
    const [active] = list(ACTIVE);
    expect(run('StopDeployment', { deploymentId: active, autoRollbackEnabled: false })).toMatchObject({
      status: 'Succeeded',
    });
    expect(list(ACTIVE)).toEqual([]);
    const [stopped] = (
      run('BatchGetDeployments', { deploymentIds: [active] }) as { deploymentsInfo: DeploymentOut[] }
    ).deploymentsInfo;
    expect(stopped).toMatchObject({ status: 'Stopped', creator: 'user' });
    expect(world.versionOf('payments')).toBe('payments@r8');
    // No rollback deployment of CodeDeploy's own: the next deployment is the caller's.
    run('CreateDeployment', { ...GROUP, revision: r('payments@r7') });
    expect(world.versionOf('payments')).toBe('payments@r7');
    expect(serving.at(-1)).toEqual(['payments', 'payments@r7', false]);
  });

  describe('unavailableVersions', () => {
    const revisionOf =
      (run: (op: string, input: Record<string, unknown>) => Record<string, unknown>) => (label: string) =>
        run('GetApplicationRevision', { applicationName: 'payments', revision: r(label) });

    it('GetApplicationRevision answers for revisions the application deployed, and reports the rest gone', async () => {
      const { ctx, world, run } = setup({ unavailable: ['payments@r6'] });
      const getRevision = revisionOf(run);
      world.release('payments', 'payments-prod', 'payments@r8');
      await ctx.clock.runUntil(START_MS + minutes(10));

      expect(getRevision('payments@r8')).toEqual({
        applicationName: 'payments',
        revision: r('payments@r8'),
        revisionInfo: {
          registerTime: new Date(START_MS),
          firstUsedTime: new Date(START_MS),
          lastUsedTime: new Date(START_MS),
          deploymentGroups: ['payments-prod'],
        },
      });
      expect(() => getRevision('payments@r6')).toThrow(RevisionDoesNotExistException);
      // Never deployed: never registered.
      expect(() => getRevision('payments@r9')).toThrow(RevisionDoesNotExistException);
      expect(() =>
        run('GetApplicationRevision', { applicationName: 'billing', revision: r('payments@r8') }),
      ).toThrow(ApplicationDoesNotExistException);
      expect(() =>
        run('GetApplicationRevision', {
          applicationName: 'payments',
          revision: { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k' } },
        }),
      ).toThrow(SimulatorGapError);
    });

    it('reports an unavailable version gone even while it serves, having deployed it for the timeline', async () => {
      const { ctx, world, run, list, get } = setup({ unavailable: ['payments@r7', 'payments@r8'] });
      world.release('payments', 'payments-prod', 'payments@r8');
      await ctx.clock.runUntil(START_MS + minutes(10));

      expect(get(list()[0] ?? '')[0]?.status).toBe('Succeeded');
      expect(world.versionOf('payments')).toBe('payments@r8');
      expect(() => revisionOf(run)('payments@r8')).toThrow(RevisionDoesNotExistException);
      expect(() => revisionOf(run)('payments@r7')).toThrow(RevisionDoesNotExistException);
    });

    it('fails the watchdog’s CreateDeployment of one after rolloutSeconds, and CodeDeploy restores what served', async () => {
      const { ctx, world, run, list, get, events, serving } = setup({ unavailable: ['payments@r7'] });
      world.release('payments', 'payments-prod', 'payments@r8');
      await ctx.clock.runUntil(START_MS + minutes(10));
      serving.length = 0;

      const { deploymentId } = run('CreateDeployment', { ...GROUP, revision: r('payments@r7') }) as {
        deploymentId: string;
      };
      await ctx.clock.runUntil(START_MS + minutes(10) + seconds(119));
      expect(get(deploymentId)[0]?.status).toBe('InProgress');
      await ctx.clock.runUntil(START_MS + minutes(30));

      expect(get(deploymentId)[0]).toEqual(
        expect.objectContaining({
          status: 'Failed',
          completeTime: new Date(START_MS + minutes(10) + seconds(120)),
          errorInformation: expect.objectContaining({
            message: expect.stringContaining('could not be downloaded'),
          }),
        }),
      );
      const [rollback] = list();
      expect(get(rollback ?? '')[0]).toEqual(
        expect.objectContaining({
          creator: 'codeDeployRollback',
          revision: r('payments@r8'),
          status: 'Succeeded',
        }),
      );
      expect(world.versionOf('payments')).toBe('payments@r8');
      expect(
        events()
          .slice(-3)
          .map((e) => e[1]),
      ).toEqual(['FAILURE', 'START', 'SUCCESS']);
      expect(serving.at(-1)).toEqual(['payments', 'payments@r8', true]);
    });

    it('answers the CodeDeploy deployer’s viability check through the SDK', async () => {
      const { world, ctx } = setup({ unavailable: ['payments@r7'] });
      world.release('payments', 'payments-prod', 'payments@r8');
      await ctx.clock.runUntil(START_MS + minutes(10));
      const client = new CodeDeployClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:9',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 1,
      });
      installSimulator(
        client,
        'codedeploy',
        { codedeploy: world.commands() },
        { counted: () => undefined, mutating: () => undefined, gap: () => undefined },
      );
      const deployer = new CodeDeployDeployer({ client });
      const target = {
        id: 'payments',
        type: 'codedeploy' as const,
        application: 'payments',
        deploymentGroup: 'payments-prod',
        alarms: [],
        policy: DEFAULT_POLICY,
      };
      const check = (label: string) =>
        deployer.viability(target, label, { artifact: JSON.stringify(r(label)) });

      expect((await check('payments@r8')).runnable).toBe(true);
      expect(await check('payments@r7')).toMatchObject({
        runnable: false,
        missing: [
          'revision payments@r7 is no longer registered with application payments: CodeDeploy no longer knows it',
        ],
      });
    });
  });
});
