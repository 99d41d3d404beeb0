import {
  chooseAction,
  owingSettings,
  redeployOf,
  settingsRestoreDue,
  settingsRestored,
  type LiveOk,
  type RedeployPlan,
} from '../../../lambda/domain';
import { liveCompleted, liveInProgress, provenEntry, seededState, T0 } from '../../support/domain-fixtures';

const plan: RedeployPlan = {
  replays: { strategy: 'CANARY', settings: 'CANARY (5 % for 10 min, bake 60 min)', minutes: 70 },
  fastTrack: { settings: 'BLUE_GREEN with no bake', restore: '{"strategy":"CANARY"}' },
};
const completed: LiveOk = { ...liveCompleted('checkout:42', T0, T0 + 70 * 60_000), redeployPlan: plan };
const ledger = [provenEntry('checkout:41')];

describe('redeployOf', () => {
  it('fast-tracks by default, naming what it skips', () => {
    expect(redeployOf(completed, 'checkout:41', ledger, {})).toEqual({
      kind: 'redeploy',
      version: 'checkout:41',
      fastTrack: { ...plan.fastTrack, skips: plan.replays },
    });
  });

  it('replays the strategy with fastRollback off, and says how long it takes', () => {
    expect(redeployOf(completed, 'checkout:41', ledger, { fastRollback: false })).toEqual({
      kind: 'redeploy',
      version: 'checkout:41',
      replays: plan.replays,
    });
  });

  it('is a plain redeploy without a plan, or with a strategy that takes no time and has nothing to skip', () => {
    const plain = { kind: 'redeploy', version: 'checkout:41' };
    expect(redeployOf(liveCompleted('checkout:42', T0, T0), 'checkout:41', ledger, {})).toEqual(plain);
    const quick: LiveOk = { ...completed, redeployPlan: { replays: { strategy: 'BLUE_GREEN', minutes: 0 } } };
    expect(redeployOf(quick, 'checkout:41', ledger, {})).toEqual(plain);
  });
});

describe('chooseAction', () => {
  it('still stops an in-progress release (the bake included) rather than fast-tracking a redeploy', () => {
    const inBake: LiveOk = { ...liveInProgress('checkout:42', T0), redeployPlan: plan };
    expect(chooseAction(inBake, 'checkout:41', ledger, {})).toMatchObject({ kind: 'stop' });
  });
});

describe('settings owed by a fast-tracked rollback', () => {
  const fast = redeployOf(completed, 'checkout:41', ledger, {});

  it('are owed from the claim, and due only once no rollback of that decision is under way', () => {
    const owing = owingSettings(seededState(), 'd-1', fast, T0);
    expect(owing.settingsRestore).toEqual({ decisionId: 'd-1', restore: '{"strategy":"CANARY"}', since: T0 });
    const claimed = {
      ...owing,
      rollback: {
        decisionId: 'd-1',
        trigger: 'checkout-5xx',
        reason: 'alarm' as const,
        from: 'checkout:42',
        to: 'checkout:41',
        action: 'redeploy' as const,
        claimedAt: T0,
        leaseUntil: T0 + 1_800_000,
      },
    };
    expect(settingsRestoreDue(claimed)).toBeUndefined();
    const { rollback: _ended, ...ended } = claimed;
    expect(settingsRestoreDue(ended)).toEqual(owing.settingsRestore);
    expect(settingsRestored(ended, 'd-1').settingsRestore).toBeUndefined();
  });

  it('keep the service’s own settings when an earlier restore is still owed', () => {
    const earlier = owingSettings(seededState(), 'd-0', fast, T0 - 1);
    const again = owingSettings(earlier, 'd-1', fast, T0);
    expect(again.settingsRestore?.decisionId).toBe('d-0');
  });

  it('are nothing for a stop or a plain redeploy, and a restore of another decision clears nothing', () => {
    const state = seededState();
    expect(owingSettings(state, 'd-1', { kind: 'stop', deploymentRef: 'sd' }, T0)).toBe(state);
    expect(owingSettings(state, 'd-1', { kind: 'redeploy', version: 'checkout:41' }, T0)).toBe(state);
    const owing = owingSettings(state, 'd-1', fast, T0);
    expect(settingsRestored(owing, 'd-2')).toBe(owing);
  });
});
