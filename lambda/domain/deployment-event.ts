import { ALARM_STATE } from '../contract';
import { oweReport } from './claim';
import {
  findEntry,
  isHandledDeployment,
  isKnownGood,
  reconcileWithLive,
  supersede,
  taint,
  upsertEntry,
  withHandledDeployment,
} from './ledger';
import {
  alarmMark,
  type ActiveRollback,
  type LedgerEntry,
  type LiveTarget,
  type Millis,
  type RuntimeTarget,
  type TargetState,
  type Verification,
} from './model';
import { policyMs } from './policy';

/** A deployment lifecycle event of a target, as parsed from ECS (or CodeDeploy) events. */
export interface DeploymentEvent {
  readonly deploymentId: string;
  readonly phase: 'in-progress' | 'completed' | 'failed';
  readonly at: Millis;
  /** The platform says this deployment is a rollback (ECS: the reason says "rolling back"). */
  readonly rollingBack: boolean;
  readonly reason: string;
  /**
   * The transition's dedupe key (ECS deploymentId + eventName + updatedAt; CodeDeploy deploymentId + state):
   * a redelivery, however late, changes nothing. Absent for what the sweep observed (idempotent by itself).
   */
  readonly key?: string;
}

export type DeploymentEffect =
  | { readonly kind: 'rollback-succeeded'; readonly rollback: ActiveRollback; readonly at: Millis }
  | {
      readonly kind: 'rollback-failed';
      readonly rollback: ActiveRollback;
      readonly at: Millis;
      readonly why: string;
    }
  | { readonly kind: 'native-rollback'; readonly version: string | undefined; readonly at: Millis }
  /** Every trigger alarm is OK again after the rollback. */
  | { readonly kind: 'verified'; readonly verification: Verification; readonly at: Millis }
  /** A trigger alarm was not OK at the verification deadline: the rollback is unverified. */
  | {
      readonly kind: 'verification-failed';
      readonly verification: Verification;
      readonly at: Millis;
      readonly why: string;
      /** The trigger alarms that were not OK (ALARM, INSUFFICIENT_DATA or not found). */
      readonly notOk?: readonly string[];
    };

export interface DeploymentEventInput {
  readonly now: Millis;
  readonly target: RuntimeTarget;
  readonly state: TargetState;
  readonly live: LiveTarget;
  readonly event: DeploymentEvent;
}

export interface DeploymentEventResult {
  readonly next: TargetState;
  readonly effects: readonly DeploymentEffect[];
}

/**
 * Folds a deployment event into the ledger and completes or fails the watchdog's own rollback. Events of
 * our rollback are recognised by the active rollback record; they never trigger anything new.
 */
