import { DEFAULT_LEASE_MINUTES, type RollbackReason, type RuntimePolicy } from '../contract';
import { findEntry, taint } from './ledger';
import {
  MINUTE,
  type LedgerEntry,
  type LiveOk,
  type Millis,
  type RollbackAction,
  type SettingsRestore,
  type TargetState,
} from './model';

/**
 * How to reach `to`: stop the in-progress deployment when the platform's own rollback restores exactly `to`;
 * stop it without that rollback and deploy `to` when the platform would restore something else and refuses a
 * second deployment meanwhile; otherwise deploy `to` again, exactly as the ledger recorded it (see
 * redeployOf for the platform's strategy).
 */
export function chooseAction(
  live: LiveOk,
  to: string,
  ledger: readonly LedgerEntry[],
  policy: Pick<RuntimePolicy, 'fastRollback'>,
): RollbackAction {
  const latest = live.latest;
  const artifact = findEntry(ledger, to)?.artifact;
  const withArtifact = artifact !== undefined ? { artifact } : {};
  if (latest?.version === live.currentVersion && latest.state === 'in-progress' && latest.stopRef) {
    if (latest.stopRestores === to) return { kind: 'stop', deploymentRef: latest.stopRef };
    if (latest.blocksNewDeployments) {
      return { kind: 'replace', deploymentRef: latest.stopRef, version: to, ...withArtifact };
    }
  }
  return redeployOf(live, to, ledger, policy);
}

/**
 * A new deployment of `to`. Where it would replay a traffic-shifting strategy (ECS LINEAR, CANARY, BLUE_GREEN
 * with a bake), the policy's `fastRollback` (default on) fast-tracks it past the steps and bakes the release
 * being rolled back had to pass; otherwise the action says how long the replay takes, for the notification.
 */
export function redeployOf(
  live: LiveOk | undefined,
  to: string,
  ledger: readonly LedgerEntry[],
  policy: Pick<RuntimePolicy, 'fastRollback'>,
): Extract<RollbackAction, { kind: 'redeploy' }> {
  const artifact = findEntry(ledger, to)?.artifact;
  const base = { kind: 'redeploy' as const, version: to, ...(artifact !== undefined ? { artifact } : {}) };
  const plan = live?.redeployPlan;
  if (!plan) return base;
  if (policy.fastRollback !== false && plan.fastTrack) {
    return { ...base, fastTrack: { ...plan.fastTrack, skips: plan.replays } };
  }
  return plan.replays.minutes > 0 ? { ...base, replays: plan.replays } : base;
}

/**
 * The settings restore a claim owes once its rollback has ended: written in the same conditional write as the
 * claim (or the take-over), before the fast-tracked call changes anything.
 */
export function owingSettings(
  state: TargetState,
  decisionId: string,
  action: RollbackAction | undefined,
  now: Millis,
): TargetState {
  if (action?.kind !== 'redeploy' || !action.fastTrack) return state;
  // A restore still owed from an earlier rollback keeps its settings: they are the service's own.
  if (state.settingsRestore) return state;
  return { ...state, settingsRestore: { decisionId, restore: action.fastTrack.restore, since: now } };
}

/** A settings restore is due once no rollback of its decision is under way (it succeeded, failed or was given back). */
export function settingsRestoreDue(state: TargetState | undefined): SettingsRestore | undefined {
  const owed = state?.settingsRestore;
  if (!owed) return undefined;
  return state.rollback?.decisionId === owed.decisionId ? undefined : owed;
}

/** The state once the owed settings are back (or found changed by someone else): nothing more is owed. */
export function settingsRestored(state: TargetState, decisionId: string): TargetState {
  if (state.settingsRestore?.decisionId !== decisionId) return state;
  const { settingsRestore: _done, ...rest } = state;
  return rest;
}

export interface ClaimParams {
  readonly decisionId: string;
  readonly trigger: string;
  readonly reason: RollbackReason;
  readonly from: string;
  readonly to: string;
  readonly action: RollbackAction;
  readonly now: Millis;
  /** The rate-limit window: older rollback times are dropped. */
  readonly windowMs: Millis;
  readonly bakeMs: Millis;
}

/**
 * The claim every rollback takes, whoever decided it (alarm, approval, operator): the lease and intent
 * record, the cooldown and window counters, and the quarantine of the version rolled back from.
 */
export function claimRollback(state: TargetState, p: ClaimParams): TargetState {
  const { pendingApproval: _decided, ...rest } = state;
  return {
    ...rest,
    ledger: taint(state.ledger, p.from, `rolled back by ${p.decisionId}`, p.now, p.bakeMs, {
      evenIfProven: true,
    }),
    rollback: {
      decisionId: p.decisionId,
      trigger: p.trigger,
      reason: p.reason,
      from: p.from,
      to: p.to,
      action: p.action.kind,
      claimedAt: p.now,
      leaseUntil: p.now + DEFAULT_LEASE_MINUTES * MINUTE,
    },
    rollbackTimes: [...state.rollbackTimes.filter((at) => p.now - at < p.windowMs), p.now],
    lastRollbackAt: p.now,
  };
}
