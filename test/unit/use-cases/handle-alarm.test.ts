import { DEFAULT_MAX_EVENT_AGE_MINUTES, METRIC, type RuntimeConfig } from '../../../lambda/contract';
import { handleAlarm } from '../../../lambda/use-cases/handle-alarm';
import { RetryableError, TargetInvalidError } from '../../../lambda/use-cases/errors';
import { ecsTarget, liveInProgress, SEC, T0, transition } from '../../support/domain-fixtures';
import { fakeDeps } from '../../support/fakes';

const config: RuntimeConfig = {
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
  sweepIntervalMinutes: 5,
  targets: [ecsTarget()],
};
const alarm = transition('ALARM', T0 + 60 * SEC);
const now = T0 + 61 * SEC;

describe('handleAlarm', () => {
  it('claims, stops the bad in-progress deployment, audits and announces it', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);

    const [decision] = await handleAlarm(deps, config, alarm, 'req-1');

    expect(decision).toMatchObject({
      outcome: 'rollback',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
    });
    expect(deps.deployer.actions()).toEqual([
      { op: 'stop', target: 'checkout', arg: expect.stringContaining('service-deployment') },
    ]);
    expect(deps.store.items.get('checkout')?.rollback).toMatchObject({
      decisionId: decision.id,
      to: 'checkout:41',
    });
    expect(deps.store.decisions()).toEqual([
      expect.objectContaining({ id: decision.id, outcome: 'rollback' }),
    ]);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['rollback-started']);
    expect(deps.telemetry.total(METRIC.rollbacksStarted)).toBe(1);
  });

  it('acts once when the same event arrives again, and audits the repeat as duplicate', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    await handleAlarm(deps, config, alarm, 'req-1');
    const [again] = await handleAlarm(deps, config, alarm, 'req-2');
    expect(again).toMatchObject({ outcome: 'skip', reason: 'duplicate' });
    expect(deps.deployer.actions()).toHaveLength(1);
    expect(deps.store.decisions().map((d) => d.reason)).toEqual(['alarm', 'duplicate']);
  });

  it('acts once when three deliveries race (RELIABILITY #1)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    const results = await Promise.all(['a', 'b', 'c'].map((r) => handleAlarm(deps, config, alarm, r)));
    expect(
      results
        .flat()
        .map((d) => d.reason)
        .sort(),
    ).toEqual(['alarm', 'duplicate', 'duplicate']);
    expect(deps.deployer.actions()).toHaveLength(1);
    expect(deps.notifier.sent.filter((n) => n.kind === 'rollback-started')).toHaveLength(1);
  });

  it('acts once when two alarms of one service fire together (RELIABILITY #7)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    const p99 = transition('ALARM', T0 + 60 * SEC + 100, { alarmName: 'checkout-p99' });
    const results = await Promise.all([
      handleAlarm(deps, config, alarm, 'a'),
      handleAlarm(deps, config, p99, 'b'),
    ]);
    expect(
      results
        .flat()
        .map((d) => d.reason)
        .sort(),
    ).toEqual(['alarm', 'rollback-in-progress']);
    expect(deps.deployer.actions()).toHaveLength(1);
  });

  it('does not read the service for an OK transition', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    const [d] = await handleAlarm(deps, config, transition('OK', T0 + 60 * SEC), 'req-1');
    expect(d).toMatchObject({ reason: 'not-alarm-state' });
    expect(deps.deployer.calls).toEqual([]);
  });

  it('records one unknown-alarm decision for an alarm that guards no target', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    const decisions = await handleAlarm(
      deps,
      config,
      transition('ALARM', now, { alarmName: 'nobody-cares' }),
      'req-1',
    );
    expect(decisions).toEqual([
      expect.objectContaining({ outcome: 'skip', reason: 'unknown-alarm', target: '_unknown' }),
    ]);
    expect(deps.deployer.calls).toEqual([]);
    expect(deps.store.items.size).toBe(0);
  });

  it('yields one decision per target an alarm guards', async () => {
    const shared = {
      ...config,
      targets: [ecsTarget({}, 'checkout'), { ...ecsTarget({}, 'cart'), alarms: ['checkout-5xx'] }],
    };
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    const decisions = await handleAlarm(deps, shared, alarm, 'req-1');
    expect(decisions.map((d) => d.target).sort()).toEqual(['cart', 'checkout']);
  });

  it('redeploys the known-good version when the deployment finished just before the stop (RELIABILITY #13)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.deployer.stopResults = [{ status: 'already-finished', detail: 'ConflictException' }];
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'rollback', action: { kind: 'redeploy', version: 'checkout:41' } });
    expect(deps.deployer.actions().map((c) => c.op)).toEqual(['stop', 'redeploy']);
  });

  it('stands down and gives the claim back when the deployment was already rolling back', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.deployer.stopResults = [{ status: 'already-finished', detail: 'ConflictException' }];
    deps.deployer.nextLives = [{ ...liveInProgress('checkout:41', T0 + 50 * SEC), nativeRollback: true }];
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'skip', reason: 'native-rollback-in-progress' });
    const state = deps.store.items.get('checkout')!;
    expect(state.rollback).toBeUndefined();
    expect(state.lastRollbackAt).toBeUndefined();
    expect(deps.store.decisions()).toHaveLength(1);
  });

  it('records target-invalid, escalates and releases the claim when the service is gone (RELIABILITY #12)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.deployer.stopResults = [
      new TargetInvalidError('ServiceNotActiveException: service checkout is INACTIVE'),
    ];
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'skip', reason: 'target-invalid', escalate: true });
    expect(deps.notifier.sent.map((n) => [n.kind, n.severity])).toEqual([['escalation', 'high']]);
    expect(deps.store.items.get('checkout')?.rollback).toBeUndefined();
    expect(deps.deployer.actions()).toHaveLength(1);
  });

  it('keeps the claim, unissued, and throws on a transient failure, so the retry settles it and acts (RELIABILITY #11)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.deployer.stopResults = [new RetryableError('ThrottlingException')];
    await expect(handleAlarm(deps, config, alarm, 'req-1')).rejects.toThrow(RetryableError);
    const state = deps.store.items.get('checkout')!;
    // The claim stays (nobody else may act meanwhile), marked as abandoned by its invocation.
    expect(state.rollback).toMatchObject({ to: 'checkout:41', actingUntil: now });
    expect(state.rollback?.issued).toBeUndefined();
    expect(deps.store.decisions()).toEqual([]);

    // Lambda's retry (same request id) finds its own dedupe record and the unissued claim: nothing happened
    // on the service, so it acts now.
    const [retry] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(retry).toMatchObject({ reason: 'duplicate' });
    expect(deps.deployer.actions().map((c) => c.op)).toEqual(['stop', 'stop']);
    expect(deps.store.decisions().map((d) => [d.outcome, d.reason])).toEqual([['rollback', 'alarm']]);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['rollback-started']);
    expect(deps.store.items.get('checkout')?.rollback?.issued).toMatchObject({ action: 'stop' });
    expect(deps.store.items.get('checkout')?.outbox).toBeUndefined();
  });

  it('fails closed when the claim cannot be written (RELIABILITY #21)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.store.failNextSaves = 1;
    await expect(handleAlarm(deps, config, alarm, 'req-1')).rejects.toThrow('store unavailable');
    expect(deps.deployer.actions()).toEqual([]);
  });

  it('never blocks or repeats a rollback when the notification fails (RELIABILITY #9)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.notifier.failWith = new Error('SNS is down');
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'rollback' });
    expect(deps.telemetry.total(METRIC.notificationFailures)).toBe(1);
    await handleAlarm(deps, config, alarm, 'req-1-retry');
    expect(deps.deployer.actions()).toHaveLength(1);
  });

  it('dry-run decides and notifies but changes nothing', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    const [d] = await handleAlarm(
      deps,
      { ...config, targets: [ecsTarget({ mode: 'dry-run' })] },
      alarm,
      'req-1',
    );
    expect(d).toMatchObject({ outcome: 'dry-run', from: 'checkout:42', to: 'checkout:41' });
    expect(deps.deployer.actions()).toEqual([]);
    expect(deps.notifier.sent[0]?.title).toContain('Dry run');
  });
});

