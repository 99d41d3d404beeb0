import { DEFAULT_MAX_EVENT_AGE_MINUTES, METRIC, type RuntimeConfig } from '../../../lambda/contract';
import { MINUTE, type LiveOk, type RedeployPlan } from '../../../lambda/domain';
import { RetryableError } from '../../../lambda/use-cases/errors';
import { handleAlarm } from '../../../lambda/use-cases/handle-alarm';
import { handleDeployment } from '../../../lambda/use-cases/handle-deployment';
import { handleOperator } from '../../../lambda/use-cases/operator';
import { sweep } from '../../../lambda/use-cases/sweep';
import { ecsTarget, liveCompleted, provenEntry, T0, transition } from '../../support/domain-fixtures';
import { fakeDeps, FakeAlarmReader } from '../../support/fakes';

/**
 * A rollback of a completed release on an ECS service whose strategy replays steps and bakes: fast-tracked by
 * default, with the service's own settings owed back from the claim on and restored once the rollback has ended,
 * by whoever sees the end (the deployment event, a decline, the sweep after a crash).
 */
const LINEAR = JSON.stringify({ strategy: 'LINEAR', bakeTimeInMinutes: 30 });
const plan: RedeployPlan = {
  replays: { strategy: 'LINEAR', settings: 'LINEAR (10 % every 6 min, bake 30 min)', minutes: 84 },
  fastTrack: { settings: 'BLUE_GREEN with no bake', restore: LINEAR },
};
/** checkout:42 completed 10 minutes after the release, inside the watch window; checkout:41 is known-good. */
const completed42: LiveOk = { ...liveCompleted('checkout:42', T0, T0 + 10 * MINUTE), redeployPlan: plan };
const rolledBackTo41: LiveOk = {
  kind: 'ok',
  currentVersion: 'checkout:41',
  latest: {
    id: 'ecs-svc/3',
    version: 'checkout:41',
    state: 'completed',
    startedAt: T0 + 21 * MINUTE,
    completedAt: T0 + 23 * MINUTE,
  },
  previous: [],
  nativeRollback: false,
  redeployPlan: { replays: { strategy: 'BLUE_GREEN', minutes: 0 } },
};
const alarm = transition('ALARM', T0 + 20 * MINUTE);
const now = T0 + 21 * MINUTE;

function configOf(policy: Parameters<typeof ecsTarget>[0] = {}): RuntimeConfig {
  return {
    schemaVersion: 1,
    account: '123456789012',
    region: 'us-east-1',
    maxEventAgeMinutes: DEFAULT_MAX_EVENT_AGE_MINUTES,
    sweepIntervalMinutes: 5,
    targets: [ecsTarget(policy)],
  };
}

function setup(policy: Parameters<typeof ecsTarget>[0] = {}) {
  const deps = fakeDeps(completed42, now);
  const config = configOf(policy);
  deps.store.items.set('checkout', {
    targetId: 'checkout',
    revision: 3,
    seeded: true,
    ledger: [
      {
        version: 'checkout:42',
        status: 'completed',
        startedAt: T0,
        completedAt: T0 + 10 * MINUTE,
        deploymentId: 'ecs-svc/2',
      },
      provenEntry('checkout:41'),
    ],
    alarms: {},
    handled: [],
    rollbackTimes: [],
  });
  const alarms = new FakeAlarmReader();
  return {
    ...deps,
    config,
    target: config.targets[0],
    alarms,
    sweep: () => sweep({ ...deps, alarms }, config, `sweep-${deps.clock.now()}`),
  };
}

const completedEvent = {
  deploymentId: 'ecs-svc/3',
  phase: 'completed' as const,
  at: T0 + 23 * MINUTE,
  rollingBack: false,
  reason: '',
  key: 'ecs-svc/3:completed',
};

