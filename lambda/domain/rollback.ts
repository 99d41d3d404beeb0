import { DEFAULT_LEASE_MINUTES, type RollbackReason } from '../contract';
import { findEntry, taint } from './ledger';
import {
  MINUTE,
  type LedgerEntry,
  type LiveOk,
  type Millis,
  type RollbackAction,
  type TargetState,
} from './model';

/**
 * How to reach `to`: stop the in-progress deployment when the platform's own rollback restores exactly `to`;
 * stop it without that rollback and deploy `to` when the platform would restore something else and refuses a
 * second deployment meanwhile; otherwise deploy `to` again, exactly as the ledger recorded it.
 */
export function chooseAction(live: LiveOk, to: string, ledger: readonly LedgerEntry[]): RollbackAction {
  const latest = live.latest;
  const artifact = findEntry(ledger, to)?.artifact;
  const withArtifact = artifact !== undefined ? { artifact } : {};
  if (latest?.version === live.currentVersion && latest.state === 'in-progress' && latest.stopRef) {
    if (latest.stopRestores === to) return { kind: 'stop', deploymentRef: latest.stopRef };
    if (latest.blocksNewDeployments) {
      return { kind: 'replace', deploymentRef: latest.stopRef, version: to, ...withArtifact };
    }
  }
  return { kind: 'redeploy', version: to, ...withArtifact };
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
