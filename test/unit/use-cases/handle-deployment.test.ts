import { METRIC } from '../../../lambda/contract';
import type { DeploymentEvent, DeploymentPrincipal, LiveOk } from '../../../lambda/domain';
import { handleDeployment, handleDeploymentCall } from '../../../lambda/use-cases/handle-deployment';
import {
  ecsTarget,
  liveCompleted,
  liveInProgress,
  SEC,
  seededState,
  T0,
} from '../../support/domain-fixtures';
import { fakeDeps } from '../../support/fakes';

const target = ecsTarget();
const rollback = {
  decisionId: 'd-1',
  trigger: 'checkout-5xx',
  reason: 'alarm' as const,
  from: 'checkout:42',
  to: 'checkout:41',
  action: 'stop' as const,
  claimedAt: T0 + 61 * SEC,
  leaseUntil: T0 + 31 * 60 * SEC,
};
const event = (
  phase: DeploymentEvent['phase'],
  at: number,
  deploymentId = 'ecs-svc/3',
  reason = '',
): DeploymentEvent => ({ deploymentId, phase, at, rollingBack: /rolling back/i.test(reason), reason });
const rollingBackTo41: LiveOk = {
  kind: 'ok',
  currentVersion: 'checkout:41',
  latest: {
    id: 'ecs-svc/3',
    version: 'checkout:41',
    state: 'completed',
    startedAt: T0 + 61 * SEC,
    completedAt: T0 + 181 * SEC,
  },
  previous: [],
  nativeRollback: false,
};

