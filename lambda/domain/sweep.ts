import { DEFAULT_LEASE_MINUTES } from '../contract';
import { isIssued } from './claim';
import type { DeploymentEffect, DeploymentEvent } from './deployment-event';
import { MINUTE, type LiveTarget, type Millis, type TargetState } from './model';

/**
 * What the reconcile sweep saw of the newest deployment, as the event that may never have arrived
 * (CodeDeploy events are best effort). Applying it is idempotent when the event did arrive.
 */
export function observedDeploymentEvent(live: LiveTarget): DeploymentEvent | undefined {
  if (live.kind !== 'ok' || !live.latest) return undefined;
  const d = live.latest;
  return {
    deploymentId: d.id,
    phase: d.state,
    at: d.completedAt ?? d.startedAt,
    rollingBack: d.isRollback === true,
    reason: 'observed by the reconcile sweep',
  };
}

/**
 * A rollback whose lease ran out without a completion: still moving towards the known-good version → the
 * lease is extended; otherwise the rollback failed (the invocation that claimed it crashed before acting,
 * or the platform never started it) and the target is held for a human.
 */
export function settleExpiredLease(
  state: TargetState,
  live: LiveTarget,
  now: Millis,
): { next: TargetState; effects: DeploymentEffect[] } {
  const rollback = state.rollback;
  // An unissued claim is not a rollback that failed to complete: the redelivery rule settles it.
  if (!rollback || !isIssued(rollback) || rollback.leaseUntil > now) return { next: state, effects: [] };
  if (live.kind === 'ok' && live.latest?.version === rollback.to && live.latest.state === 'in-progress') {
    return {
      next: { ...state, rollback: { ...rollback, leaseUntil: now + DEFAULT_LEASE_MINUTES * MINUTE } },
      effects: [],
    };
  }
  const serving = live.kind === 'ok' ? `it runs ${live.currentVersion}` : live.why;
  const why = `no rollback to ${rollback.to} completed before its lease expired (${serving})`;
  const { rollback: _expired, ...rest } = state;
  return {
    next: {
      ...rest,
      paused: {
        at: now,
        by: 'watchdog',
        reason: `${why}; automatic action is held until an operator resumes`,
      },
    },
    effects: [{ kind: 'rollback-failed', rollback, at: now, why }],
  };
}
