import { DEFAULT_MAX_EVENT_AGE_MINUTES, type RuntimeConfig } from '../../../lambda/contract';
import { MINUTE, transitionKey, type ActiveRollback, type LiveOk } from '../../../lambda/domain';
import { RetryableError } from '../../../lambda/use-cases/errors';
import { SWEEP_CONCURRENCY, sweep } from '../../../lambda/use-cases/sweep';
import {
  ecsTarget,
  liveCompleted,
  liveInProgress,
  SEC,
  seededState,
  T0,
  transition,
} from '../../support/domain-fixtures';
import { fakeDeps, FakeAlarmReader } from '../../support/fakes';

const config: RuntimeConfig = {
  schemaVersion: 1,
  account: '123456789012',
  region: 'us-east-1',
  maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
  sweepIntervalMinutes: 5,
  targets: [ecsTarget()],
};
const rollback: ActiveRollback = {
  decisionId: 'd-1',
  trigger: 'checkout-5xx',
  reason: 'alarm',
  from: 'checkout:42',
  to: 'checkout:41',
  action: 'redeploy',
  claimedAt: T0 + 5 * MINUTE,
  leaseUntil: T0 + 35 * MINUTE,
};
const completed42 = liveCompleted('checkout:42', T0, T0 + 2 * MINUTE);

function setup(live: LiveOk, at: number) {
  const deps = fakeDeps(live, at);
  const alarms = new FakeAlarmReader();
  return { ...deps, alarms, run: () => sweep({ ...deps, alarms }, config, `sweep-${at}`) };
}

