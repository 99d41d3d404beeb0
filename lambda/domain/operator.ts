import { ALARM_STATE, type RollbackReason, type SkipReason } from '../contract';
import { skipDecision } from './decide-alarm';
import type { DeploymentEffect } from './deployment-event';
import { findEntry, isKnownGood, reconcileWithLive, rollbackCandidates, upsertEntry } from './ledger';
import { databaseSchema, schemaConflict, schemaSafe } from './schema';
import { unavailable, unavailableDetail } from './viability';
import type {
  Decision,
  LiveDeployment,
  LiveTarget,
  Millis,
  Pause,
  RuntimeTarget,
  TargetState,
} from './model';
import { policyMs } from './policy';
import { chooseAction, claimRollback } from './rollback';

/** A rollback decided by someone other than an alarm transition: an operator, an approval, a timeout. */
export type ExplicitRollback =
  | {
      readonly ok: true;
      readonly decision: Decision;
      readonly next: TargetState;
      readonly unclaimed: TargetState;
    }
  | {
      readonly ok: false;
      readonly reason: SkipReason;
      readonly refused: string;
      /** The versions the refused command was about, where known. */
      readonly from?: string;
      readonly to?: string;
    };

export interface ManualRollbackInput {
  readonly now: Millis;
  readonly decisionId: string;
  readonly target: RuntimeTarget;
  readonly state: TargetState;
  readonly live: LiveTarget;
  /** @default the newest known-good version other than the current one */
  readonly to: string | undefined;
  readonly force: boolean;
  readonly by: string;
  readonly reason: string;
  /**
   * `to` as the platform's history knows it, when the ledger never recorded it (a `--force` rollback to a
   * revision from before the watchdog's time): how to deploy it again.
   */
  readonly resolved?: LiveDeployment;
  /**
   * The target's kind cannot deploy a version again from its name alone (CodeDeploy needs the revision's
   * location, which the ledger keeps as its artifact). @default false
   */
  readonly redeployNeedsArtifact?: boolean;
}

/**
 * `watchdog rollback`: a human's decision, so cooldown and rate limit do not stop it (they exist to stop the
 * watchdog from oscillating on its own), but it takes the same claim and is counted by them. It refuses what
 * would be unsafe without saying so: a rollback already under way, a target that cannot be read, the current
 * version, and a version outside the known-good ledger unless forced.
 */
export function decideManualRollback(input: ManualRollbackInput): ExplicitRollback {
  const { now, target, live } = input;
  const policy = policyMs(target.policy);
  if (live.kind !== 'ok') return refuse('target-invalid', `${target.id} cannot be rolled back: ${live.why}`);
  const reconciled = reconcileWithLive(input.state, live, now, policy.bakeMs);
  const resolved = input.resolved;
  // A version from the platform's history enters the ledger as what it was: completed, never proven.
  const state =
    resolved && !findEntry(reconciled.ledger, resolved.version)
      ? {
          ...reconciled,
          ledger: upsertEntry(
            reconciled.ledger,
            resolved.version,
            {
              status: 'completed',
              deploymentId: resolved.id,
              startedAt: resolved.startedAt,
              ...(resolved.completedAt !== undefined ? { completedAt: resolved.completedAt } : {}),
              ...(resolved.artifact !== undefined ? { artifact: resolved.artifact } : {}),
            },
            now,
            policy.bakeMs,
          ),
        }
      : reconciled;
  if (state.rollback && state.rollback.leaseUntil > now) {
    return refuse(
      'rollback-in-progress',
      `a rollback of ${target.id} from ${state.rollback.from} to ${state.rollback.to} is already under way`,
      { from: state.rollback.from, to: state.rollback.to },
    );
  }
  const current = live.currentVersion;
  const candidates = rollbackCandidates(state.ledger, current, now, policy.bakeMs);
  const to = input.to ?? candidates.candidate?.version;
  if (to === undefined && candidates.knownGood.length > 0 && candidates.viable.length === 0) {
    return refuse(
      'target-version-unavailable',
      `${unavailableDetail(candidates.knownGood[0])}, and no other known-good version of ${target.id} can be deployed: restore what is missing and name the version with --to`,
      { from: current, to: candidates.knownGood[0].version },
    );
  }
  if (to === undefined)
    return refuse(
      'no-known-good',
      `no known-good version of ${target.id} other than ${current}${candidates.knownGood.length > 0 ? ' runs on the database as it is' : ''}: name one with --to`,
      { from: current },
    );
  if (to === current) {
    return refuse('already-current', `${target.id} already runs ${to}`, { from: current, to });
  }
  if (!input.force && !isKnownGood(findEntry(state.ledger, to), now, policy.bakeMs)) {
    return refuse(
      'version-not-known-good',
      `${to} is not a known-good version of ${target.id}; pass --force to roll back to it anyway`,
      { from: current, to },
    );
  }
  const entry = findEntry(state.ledger, to);
  if (!input.force && entry && unavailable(entry)) {
    return refuse(
      'target-version-unavailable',
      `${unavailableDetail(entry)}; restore it first, or pass --force if it has been restored since that check`,
      { from: current, to },
    );
  }
  const db = databaseSchema(state.ledger);
  if (!input.force && entry && db && !schemaSafe(entry, db)) {
    return refuse(
      'schema-incompatible',
      `${schemaConflict(entry, db)}; roll forward with a fix, or pass --force if the database was migrated back`,
      { from: current, to },
    );
  }
  const action = chooseAction(live, to, state.ledger, target.policy);
  if (action.kind === 'redeploy' && input.redeployNeedsArtifact === true && action.artifact === undefined) {
    return refuse(
      'version-unknown',
      `neither the ledger nor the deployment group's history knows revision ${to}, so it cannot be deployed`,
      { from: current, to },
    );
  }
  const decision: Decision = {
    id: input.decisionId,
    at: now,
    target: target.id,
    trigger: `manual by ${input.by}`,
    outcome: 'rollback',
    reason: 'manual',
    from: current,
    to,
    action,
    detail: `${input.by} rolled ${target.id} back from ${current} to ${to}: ${input.reason}`,
    escalate: false,
    notify: 'rollback-started',
    by: input.by,
  };
  return { ok: true, decision, next: claim(state, decision, 'manual', now, policy), unclaimed: state };
}