describe('handleAlarm: ambiguous and busy outcomes', () => {
  it('keeps the rollback when a transient error hid a call that went through (RELIABILITY #8)', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.deployer.stopResults = [new RetryableError('socket hang up after the request was sent')];
    deps.deployer.nextLives = [{ ...liveInProgress('checkout:41', T0 + 61 * SEC), nativeRollback: true }];
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(d).toMatchObject({ outcome: 'rollback', detail: expect.stringContaining('under way') });
    expect(deps.store.items.get('checkout')?.rollback).toBeDefined();
    await handleAlarm(deps, config, alarm, 'req-1');
    expect(deps.deployer.actions()).toHaveLength(1);
  });

  it('keeps the claim when it cannot tell whether the call went through; the retry reads again and acts once', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), now);
    deps.deployer.redeployResults = [new RetryableError('timeout')];
    const completed = {
      ...liveInProgress('checkout:42', T0),
      latest: {
        id: 'ecs-svc/2',
        version: 'checkout:42',
        state: 'completed' as const,
        startedAt: T0,
        completedAt: T0 + 30 * SEC,
      },
    };
    deps.deployer.live = completed;
    const inspect = deps.deployer.inspect.bind(deps.deployer);
    let calls = 0;
    deps.deployer.inspect = async (t) =>
      ++calls > 1 ? Promise.reject(new RetryableError('still throttled')) : inspect(t);
    await expect(handleAlarm(deps, config, alarm, 'req-1')).rejects.toThrow('timeout');
    expect(deps.store.items.get('checkout')?.rollback).toMatchObject({ to: 'checkout:41' });
    expect(deps.store.items.get('checkout')?.rollback?.issued).toBeUndefined();

    // The retry reads the service again: the redeploy is there (the timeout hid a call that went through).
    deps.deployer.inspect = inspect;
    deps.deployer.live = {
      ...completed,
      currentVersion: 'checkout:41',
      latest: { id: 'ecs-svc/3', version: 'checkout:41', state: 'in-progress', startedAt: now },
    };
    const [retry] = await handleAlarm(deps, config, alarm, 'req-1');
    expect(retry).toMatchObject({ reason: 'duplicate' });
    expect(deps.deployer.actions()).toEqual([{ op: 'redeploy', target: 'checkout', arg: 'checkout:41' }]);
    expect(deps.store.items.get('checkout')?.rollback?.issued).toBeDefined();
    expect(deps.store.decisions().map((d) => [d.outcome, d.reason])).toEqual([['rollback', 'alarm']]);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['rollback-started']);
  });

  it('a retry that finds an older deployment of the known-good version does not take it for the rollback', async () => {
    const completed = {
      ...liveInProgress('checkout:42', T0),
      latest: {
        id: 'ecs-svc/2',
        version: 'checkout:42',
        state: 'completed' as const,
        startedAt: T0,
        completedAt: T0 + 30 * SEC,
      },
    };
    const deps = fakeDeps(completed, now);
    deps.deployer.redeployResults = [new RetryableError('timeout')];
    const inspect = deps.deployer.inspect.bind(deps.deployer);
    let calls = 0;
    deps.deployer.inspect = async (t) =>
      ++calls === 2 ? Promise.reject(new RetryableError('still throttled')) : inspect(t);
    await expect(handleAlarm(deps, config, alarm, 'req-1')).rejects.toThrow('timeout');
    // The newest deployment the platform reports is of checkout:41, but it started long before the claim
    // (minus clock skew): history, not our rollback. The retry acts.
    deps.deployer.live = {
      ...completed,
      latest: {
        id: 'ecs-svc/1',
        version: 'checkout:41',
        state: 'in-progress',
        startedAt: now - 10 * 60 * SEC,
      },
    };
    await handleAlarm(deps, config, alarm, 'req-1');
    expect(deps.deployer.actions().map((c) => c.op)).toEqual(['redeploy', 'redeploy']);
  });

  it('stands down honestly and releases the claim when another deployment is already active (RELIABILITY #18)', async () => {
    const completed = {
      ...liveInProgress('checkout:42', T0),
      latest: {
        id: 'ecs-svc/2',
        version: 'checkout:42',
        state: 'completed' as const,
        startedAt: T0,
        completedAt: T0 + 30 * SEC,
      },
    };
    const deps = fakeDeps(completed, now);
    deps.deployer.redeployResults = [{ status: 'busy', detail: 'DeploymentLimitExceededException' }];
    const [d] = await handleAlarm(deps, config, alarm, 'req-1');
    // Not `alarm-predates-deploy`: the alarm fired after the release; another deployment simply got there first.
    expect(d).toMatchObject({ outcome: 'skip', reason: 'target-changed' });
    expect(deps.store.items.get('checkout')?.rollback).toBeUndefined();
    expect(deps.store.items.get('checkout')?.lastRollbackAt).toBeUndefined();
    expect(deps.deployer.actions()).toHaveLength(1);
  });

  it('redeploys the recorded artifact of the known-good version', async () => {
    const live = {
      ...liveInProgress('checkout:42', T0),
      latest: {
        id: 'd-2',
        version: 'checkout:42',
        state: 'completed' as const,
        startedAt: T0,
        completedAt: T0 + 30 * SEC,
      },
      previous: [
        {
          id: 'd-1',
          version: 'checkout:41',
          state: 'completed' as const,
          startedAt: T0 - 86_400_000,
          completedAt: T0 - 86_000_000,
          artifact: '{"revisionType":"GitHub"}',
        },
      ],
    };
    const deps = fakeDeps(live, now);
    const redeploy = jest.spyOn(deps.deployer, 'redeploy');
    await handleAlarm(deps, config, alarm, 'req-1');
    expect(redeploy).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'checkout' }),
      'checkout:41',
      '{"revisionType":"GitHub"}',
      // The decision id travels with the call, for platforms that record it (CodeDeploy's description).
      expect.stringMatching(/^[0-9a-f]{8}-/),
    );
  });
});