describe('fast-tracked rollback of a completed release', () => {
  it('redeploys on the fast track and owes the service its settings from the claim on', async () => {
    const s = setup();
    const saved: (string | undefined)[] = [];
    const save = s.store.saveTarget.bind(s.store);
    s.store.saveTarget = async (next, expected) => {
      saved.push(next.settingsRestore?.restore);
      return save(next, expected);
    };

    const [decision] = await handleAlarm(s, s.config, alarm, 'req-1');

    expect(decision).toMatchObject({
      outcome: 'rollback',
      action: { kind: 'redeploy', version: 'checkout:41', fastTrack: { restore: LINEAR } },
    });
    expect(s.deployer.actions()).toEqual([
      { op: 'redeploy', target: 'checkout', arg: 'checkout:41', settings: LINEAR },
    ]);
    // The very first write, the claim, already carries the restore: a crash after the call loses nothing.
    expect(saved[0]).toBe(LINEAR);
    expect(s.store.items.get('checkout')?.settingsRestore).toEqual({
      decisionId: decision.id,
      restore: LINEAR,
      since: now,
    });
  });

  it('the completion event ends the rollback; the deployment handler, which only reads, leaves the restore to the sweep', async () => {
    const s = setup();
    await handleAlarm(s, s.config, alarm, 'req-1');
    s.deployer.live = rolledBackTo41;
    s.clock.at = T0 + 24 * MINUTE;

    await handleDeployment(s, s.target, completedEvent, 'req-2');

    expect(s.deployer.actions().map((c) => c.op)).toEqual(['redeploy']);
    expect(s.store.items.get('checkout')?.rollback).toBeUndefined();
    expect(s.store.items.get('checkout')?.settingsRestore).toBeDefined();
    expect(s.notifier.sent.map((n) => n.kind)).toEqual(['rollback-started', 'rollback-succeeded']);

    s.clock.at = T0 + 25 * MINUTE;
    await s.sweep();

    expect(s.deployer.actions().map((c) => c.op)).toEqual(['redeploy', 'restoreSettings']);
    expect(s.deployer.actions()[1]).toMatchObject({ settings: LINEAR });
    expect(s.store.items.get('checkout')?.settingsRestore).toBeUndefined();
  });

  it('the trigger alarm’s return to OK restores at once, before any sweep', async () => {
    const s = setup();
    await handleAlarm(s, s.config, alarm, 'req-1');
    s.deployer.live = rolledBackTo41;
    s.clock.at = T0 + 24 * MINUTE;
    await handleDeployment(s, s.target, completedEvent, 'req-2');

    s.clock.at = T0 + 26 * MINUTE;
    await handleAlarm(s, s.config, transition('OK', T0 + 26 * MINUTE), 'req-3');

    expect(s.deployer.actions().map((c) => c.op)).toEqual(['redeploy', 'restoreSettings']);
    expect(s.store.items.get('checkout')?.settingsRestore).toBeUndefined();
  });

  it('`status` shows the restore owed until it is done', async () => {
    const s = setup();
    const status = async () => {
      const r = await handleOperator(
        { ...s, alarmWriter: { setState: async () => undefined } },
        s.config,
        { command: 'status' },
        'arn:aws:iam::123456789012:user/oncall',
        `req-status-${s.clock.at}`,
      );
      return (r as { result: { targets: { settingsRestore?: unknown }[] } }).result.targets[0];
    };
    const [decision] = await handleAlarm(s, s.config, alarm, 'req-1');
    expect((await status())?.settingsRestore).toEqual({
      decisionId: decision.id,
      since: new Date(now).toISOString(),
    });
    s.deployer.live = rolledBackTo41;
    s.clock.at = T0 + 30 * MINUTE;
    await s.sweep();
    expect((await status())?.settingsRestore).toBeUndefined();
  });

  it('does not restore while the rollback is still under way', async () => {
    const s = setup();
    await handleAlarm(s, s.config, alarm, 'req-1');
    s.clock.at = T0 + 22 * MINUTE;
    await s.sweep();
    expect(s.deployer.actions().map((c) => c.op)).toEqual(['redeploy']);
    expect(s.store.items.get('checkout')?.settingsRestore).toBeDefined();
  });

  it('keeps the restore owed when it fails, and the next sweep finishes it', async () => {
    const s = setup();
    await handleAlarm(s, s.config, alarm, 'req-1');
    s.deployer.live = rolledBackTo41;
    s.deployer.restoreResults = [new RetryableError('ThrottlingException')];
    s.clock.at = T0 + 24 * MINUTE;
    await handleDeployment(s, s.target, completedEvent, 'req-2');
    await s.sweep();
    expect(s.store.items.get('checkout')?.settingsRestore).toBeDefined();
    expect(s.telemetry.total(METRIC.settingsRestoreFailures)).toBe(1);

    s.clock.at = T0 + 29 * MINUTE;
    await s.sweep();

    expect(s.deployer.actions().map((c) => c.op)).toEqual(['redeploy', 'restoreSettings', 'restoreSettings']);
    expect(s.store.items.get('checkout')?.settingsRestore).toBeUndefined();
  });

  it('after a crash whose completion event was lost, the sweep completes the rollback and restores', async () => {
    const s = setup();
    await handleAlarm(s, s.config, alarm, 'req-1');
    s.deployer.live = rolledBackTo41;
    s.clock.at = T0 + 30 * MINUTE;

    await s.sweep();

    const state = s.store.items.get('checkout');
    expect(state?.rollback).toBeUndefined();
    expect(state?.settingsRestore).toBeUndefined();
    expect(s.deployer.actions().map((c) => c.op)).toEqual(['redeploy', 'restoreSettings']);
  });

  it('a fast-tracked call that failed is settled by the retry, and the restore follows its end', async () => {
    const s = setup();
    s.deployer.redeployResults = [new RetryableError('socket hang up')];
    await expect(handleAlarm(s, s.config, alarm, 'req-1')).rejects.toThrow('socket hang up');
    // Nothing is under way: the claim is kept, unissued, and so is what it owes.
    expect(s.store.items.get('checkout')?.settingsRestore).toBeDefined();

    // Lambda's retry settles the claim: it acts again, on the fast track.
    await handleAlarm(s, s.config, alarm, 'req-1');
    expect(s.deployer.actions()).toEqual([
      { op: 'redeploy', target: 'checkout', arg: 'checkout:41', settings: LINEAR },
      { op: 'redeploy', target: 'checkout', arg: 'checkout:41', settings: LINEAR },
    ]);
    s.deployer.live = rolledBackTo41;
    s.clock.at = T0 + 24 * MINUTE;
    await handleDeployment(s, s.target, completedEvent, 'req-2');
    await s.sweep();
    expect(s.store.items.get('checkout')?.settingsRestore).toBeUndefined();
  });

  it('a refused fast-tracked redeploy gives the claim back and restores at once', async () => {
    const s = setup();
    s.deployer.redeployResults = [{ status: 'busy', detail: 'another deployment started' }];
    s.deployer.nextLives = [{ ...completed42, currentVersion: 'checkout:43' }];

    const [decision] = await handleAlarm(s, s.config, alarm, 'req-1');

    expect(decision).toMatchObject({ outcome: 'skip', reason: 'target-changed' });
    expect(s.deployer.actions().map((c) => c.op)).toEqual(['redeploy', 'restoreSettings']);
    const state = s.store.items.get('checkout');
    expect(state?.rollback).toBeUndefined();
    expect(state?.settingsRestore).toBeUndefined();
  });

  it('with fastRollback off, redeploys under the service’s strategy and says how long it takes', async () => {
    const s = setup({ fastRollback: false });

    const [decision] = await handleAlarm(s, s.config, alarm, 'req-1');

    expect(decision?.action).toEqual({
      kind: 'redeploy',
      version: 'checkout:41',
      replays: plan.replays,
    });
    expect(s.deployer.actions()).toEqual([{ op: 'redeploy', target: 'checkout', arg: 'checkout:41' }]);
    expect(s.store.items.get('checkout')?.settingsRestore).toBeUndefined();
    expect(s.notifier.sent[0]?.did).toContain(
      "under the service's own LINEAR (10 % every 6 min, bake 30 min): at least 84 min of steps and bakes before the rollback completes",
    );
  });

  it('an operator rollback is fast-tracked too, and its notification says what it skips', async () => {
    const s = setup();
    const result = await handleOperator(
      { ...s, alarmWriter: { setState: async () => undefined } },
      s.config,
      { command: 'rollback', target: 'checkout', reason: 'bad checkout totals' },
      'arn:aws:iam::123456789012:user/oncall',
      'req-op',
    );
    expect(result).toMatchObject({ ok: true });
    expect(s.deployer.actions()).toEqual([
      { op: 'redeploy', target: 'checkout', arg: 'checkout:41', settings: LINEAR },
    ]);
    expect(s.notifier.sent[0]?.did).toContain(
      "Started a deployment of checkout:41 on the fast track, as BLUE_GREEN with no bake, instead of under the service's own LINEAR (10 % every 6 min, bake 30 min), which would take at least 84 min of steps and bakes. The service's own deployment settings are restored once the rollback has ended.",
    );
  });
});