export interface ApprovalInput {
  readonly now: Millis;
  readonly decisionId: string;
  readonly target: RuntimeTarget;
  readonly state: TargetState;
  readonly live: LiveTarget;
  /** The approver, or undefined when the approval timed out with policy `rollback`. */
  readonly by: string | undefined;
  /**
   * Approve only the proposal of this decision (a Slack button names the approval request it was posted with):
   * a later proposal on the same target is not approved by an old button.
   * @default - whatever proposal is pending
   */
  readonly proposal?: string;
}

/**
 * Carries out the rollback an approval-mode decision proposed: on `watchdog approve` before it expires, or
 * at expiry when the policy says `rollback`. The target must still run the version the proposal blamed.
 */
export function decideApprovedRollback(input: ApprovalInput): ExplicitRollback {
  const { now, target, live, by } = input;
  const policy = policyMs(target.policy);
  const pending = input.state.pendingApproval;
  if (!pending) return refuse('nothing-to-approve', `no rollback of ${target.id} is awaiting approval`);
  if (input.proposal !== undefined && pending.decisionId !== input.proposal) {
    return refuse(
      'nothing-to-approve',
      `the approval request ${input.proposal} of ${target.id} is no longer pending (the pending one is ${pending.decisionId}, from ${pending.from} to ${pending.to}: approve that one from its own message or with the CLI)`,
    );
  }
  if (by !== undefined && pending.expiresAt <= now) {
    return refuse(
      'nothing-to-approve',
      `the approval for ${target.id} expired at ${new Date(pending.expiresAt).toISOString()}`,
    );
  }
  if (live.kind !== 'ok') return refuse('target-invalid', `${target.id} cannot be rolled back: ${live.why}`);
  const state = reconcileWithLive(input.state, live, now, policy.bakeMs);
  if (live.currentVersion !== pending.from) {
    return refuse(
      'nothing-to-approve',
      `${target.id} no longer runs ${pending.from} (it runs ${live.currentVersion}); nothing to approve`,
    );
  }
  if (live.nativeRollback) {
    return refuse('native-rollback-in-progress', `${target.id} is already rolling back by itself`);
  }
  // Found gone since it was proposed (a sweep's check): deploying it would only fail minutes later.
  const proposed = findEntry(state.ledger, pending.to);
  if (proposed && unavailable(proposed)) {
    return refuse(
      'target-version-unavailable',
      `${unavailableDetail(proposed)}; restore it, then roll back by hand with rollback --to ${pending.to}`,
      { from: pending.from, to: pending.to },
    );
  }
  const action = chooseAction(live, pending.to, state.ledger, target.policy);
  const reason: RollbackReason = by !== undefined ? 'approved' : 'approval-timeout';
  const decision: Decision = {
    id: input.decisionId,
    at: now,
    target: target.id,
    trigger: pending.trigger,
    outcome: 'rollback',
    reason,
    from: pending.from,
    to: pending.to,
    action,
    detail:
      by !== undefined
        ? `${by} approved the rollback of ${target.id} from ${pending.from} to ${pending.to}.`
        : `Nobody approved the rollback of ${target.id} in time; the policy says roll back, so it rolls back to ${pending.to}.`,
    escalate: false,
    notify: 'rollback-started',
    ...(by !== undefined ? { by } : {}),
  };
  return {
    ok: true,
    decision,
    next: claim(state, decision, reason, now, policy),
    unclaimed: withoutPending(state),
  };
}