describe('sweep', () => {
  it('completes the watchdog’s rollback whose completion event was lost (RELIABILITY #19)', async () => {
    const s = setup(liveCompleted('checkout:41', T0 + 5 * MINUTE, T0 + 7 * MINUTE), T0 + 10 * MINUTE);
    s.store.items.set(
      'checkout',
      seededState({ rollback, lastRollbackAt: rollback.claimedAt, rollbackTimes: [rollback.claimedAt] }),
    );
    await s.run();
    expect(s.store.items.get('checkout')?.rollback).toBeUndefined();
    expect(s.notifier.sent.map((n) => n.kind)).toEqual(['rollback-succeeded']);
    expect(s.deployer.actions()).toEqual([]);
  });

  it('extends the lease of a rollback the platform is still carrying out', async () => {
    const s = setup(liveInProgress('checkout:41', T0 + 5 * MINUTE, 'checkout:42'), T0 + 40 * MINUTE);
    s.store.items.set('checkout', seededState({ rollback }));
    await s.run();
    expect(s.store.items.get('checkout')?.rollback?.leaseUntil).toBeGreaterThan(T0 + 40 * MINUTE);
    expect(s.notifier.sent).toEqual([]);
  });

  it('fails and escalates a rollback whose lease expired with nothing under way (a crashed invocation)', async () => {
    const s = setup(completed42, T0 + 40 * MINUTE);
    s.store.items.set('checkout', seededState({ rollback }));
    await s.run();
    const state = s.store.items.get('checkout')!;
    expect(state.rollback).toBeUndefined();
    expect(state.paused).toMatchObject({ by: 'watchdog' });
    expect(s.notifier.sent.map((n) => [n.kind, n.severity])).toEqual([['rollback-failed', 'high']]);
  });

  it('acts once on an alarm still in ALARM whose event never arrived, then stays quiet', async () => {
    const since = T0 + 4 * MINUTE;
    const s = setup(completed42, T0 + 5 * MINUTE);
    s.store.items.set(
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
          ...seededState().ledger.slice(1),
        ],
      }),
    );
    s.alarms.snapshots = [
      {
        name: 'checkout-5xx',
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx',
        value: 'ALARM',
        since,
        reason: 'Threshold Crossed',
        reasonData: undefined,
      },
    ];

    const first = await s.run();
    expect(first.decisions).toEqual([
      expect.objectContaining({ outcome: 'rollback', to: 'checkout:41', trigger: 'checkout-5xx' }),
    ]);
    expect(s.deployer.actions()).toEqual([{ op: 'redeploy', target: 'checkout', arg: 'checkout:41' }]);

    s.clock.at += 5 * MINUTE;
    const audited = s.store.audit.length;
    const second = await s.run();
    expect(second.decisions).toEqual([]);
    expect(s.deployer.actions()).toHaveLength(1);
    expect(s.store.audit).toHaveLength(audited);
  });

  it('is a duplicate of the alarm event when that event did arrive (same dedupe key)', async () => {
    const since = T0 + 4 * MINUTE;
    const s = setup(completed42, T0 + 5 * MINUTE);
    const key = transitionKey(transition('ALARM', since));
    s.store.items.set('checkout', seededState({ handled: [{ key, at: since, decisionId: 'd-0' }] }));
    s.alarms.snapshots = [
      {
        name: 'checkout-5xx',
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx',
        value: 'ALARM',
        since,
        reason: '',
        reasonData: undefined,
      },
    ];
    const summary = await s.run();
    expect(summary.decisions).toEqual([]);
    expect(s.deployer.actions()).toEqual([]);
    expect(s.store.audit).toEqual([]);
  });

  it('does not read targets with nothing in flight and no alarm firing', async () => {
    const s = setup(completed42, T0 + 5 * MINUTE);
    s.store.items.set('checkout', seededState({ ledger: seededState().ledger.slice(1) }));
    const summary = await s.run();
    expect(summary.inspected).toEqual([]);
    expect(s.deployer.calls).toEqual([]);
    expect(s.alarms.calls).toBe(1);
  });

  it('checks the other targets when one fails, then fails so Lambda retries', async () => {
    const two = { ...config, targets: [ecsTarget({}, 'checkout'), ecsTarget({}, 'cart')] };
    const deps = fakeDeps(completed42, T0 + 40 * MINUTE);
    const alarms = new FakeAlarmReader();
    deps.store.items.set('checkout', seededState({ rollback }));
    deps.store.items.set('cart', { ...seededState({ rollback }), targetId: 'cart' });
    const inspect = deps.deployer.inspect.bind(deps.deployer);
    deps.deployer.inspect = async (t) =>
      t.id === 'checkout' ? Promise.reject(new RetryableError('throttled')) : inspect(t);
    await expect(sweep({ ...deps, alarms }, two, 'sweep-1')).rejects.toThrow(/checkout/);
    expect(deps.store.items.get('cart')?.rollback).toBeUndefined();
    expect(deps.store.items.get('checkout')?.rollback).toEqual(rollback);
  });

  it('ignores a stale firing alarm older than the allowed event age', async () => {
    const s = setup(completed42, T0 + 3 * 60 * MINUTE);
    s.store.items.set('checkout', seededState());
    s.alarms.snapshots = [
      {
        name: 'checkout-5xx',
        arn: 'arn:a',
        value: 'ALARM',
        since: T0 + 30 * SEC,
        reason: '',
        reasonData: undefined,
      },
    ];
    const summary = await s.run();
    expect(summary.decisions).toEqual([expect.objectContaining({ reason: 'stale' })]);
    expect(s.deployer.actions()).toEqual([]);
  });
});

it('still reconciles deployments when alarm states cannot be read, then fails so the problem surfaces', async () => {
  const deps = fakeDeps(liveCompleted('checkout:41', T0 + 5 * MINUTE, T0 + 7 * MINUTE), T0 + 10 * MINUTE);
  const alarms = new FakeAlarmReader();
  alarms.describe = async () => Promise.reject(new Error('AccessDenied: cloudwatch:DescribeAlarms'));
  deps.store.items.set('checkout', seededState({ rollback }));
  await expect(sweep({ ...deps, alarms }, config, 'sweep-1')).rejects.toThrow(/alarm states/);
  expect(deps.store.items.get('checkout')?.rollback).toBeUndefined();
  expect(deps.notifier.sent.map((n) => n.kind)).toEqual(['rollback-succeeded']);
});