export function applyDeploymentEvent(input: DeploymentEventInput): DeploymentEventResult {
  const { now, event, live } = input;
  const { bakeMs, verificationTimeoutMs } = policyMs(input.target.policy);
  if (live.kind !== 'ok') return { next: input.state, effects: [] };
  if (event.key !== undefined && isHandledDeployment(input.state, event.key)) {
    return { next: input.state, effects: [] };
  }

  let state = reconcileWithLive(input.state, live, now, bakeMs);
  if (event.key !== undefined) state = withHandledDeployment(state, event.key, now);
  const deployment = [live.latest, ...live.previous].find((d) => d?.id === event.deploymentId);
  // ECS says so in the event's reason; CodeDeploy only on the deployment (creator codeDeployRollback).
  const rollingBack = event.rollingBack || deployment?.isRollback === true;
  // A finished deployment the service no longer reports (drained, or superseded by a newer one) is not
  // guessed at: attributing it to the current version could taint a known-good version.
  const version = deployment?.version ?? (event.phase === 'in-progress' ? live.latest?.version : undefined);
  const effects: DeploymentEffect[] = [];
  const rollback = state.rollback;

  if (version !== undefined) {
    const existing = findEntry(state.ledger, version);
    switch (event.phase) {
      case 'in-progress':
        if (!existing || existing.status !== 'in-progress' || existing.deploymentId !== event.deploymentId) {
          state = withLedger(
            state,
            upsertEntry(
              state.ledger,
              version,
              {
                status: 'in-progress',
                deploymentId: event.deploymentId,
                startedAt: deployment?.startedAt ?? event.at,
                servedUntil: undefined,
              },
              now,
              bakeMs,
            ),
          );
          state = withLedger(
            state,
            supersede(state.ledger, version, deployment?.startedAt ?? event.at, now, bakeMs),
          );
        }
        break;
      case 'completed': {
        const completedAt =
          existing?.status === 'completed' && existing.completedAt !== undefined
            ? existing.completedAt
            : (deployment?.completedAt ?? event.at);
        state = withLedger(
          state,
          upsertEntry(
            state.ledger,
            version,
            { status: 'completed', completedAt, deploymentId: event.deploymentId },
            now,
            bakeMs,
          ),
        );
        const firing = input.target.alarms.some(
          (name) => alarmMark(state, name)?.value === ALARM_STATE.alarm,
        );
        if (firing && !isKnownGood(findEntry(state.ledger, version), now, bakeMs)) {
          // Completed while a trigger alarm (likely raised by the version it replaced) still fires: its bake
          // starts only once every trigger alarm is OK again. A new ALARM transition while it serves taints it.
          state = withLedger(state, upsertEntry(state.ledger, version, { bakePending: true }, now, bakeMs));
        }
        break;
      }
      case 'failed':
        state = withLedger(
          state,
          taint(
            upsertEntry(
              state.ledger,
              version,
              { status: 'failed', deploymentId: event.deploymentId },
              now,
              bakeMs,
            ),
            version,
            `deployment failed: ${event.reason}`,
            now,
            bakeMs,
          ),
        );
        break;
    }
  }

  if (rollback) {
    const ours = version === rollback.to || (rollback.action === 'stop' && rollingBack);
    const finished =
      (event.phase === 'completed' &&
        live.currentVersion === rollback.to &&
        (ours || version === undefined)) ||
      (event.phase === 'failed' && ours);
    // Its end arrived before anyone marked it issued: the report of its start is owed all the same.
    if (finished) state = oweReport(state, rollback);
    if (
      event.phase === 'completed' &&
      live.currentVersion === rollback.to &&
      (ours || version === undefined)
    ) {
      effects.push({ kind: 'rollback-succeeded', rollback, at: event.at });
      state = {
        ...withoutRollback(state),
        ledger: abandon(state.ledger, rollback.from, now, bakeMs),
        // The rollback is done; it has worked once its trigger alarms are OK again (checked on OK transitions
        // and by the sweep).
        verification: {
          decisionId: rollback.decisionId,
          startedAt: rollback.claimedAt,
          trigger: rollback.trigger,
          from: rollback.from,
          to: rollback.to,
          completedAt: event.at,
          deadline: event.at + verificationTimeoutMs,
        },
      };
    } else if (event.phase === 'failed' && ours) {
      const why = event.reason || `the deployment of ${rollback.to} failed`;
      effects.push({ kind: 'rollback-failed', rollback, at: event.at, why });
      state = {
        ...withoutRollback(state),
        paused: {
          at: now,
          by: 'watchdog',
          reason: `rollback to ${rollback.to} failed (${why}); automatic action is held until an operator resumes`,
        },
      };
    }
  } else if (rollingBack && event.phase === 'in-progress') {
    // Only a release that had started when the platform began rolling back can be what it rolled back: an
    // old rollback event (one the watchdog never saw the first time) is not about the release now rolling out.
    const abandoned = state.ledger.find(
      (e) =>
        e.status === 'in-progress' &&
        e.version !== version &&
        (e.startedAt === undefined || e.startedAt <= event.at),
    )?.version;
    if (abandoned)
      state = withLedger(
        state,
        taint(
          abandon(state.ledger, abandoned, now, bakeMs),
          abandoned,
          'rolled back by the platform',
          now,
          bakeMs,
        ),
      );
    effects.push({ kind: 'native-rollback', version: abandoned, at: event.at });
  }
  return { next: state, effects };
}

function withoutRollback(state: TargetState): TargetState {
  const { rollback: _done, ...rest } = state;
  return rest;
}

/**
 * The deployment of a version that was rolled back never completes: record it as failed, so nothing (the
 * sweep in particular) keeps waiting for it.
 */
function abandon(
  ledger: readonly LedgerEntry[],
  version: string,
  now: Millis,
  bakeMs: Millis,
): readonly LedgerEntry[] {
  return findEntry(ledger, version)?.status === 'in-progress'
    ? upsertEntry(ledger, version, { status: 'failed' }, now, bakeMs)
    : ledger;
}

/** Keeps the same state object when the ledger did not change, so the caller can skip a no-op write. */
function withLedger(state: TargetState, ledger: readonly LedgerEntry[]): TargetState {
  return ledger === state.ledger ? state : { ...state, ledger };
}
