import { METRIC, type RuntimeTarget } from '../contract';
import {
  emptyTargetState,
  type DeploymentEffect,
  type LedgerEntry,
  type Millis,
  type TargetState,
  type Verification,
} from '../domain';
import { messageLocation, type UseCaseDeps } from './deps';
import type { FreezeStatus } from './notifications';
import { RetryableError } from './errors';
import { describe } from './report';

const MAX_COMMIT_ATTEMPTS = 5;

export type TargetReducer = (
  state: TargetState,
  now: Millis,
) => { next: TargetState; effects: readonly DeploymentEffect[] };

/**
 * Applies a pure state change to one target under its optimistic lock (re-reading and re-applying on a lost
 * race), skips the write when nothing changed, then reports the effects. Returns the state as stored.
 */
export async function applyToTarget(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  stored: TargetState | undefined,
  reduce: TargetReducer,
  requestId: string,
): Promise<TargetState> {
  let current = stored;
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const state = current ?? emptyTargetState(target.id);
    const now = deps.clock.now();
    const { next, effects } = reduce(state, now);
    let result = state;
    if (next !== state) {
      const saved = await deps.store.saveTarget(next, state.revision);
      if (saved === 'conflict') {
        current = (await deps.store.loadTargets([target.id])).targets.get(target.id);
        continue;
      }
      result = saved;
    }
    for (const effect of effects) await reportEffect(deps, target, result, effect, now, requestId);
    return result;
  }
  throw new RetryableError(
    `could not update ${target.id} after ${MAX_COMMIT_ATTEMPTS} attempts (contention)`,
  );
}

async function reportEffect(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  state: TargetState,
  effect: DeploymentEffect,
  now: Millis,
  requestId: string,
): Promise<void> {
  switch (effect.kind) {
    case 'rollback-succeeded':
    case 'rollback-failed': {
      deps.telemetry.count(
        effect.kind === 'rollback-succeeded' ? METRIC.rollbacksSucceeded : METRIC.rollbacksFailed,
        1,
        { target: target.id },
      );
      deps.telemetry.log(effect.kind === 'rollback-succeeded' ? 'info' : 'error', effect.kind, {
        target: target.id,
        decisionId: effect.rollback.decisionId,
        from: effect.rollback.from,
        to: effect.rollback.to,
        ...(effect.kind === 'rollback-failed' ? { why: effect.why } : {}),
      });
      await deps.reporter.rollbackResult(
        {
          kind: effect.kind,
          rollback: effect.rollback,
          at: effect.at,
          ...(effect.kind === 'rollback-failed' ? { why: effect.why } : {}),
        },
        now,
        { ...context(deps, target), ...freezeStatus(target, state) },
      );
      return;
    }
    case 'verified':
      await recordRecovery(deps, target.id, effect.verification, effect.at);
      deps.telemetry.log('info', 'rollback verified: every trigger alarm is OK again', {
        target: target.id,
        decisionId: effect.verification.decisionId,
      });
      return;
    case 'verification-failed':
      deps.telemetry.log('error', 'rollback unverified: a trigger alarm is not OK at the deadline', {
        target: target.id,
        decisionId: effect.verification.decisionId,
        why: effect.why,
      });
      deps.telemetry.count(METRIC.rollbacksFailed, 1, { target: target.id });
      await deps.reporter.verificationFailed(effect, now, context(deps, target), effect.notOk);
      return;
    case 'native-rollback':
      deps.telemetry.log('info', 'the platform is rolling back by itself', {
        target: target.id,
        version: effect.version,
        requestId,
      });
      return;
  }
}

/** The deploy freeze of a target that has one, as the stored state records it. */
export function freezeStatus(
  target: RuntimeTarget,
  state: TargetState,
  error?: string,
): { freeze?: FreezeStatus } {
  if (!target.freeze) return {};
  return {
    freeze: {
      pipeline: target.freeze.pipeline,
      stage: target.freeze.stage,
      disabled: state.frozen !== undefined,
      ...(error !== undefined && state.frozen === undefined ? { error } : {}),
    },
  };
}

function context(deps: UseCaseDeps, target: RuntimeTarget) {
  return { target, ...messageLocation(deps) };
}

/**
 * TimeToRecoverySeconds, the one place it is emitted: from the rollback's decision (about when its trigger
 * alarm fired) to `recoveredAt`, when the rollback was found verified, in whole seconds, per target.
 */
export function countTimeToRecovery(
  deps: Pick<UseCaseDeps, 'telemetry'>,
  targetId: string,
  verification: Verification,
  recoveredAt: Millis,
): void {
  const seconds = Math.round((recoveredAt - verification.startedAt) / 1000);
  deps.telemetry.count(METRIC.timeToRecoverySeconds, seconds, { target: targetId });
}

/**
 * A rollback found verified: its time to recover is counted and the moment audited (`rollback-verified`, where
 * the incident report's time to recover ends). The audit write never throws (Reporter.audit).
 */
export async function recordRecovery(
  deps: Pick<UseCaseDeps, 'telemetry' | 'reporter'>,
  targetId: string,
  verification: Verification,
  recoveredAt: Millis,
): Promise<void> {
  countTimeToRecovery(deps, targetId, verification, recoveredAt);
  await deps.reporter.verified(verification, recoveredAt, targetId);
}

/**
 * Writes what was learned about the ledger's versions off the alarm path (schema facts, viability checks,
 * retention warnings) under the target's lock, skipping the write when nothing changed. Never throws: on a failed
 * write it logs `failure` and returns `stored`; what was learned is learned again next time.
 */
export async function annotateLedger(
  deps: UseCaseDeps,
  target: RuntimeTarget,
  stored: TargetState,
  annotate: (ledger: readonly LedgerEntry[], now: Millis) => readonly LedgerEntry[],
  failure: string,
): Promise<TargetState> {
  try {
    return await applyToTarget(
      deps,
      target,
      stored,
      (s, now) => {
        const ledger = annotate(s.ledger, now);
        return { next: ledger === s.ledger ? s : { ...s, ledger }, effects: [] };
      },
      '',
    );
  } catch (error) {
    deps.telemetry.log('warn', failure, { target: target.id, error: describe(error) });
    return stored;
  }
}