describe('sweep: approvals and verification', () => {
  const pending = {
    decisionId: 'd-1',
    trigger: 'checkout-5xx',
    from: 'checkout:42',
    to: 'checkout:41',
    requestedAt: T0,
    expiresAt: T0 + 15 * MINUTE,
  };

  it('lets an unapproved rollback lapse under policy hold, and escalates', async () => {
    const cfg = { ...config, targets: [ecsTarget({ mode: 'approval', approvalTimeoutAction: 'hold' })] };
    const deps = fakeDeps(completed42, T0 + 20 * MINUTE);
    deps.store.items.set('checkout', seededState({ pendingApproval: pending }));
    const summary = await sweep({ ...deps, alarms: new FakeAlarmReader() }, cfg, 'sweep-1');
    expect(summary.decisions).toEqual([
      expect.objectContaining({ outcome: 'skip', reason: 'approval-expired' }),
    ]);
    expect(deps.deployer.actions()).toEqual([]);
    expect(deps.notifier.sent.map((n) => [n.kind, n.severity])).toEqual([['escalation', 'high']]);
    expect(deps.store.items.get('checkout')?.pendingApproval).toBeUndefined();
  });

  it('rolls back an unapproved rollback under policy rollback', async () => {
    const cfg = { ...config, targets: [ecsTarget({ mode: 'approval', approvalTimeoutAction: 'rollback' })] };
    const deps = fakeDeps(completed42, T0 + 20 * MINUTE);
    deps.store.items.set('checkout', seededState({ pendingApproval: pending }));
    const summary = await sweep({ ...deps, alarms: new FakeAlarmReader() }, cfg, 'sweep-1');
    expect(summary.decisions).toEqual([
      expect.objectContaining({ outcome: 'rollback', reason: 'approval-timeout', to: 'checkout:41' }),
    ]);
    expect(deps.deployer.actions()).toEqual([{ op: 'redeploy', target: 'checkout', arg: 'checkout:41' }]);
  });

  it('escalates and holds a target whose alarm is still in ALARM after the verification timeout (RELIABILITY #25)', async () => {
    const s = setup(liveCompleted('checkout:41', T0 + 5 * MINUTE, T0 + 7 * MINUTE), T0 + 30 * MINUTE);
    s.store.items.set(
      'checkout',
      seededState({
        verification: {
          decisionId: 'd-1',
          startedAt: T0 + 5 * MINUTE,
          trigger: 'checkout-5xx',
          from: 'checkout:42',
          to: 'checkout:41',
          completedAt: T0 + 7 * MINUTE,
          deadline: T0 + 22 * MINUTE,
        },
      }),
    );
    s.alarms.snapshots = [
      {
        name: 'checkout-5xx',
        arn: 'arn:a',
        value: 'ALARM',
        since: T0 + 4 * MINUTE,
        reason: '',
        reasonData: undefined,
      },
    ];
    await s.run();
    expect(s.store.items.get('checkout')?.paused).toMatchObject({ by: 'watchdog' });
    expect(s.notifier.sent.map((n) => [n.kind, n.severity])).toContainEqual(['escalation', 'high']);
    expect(s.deployer.actions()).toEqual([]);
  });
});