describe('handleDeployment', () => {
  it('seeds the ledger the first time it sees the target: the serving version is known-good', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), T0);
    await handleDeployment(deps, target, event('in-progress', T0, 'ecs-svc/2'), 'req-1');
    const state = deps.store.items.get('checkout')!;
    expect(state.seeded).toBe(true);
    expect(state.ledger).toEqual([
      expect.objectContaining({ version: 'checkout:42', status: 'in-progress', deploymentId: 'ecs-svc/2' }),
      expect.objectContaining({ version: 'checkout:41', status: 'completed', proven: true }),
    ]);
  });

  it('records a completion with its time, so the version can bake', async () => {
    const deps = fakeDeps(liveCompleted('checkout:42', T0, T0 + 120 * SEC), T0 + 121 * SEC);
    deps.store.items.set('checkout', seededState());
    await handleDeployment(deps, target, event('completed', T0 + 120 * SEC, 'ecs-svc/2'), 'req-1');
    expect(deps.store.items.get('checkout')!.ledger[0]).toMatchObject({
      version: 'checkout:42',
      status: 'completed',
      completedAt: T0 + 120 * SEC,
    });
  });

  it('completes the watchdog’s own rollback and announces it, without acting again (RELIABILITY #16)', async () => {
    const deps = fakeDeps(rollingBackTo41, T0 + 182 * SEC);
    deps.store.items.set(
      'checkout',
      seededState({ rollback, lastRollbackAt: rollback.claimedAt, rollbackTimes: [rollback.claimedAt] }),
    );
    await handleDeployment(deps, target, event('completed', T0 + 181 * SEC), 'req-1');
    const state = deps.store.items.get('checkout')!;
    expect(state.rollback).toBeUndefined();
    expect(state.lastRollbackAt).toBe(rollback.claimedAt);
    expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['rollback-succeeded']);
    expect(deps.store.audit).toEqual([
      expect.objectContaining({ type: 'rollback-result', result: 'rollback-succeeded', decisionId: 'd-1' }),
    ]);
    expect(deps.deployer.actions()).toEqual([]);
    expect(deps.telemetry.total(METRIC.rollbacksSucceeded)).toBe(1);
  });

  it('treats the in-progress event of its own rollback as ours, not as a native rollback', async () => {
    const deps = fakeDeps(
      {
        ...rollingBackTo41,
        latest: { ...rollingBackTo41.latest!, state: 'in-progress' },
        nativeRollback: true,
      },
      T0 + 62 * SEC,
    );
    deps.store.items.set('checkout', seededState({ rollback }));
    await handleDeployment(
      deps,
      target,
      event('in-progress', T0 + 61 * SEC, 'ecs-svc/3', 'rolling back to deploymentId ecs-svc/1'),
      'req-1',
    );
    expect(deps.store.items.get('checkout')!.rollback).toEqual(rollback);
    expect(deps.notifier.sent).toEqual([]);
  });

  it('fails the rollback, pauses the target and says so loudly when the rollback deployment fails', async () => {
    const live: LiveOk = { ...rollingBackTo41, latest: { ...rollingBackTo41.latest!, state: 'failed' } };
    const deps = fakeDeps(live, T0 + 182 * SEC);
    deps.store.items.set('checkout', seededState({ rollback: { ...rollback, action: 'redeploy' } }));
    await handleDeployment(
      deps,
      target,
      event('failed', T0 + 181 * SEC, 'ecs-svc/3', 'tasks failed to start'),
      'req-1',
    );
    const state = deps.store.items.get('checkout')!;
    expect(state.rollback).toBeUndefined();
    expect(state.paused).toMatchObject({ by: 'watchdog' });
    expect(deps.notifier.sent.map((n) => [n.kind, n.severity])).toEqual([['rollback-failed', 'high']]);
  });

  it('taints the version the platform rolls back from (circuit breaker)', async () => {
    const live: LiveOk = { ...liveInProgress('checkout:41', T0 + 100 * SEC), nativeRollback: true };
    const deps = fakeDeps(live, T0 + 101 * SEC);
    deps.store.items.set('checkout', seededState());
    await handleDeployment(
      deps,
      target,
      event(
        'in-progress',
        T0 + 100 * SEC,
        'ecs-svc/2',
        'ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.',
      ),
      'req-1',
    );
    expect(
      deps.store.items.get('checkout')!.ledger.find((e) => e.version === 'checkout:42')?.taintedAt,
    ).toBeDefined();
  });

  it('writes nothing when the event changes nothing', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), T0 + SEC);
    await handleDeployment(deps, target, event('in-progress', T0, 'ecs-svc/2'), 'req-1');
    const saves = deps.store.saves;
    await handleDeployment(deps, target, event('in-progress', T0, 'ecs-svc/2'), 'req-2');
    expect(deps.store.saves).toBe(saves);
  });
});