/**
 * At expiry with policy `hold`: the proposal lapses and a human is told. With policy `rollback` while the
 * target or the whole watchdog is paused, it lapses too: a pause holds every automatic action
 * (docs/decisions.md, "Pause"), so the expiry is decided `paused` and escalated instead of acting.
 */
export function expireApproval(
  state: TargetState,
  target: RuntimeTarget,
  now: Millis,
  decisionId: string,
  pause?: Pause,
): { decision: Decision; next: TargetState } | undefined {
  const pending = state.pendingApproval;
  if (!pending || pending.expiresAt > now) return undefined;
  if (pause && target.policy.approvalTimeoutAction === 'rollback') {
    const held = skipDecision(
      {
        id: decisionId,
        at: now,
        target: target.id,
        trigger: pending.trigger,
        from: pending.from,
        to: pending.to,
      },
      'paused',
      `Nobody approved the rollback of ${target.id} from ${pending.from} to ${pending.to} by ${new Date(pending.expiresAt).toISOString()}; the policy says roll back, but ${pause.by} paused automatic action (${pause.reason}), so nothing was changed.`,
    );
    return { decision: { ...held, escalate: true, notify: 'escalation' }, next: withoutPending(state) };
  }
  const decision = skipDecision(
    {
      id: decisionId,
      at: now,
      target: target.id,
      trigger: pending.trigger,
      from: pending.from,
      to: pending.to,
    },
    'approval-expired',
    `Nobody approved the rollback of ${target.id} from ${pending.from} to ${pending.to} by ${new Date(pending.expiresAt).toISOString()}; the policy says hold, so nothing was changed.`,
  );
  return { decision, next: withoutPending(state) };
}

/**
 * The sweep's check of a completed rollback: every trigger alarm OK → verified; past the deadline with a
 * trigger alarm in ALARM, in INSUFFICIENT_DATA or not found, the rollback is unverified: escalate and hold
 * the target (only OK is recovery: docs/decisions.md, "Verification").
 *
 * @param alarmStates the state of every alarm the sweep read (name → ALARM | OK | INSUFFICIENT_DATA); an
 *   alarm missing from it was not found.
 */
export function settleVerification(
  state: TargetState,
  target: RuntimeTarget,
  alarmStates: ReadonlyMap<string, string>,
  now: Millis,
): { next: TargetState; effects: DeploymentEffect[]; verified: boolean } {
  const v = state.verification;
  if (!v) return { next: state, effects: [], verified: false };
  const notOk = target.alarms
    .filter((a) => alarmStates.get(a) !== ALARM_STATE.ok)
    .map((a) => ({ name: a, value: alarmStates.get(a) ?? 'not found' }));
  const { verification: _done, ...rest } = state;
  if (notOk.length === 0) {
    return { next: rest, effects: [{ kind: 'verified', verification: v, at: now }], verified: true };
  }
  if (v.deadline > now) return { next: state, effects: [], verified: false };
  const states = notOk.map(
    (a) => `${a.name} ${a.value === ALARM_STATE.alarm ? 'still in ALARM' : `in ${a.value}`}`,
  );
  const why = `${states.join(', ')} ${Math.round((now - v.completedAt) / 60_000)} minutes after the rollback to ${v.to} completed`;
  const paused: Pause = {
    at: now,
    by: 'watchdog',
    reason: `${why}; automatic action is held until an operator resumes`,
  };
  return {
    next: { ...rest, paused },
    effects: [
      { kind: 'verification-failed', verification: v, at: now, why, notOk: notOk.map((a) => a.name) },
    ],
    verified: false,
  };
}

function claim(
  state: TargetState,
  decision: Decision,
  reason: RollbackReason,
  now: Millis,
  policy: ReturnType<typeof policyMs>,
): TargetState {
  return claimRollback(state, {
    decisionId: decision.id,
    trigger: decision.trigger,
    reason,
    from: decision.from!,
    to: decision.to!,
    action: decision.action!,
    now,
    windowMs: policy.maxRollbacks.windowMs,
    bakeMs: policy.bakeMs,
  });
}

function refuse(
  reason: SkipReason,
  refused: string,
  versions: { from?: string; to?: string } = {},
): ExplicitRollback {
  return { ok: false, reason, refused, ...versions };
}

function withoutPending(state: TargetState): TargetState {
  const { pendingApproval: _gone, ...rest } = state;
  return rest;
}