describe('sweep of a large fleet', () => {
  it(`checks at most SWEEP_CONCURRENCY (${SWEEP_CONCURRENCY}) targets at once, every one of them, in config order`, async () => {
    const targets = Array.from({ length: 12 }, (_, i) => ecsTarget({}, `svc-${i}`));
    const fleet: RuntimeConfig = { ...config, targets };
    const deps = fakeDeps(completed42, T0 + 10 * MINUTE);
    let inFlight = 0;
    let most = 0;
    const inspect = deps.deployer.inspect.bind(deps.deployer);
    deps.deployer.inspect = async (target) => {
      most = Math.max(most, ++inFlight);
      try {
        return await inspect(target);
      } finally {
        inFlight -= 1;
      }
    };
    // Every target has a rollback under way, so every one needs a look.
    for (const t of targets) deps.store.items.set(t.id, seededState({ targetId: t.id, rollback }));
    const alarms = new FakeAlarmReader();

    const summary = await sweep({ ...deps, alarms }, fleet, 'sweep-fleet');

    expect(most).toBe(SWEEP_CONCURRENCY);
    expect(summary.inspected).toEqual(targets.map((t) => t.id));
    expect(summary.failed).toEqual([]);
  });
});

describe('sweep: pauses given a duration (pause --for)', () => {
  const by = 'arn:aws:sts::123456789012:assumed-role/oncall/alice';
  const healthy = liveCompleted('checkout:41', T0 - 60 * MINUTE, T0 - 58 * MINUTE);

  it('leaves a pause alone until it ends, then lifts it, audits and announces the end once', async () => {
    const s = setup(healthy, T0 + 10 * MINUTE);
    const paused = { at: T0, by, reason: 'db migration', until: T0 + 30 * MINUTE };
    s.store.items.set(
      'checkout',
      seededState({ paused, handled: [{ key: 'k', at: T0 + 5 * MINUTE, decisionId: 'd' }] }),
    );
    await s.run();
    expect(s.store.items.get('checkout')?.paused).toEqual(paused);
    expect(s.notifier.sent).toEqual([]);

    s.clock.at = T0 + 30 * MINUTE;
    await s.run();
    await s.run();
    const state = s.store.items.get('checkout');
    expect(state?.paused).toBeUndefined();
    // The transitions decided while paused are forgotten, so a firing alarm is decided again.
    expect(state?.handled).toEqual([]);
    expect(s.notifier.sent.map((n) => [n.kind, n.target, n.context['by']])).toEqual([
      ['resumed', 'checkout', 'watchdog'],
    ]);
    expect(s.store.audit.filter((e) => e.type === 'operator')).toEqual([
      expect.objectContaining({ command: 'resume', by: 'watchdog', target: 'checkout' }),
    ]);
  });

  it('ends a whole-watchdog pause given a duration, and decides the alarm it held for real', async () => {
    const s = setup(liveInProgress('checkout:42', T0), T0 + 31 * MINUTE);
    s.store.globalPause = { at: T0, by, reason: 'game day', until: T0 + 30 * MINUTE };
    s.store.items.set(
      'checkout',
      seededState({ handled: [{ key: 'k', at: T0 + 2 * MINUTE, decisionId: 'd' }] }),
    );
    s.alarms.snapshots = [
      {
        name: 'checkout-5xx',
        arn: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:checkout-5xx',
        value: 'ALARM',
        reason: 'Threshold Crossed',
        since: T0 + 2 * MINUTE,
        reasonData: undefined,
      },
    ];
    await s.run();
    expect(s.store.globalPause).toBeUndefined();
    expect(s.notifier.sent.map((n) => [n.kind, n.target])).toEqual([
      ['resumed', '_watchdog'],
      ['rollback-started', 'checkout'],
    ]);
    expect(s.deployer.actions()).toHaveLength(1);
  });

  it('keeps a pause an operator set without a duration', async () => {
    const s = setup(healthy, T0 + 10 * 24 * 60 * MINUTE);
    s.store.items.set('checkout', seededState({ paused: { at: T0, by, reason: 'until further notice' } }));
    s.store.globalPause = { at: T0, by, reason: 'freeze' };
    await s.run();
    expect(s.store.items.get('checkout')?.paused).toBeDefined();
    expect(s.store.globalPause).toBeDefined();
    expect(s.notifier.sent).toEqual([]);
  });
});
