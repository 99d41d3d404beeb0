import {
  applyDeploymentEvent,
  MINUTE,
  observedDeploymentEvent,
  settleExpiredLease,
  type ActiveRollback,
  type LiveOk,
} from '../../../lambda/domain';
import { ecsTarget, liveCompleted, liveInProgress, seededState, T0 } from '../../support/domain-fixtures';

const rollback: ActiveRollback = {
  decisionId: 'd-1',
  trigger: 'payments-errors',
  reason: 'alarm',
  from: 'payments@r8',
  to: 'payments@r7',
  action: 'stop',
  claimedAt: T0,
  leaseUntil: T0 + 30 * MINUTE,
};

describe('observedDeploymentEvent', () => {
  it('turns the newest deployment into the event that may have been lost', () => {
    expect(observedDeploymentEvent(liveCompleted('checkout:42', T0, T0 + 2 * MINUTE))).toEqual({
      deploymentId: 'ecs-svc/2',
      phase: 'completed',
      at: T0 + 2 * MINUTE,
      rollingBack: false,
      reason: 'observed by the reconcile sweep',
    });
    expect(observedDeploymentEvent({ kind: 'invalid', why: 'gone' })).toBeUndefined();
  });
});

describe('settleExpiredLease', () => {
  it('leaves a live lease alone', () => {
    const state = seededState({ rollback });
    expect(settleExpiredLease(state, liveCompleted('checkout:42', T0, T0), T0 + MINUTE).next).toBe(state);
  });

  it('extends the lease while the rollback deployment is still in progress', () => {
    const { next, effects } = settleExpiredLease(
      seededState({ rollback }),
      liveInProgress('payments@r7', T0),
      T0 + 31 * MINUTE,
    );
    expect(next.rollback?.leaseUntil).toBe(T0 + 61 * MINUTE);
    expect(effects).toEqual([]);
  });

  it('fails the rollback and holds the target when nothing is under way', () => {
    const { next, effects } = settleExpiredLease(
      seededState({ rollback }),
      liveCompleted('payments@r8', T0, T0),
      T0 + 31 * MINUTE,
    );
    expect(next.rollback).toBeUndefined();
    expect(next.paused?.by).toBe('watchdog');
    expect(effects).toEqual([
      expect.objectContaining({ kind: 'rollback-failed', why: expect.stringContaining('runs payments@r8') }),
    ]);
  });
});

describe('applyDeploymentEvent with CodeDeploy deployments', () => {
  const target = { ...ecsTarget(), id: 'payments' };
  const artifact = '{"revisionType":"GitHub","gitHubLocation":{"repository":"payments","commitId":"r7"}}';

  it('recognises CodeDeploy’s own rollback deployment as the end of a stop-with-rollback', () => {
    const live: LiveOk = {
      kind: 'ok',
      currentVersion: 'payments@r7',
      latest: {
        id: 'd-3',
        version: 'payments@r7',
        state: 'completed',
        startedAt: T0 + MINUTE,
        completedAt: T0 + 6 * MINUTE,
        isRollback: true,
        artifact,
      },
      previous: [],
      nativeRollback: false,
    };
    const { next, effects } = applyDeploymentEvent({
      now: T0 + 6 * MINUTE,
      target,
      state: seededState({ rollback }),
      live,
      event: {
        deploymentId: 'd-3',
        phase: 'completed',
        at: T0 + 6 * MINUTE,
        rollingBack: false,
        reason: 'CodeDeploy state SUCCESS',
      },
    });
    expect(effects.map((e) => e.kind)).toEqual(['rollback-succeeded']);
    expect(next.rollback).toBeUndefined();
  });

  it('treats a CodeDeploy rollback it did not start as the platform rolling back', () => {
    const live: LiveOk = {
      kind: 'ok',
      currentVersion: 'payments@r7',
      latest: {
        id: 'd-3',
        version: 'payments@r7',
        state: 'in-progress',
        startedAt: T0 + MINUTE,
        isRollback: true,
      },
      previous: [],
      nativeRollback: true,
    };
    const state = seededState({
      ledger: [
        { version: 'payments@r8', status: 'in-progress', startedAt: T0 },
        { version: 'payments@r7', status: 'completed', proven: true },
      ],
    });
    const { next, effects } = applyDeploymentEvent({
      now: T0 + MINUTE,
      target,
      state,
      live,
      event: {
        deploymentId: 'd-3',
        phase: 'in-progress',
        at: T0 + MINUTE,
        rollingBack: false,
        reason: 'CodeDeploy state START',
      },
    });
    expect(effects).toEqual([expect.objectContaining({ kind: 'native-rollback', version: 'payments@r8' })]);
    expect(next.ledger.find((e) => e.version === 'payments@r8')?.taintedAt).toBeDefined();
  });

  it('keeps the revision each version was deployed with', () => {
    const live: LiveOk = {
      kind: 'ok',
      currentVersion: 'payments@r8',
      latest: { id: 'd-2', version: 'payments@r8', state: 'in-progress', startedAt: T0 },
      previous: [
        {
          id: 'd-1',
          version: 'payments@r7',
          state: 'completed',
          startedAt: T0 - 86_400_000,
          completedAt: T0 - 86_000_000,
          artifact,
        },
      ],
      nativeRollback: false,
    };
    const { next } = applyDeploymentEvent({
      now: T0,
      target,
      state: { ...seededState(), seeded: false, ledger: [] },
      live,
      event: { deploymentId: 'd-2', phase: 'in-progress', at: T0, rollingBack: false, reason: '' },
    });
    expect(next.ledger.find((e) => e.version === 'payments@r7')).toMatchObject({ proven: true, artifact });
  });
});

describe('no-op detection (the sweep re-applies what it sees every few minutes)', () => {
  it('returns the very same state when a deployment event changes nothing', () => {
    const target = ecsTarget();
    const live = liveCompleted('checkout:42', T0, T0 + 2 * MINUTE);
    const event = observedDeploymentEvent(live)!;
    const once = applyDeploymentEvent({
      now: T0 + 3 * MINUTE,
      target,
      state: seededState(),
      live,
      event,
    }).next;
    const twice = applyDeploymentEvent({ now: T0 + 8 * MINUTE, target, state: once, live, event }).next;
    expect(twice).toBe(once);
  });

  it('records the version a rollback abandoned as failed, so nothing keeps waiting for it', () => {
    const target = ecsTarget();
    const live = liveCompleted('checkout:41', T0 + MINUTE, T0 + 3 * MINUTE);
    const state = seededState({ rollback: { ...rollback, from: 'checkout:42', to: 'checkout:41' } });
    const { next } = applyDeploymentEvent({
      now: T0 + 3 * MINUTE,
      target,
      state,
      live,
      event: observedDeploymentEvent(live)!,
    });
    expect(next.ledger.find((e) => e.version === 'checkout:42')?.status).toBe('failed');
    expect(next.ledger.some((e) => e.status === 'in-progress')).toBe(false);
  });
});