describe('handleDeploymentCall (who deployed)', () => {
  const ALICE = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/alice';
  const BOB = 'arn:aws:sts::123456789012:assumed-role/release-pipeline/bob';
  const call = (principal: Partial<DeploymentPrincipal> = {}, key = 'cloudtrail|ev-1') => ({
    key,
    principal: { deploymentId: 'ecs-svc/2', version: 'checkout:42', by: ALICE, at: T0, ...principal },
  });
  const withoutDeployers = (ledger: readonly { deployedBy?: string }[]) =>
    ledger.map(({ deployedBy: _by, ...rest }) => rest);

  it('names who deployed the entry of its deployment, in place: nothing else changes, no live read', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), T0 + 30 * SEC);
    const before = seededState();
    deps.store.items.set('checkout', before);
    await handleDeploymentCall(deps, target, call(), 'req-1');
    const after = deps.store.items.get('checkout')!;
    expect(after.ledger.map((e) => [e.version, e.deployedBy])).toEqual([
      ['checkout:42', ALICE],
      ['checkout:41', undefined],
    ]);
    expect(withoutDeployers(after.ledger)).toEqual(before.ledger);
    expect(after.pendingPrincipals).toBeUndefined();
    expect(deps.deployer.calls).toEqual([]);
    expect(deps.notifier.sent).toEqual([]);
  });

  it('keeps a record that arrives before its deployment event waiting, and names the entry when it appears', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), T0 + 5 * SEC);
    deps.store.items.set('checkout', seededState({ ledger: [seededState().ledger[1]] }));
    await handleDeploymentCall(deps, target, call(), 'req-1');
    const waiting = deps.store.items.get('checkout')!;
    // No entry for checkout:42 yet: nothing in the ledger the engine would reason about.
    expect(waiting.ledger.map((e) => e.version)).toEqual(['checkout:41']);
    expect(waiting.pendingPrincipals).toEqual([call().principal]);

    await handleDeployment(deps, target, event('in-progress', T0, 'ecs-svc/2'), 'req-2');
    const named = deps.store.items.get('checkout')!;
    expect(named.ledger[0]).toMatchObject({
      version: 'checkout:42',
      status: 'in-progress',
      deployedBy: ALICE,
    });
    expect(named.pendingPrincipals).toBeUndefined();
  });

  it('changes nothing on a redelivery of the same record (its eventID), even after the entry moved on', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), T0 + 30 * SEC);
    deps.store.items.set('checkout', seededState());
    await handleDeploymentCall(deps, target, call(), 'req-1');
    const saves = deps.store.saves;
    const stored = deps.store.items.get('checkout');
    await handleDeploymentCall(deps, target, call({ by: BOB }), 'req-2');
    expect(deps.store.saves).toBe(saves);
    expect(deps.store.items.get('checkout')).toEqual(stored);
  });

  it('keeps the first principal of a deployment: a later call that touched it did not deploy it', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), T0 + 30 * SEC);
    deps.store.items.set('checkout', seededState());
    await handleDeploymentCall(deps, target, call(), 'req-1');
    await handleDeploymentCall(deps, target, call({ by: BOB }, 'cloudtrail|ev-2'), 'req-2');
    const state = deps.store.items.get('checkout')!;
    expect(state.ledger[0]?.deployedBy).toBe(ALICE);
    expect(state.pendingPrincipals).toBeUndefined();
  });

  it('names the new deployment of a version anew: an older name does not carry over', async () => {
    const deps = fakeDeps(
      {
        ...liveInProgress('checkout:42', T0 + 60 * SEC),
        latest: { ...liveInProgress('checkout:42', T0).latest!, id: 'ecs-svc/3' },
      },
      T0 + 61 * SEC,
    );
    deps.store.items.set('checkout', seededState());
    await handleDeploymentCall(deps, target, call(), 'req-1');
    await handleDeployment(deps, target, event('in-progress', T0 + 60 * SEC, 'ecs-svc/3'), 'req-2');
    expect(deps.store.items.get('checkout')!.ledger[0]).toMatchObject({ deploymentId: 'ecs-svc/3' });
    expect(deps.store.items.get('checkout')!.ledger[0]).not.toHaveProperty('deployedBy');
    await handleDeploymentCall(
      deps,
      target,
      call({ deploymentId: 'ecs-svc/3', by: BOB }, 'cloudtrail|ev-3'),
      'req-3',
    );
    expect(deps.store.items.get('checkout')!.ledger[0]?.deployedBy).toBe(BOB);
  });

  it('forgets a record whose deployment event never came within a day', async () => {
    const deps = fakeDeps(liveInProgress('checkout:42', T0), T0 + 5 * SEC);
    deps.store.items.set('checkout', seededState({ ledger: [seededState().ledger[1]] }));
    await handleDeploymentCall(
      deps,
      target,
      call({ deploymentId: 'ecs-svc/9', version: 'checkout:49' }),
      'req-1',
    );
    expect(deps.store.items.get('checkout')!.pendingPrincipals).toHaveLength(1);
    deps.clock.at = T0 + 25 * 60 * 60 * SEC;
    await handleDeployment(deps, target, event('in-progress', T0, 'ecs-svc/2'), 'req-2');
    expect(deps.store.items.get('checkout')!.pendingPrincipals).toBeUndefined();
  });
});
