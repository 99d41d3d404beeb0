import { ALARM_STATE, ESCALATING_SKIPS, NOTABLE_SKIPS, RETENTION, type SkipReason } from '../contract';
import { findEntry, isKnownGood, reconcileWithLive, rollbackCandidate, taint } from './ledger';
import {
  alarmMark,
  MINUTE,
  transitionKey,
  withAlarmMark,
  type AlarmTransition,
  type Decision,
  type LedgerEntry,
  type LiveOk,
  type LiveTarget,
  type Millis,
  type Pause,
  type Verification,
  type RuntimeTarget,
  type TargetState,
} from './model';
import { policyMs } from './policy';
import { chooseAction, claimRollback } from './rollback';

/** Dedupe records kept per target; older transitions are caught by `superseded` or `stale`. */
const MAX_HANDLED = 100;
const HANDLED_RETENTION_MS = RETENTION.transitionDays * 24 * 60 * MINUTE;

export interface AlarmDecisionInput {
  readonly now: Millis;
  readonly decisionId: string;
  readonly transition: AlarmTransition;
  readonly target: RuntimeTarget;
  /** As stored (or `emptyTargetState` when the target has never been seen). */
  readonly state: TargetState;
  /** The service as its API reports it; read only for ALARM transitions. */
  readonly live: LiveTarget | undefined;
  readonly globalPause: Pause | undefined;
  readonly maxEventAgeMs: Millis;
}

export interface AlarmDecisionResult {
  readonly decision: Decision;
  /** The state to persist (conditionally on `state.revision`); identical to the input for `duplicate`. */
  readonly next: TargetState;
  /**
   * `next` without the claim: what to persist instead if the rollback call turns out impossible (the target
   * is invalid, or the platform already rolls back), so no cooldown or window slot is spent on it.
   */
  readonly unclaimed: TargetState;
  /** Set when this OK transition completed the verification of a rollback (every trigger alarm OK again). */
  readonly verified?: Verification;
}

/**
 * The decision engine for one alarm transition and one target it guards (CONTRACTS.md §2). Pure and total:
 * every input yields exactly one decision, and the next state already holds the claim when it rolls back.
 */
export function decideAlarm(input: AlarmDecisionInput): AlarmDecisionResult {
  const t = input.transition;
  const drill = input.state.drill;
  if (
    !drill ||
    drill.alarm !== t.alarmName ||
    t.value !== ALARM_STATE.alarm ||
    t.timestamp < drill.requestedAt - DRILL_SKEW_MS
  ) {
    return decideCore(input, undefined);
  }
  // An operator's drill: decided exactly as a real incident, but as a dry run unless the drill is live.
  const { drill: _consumed, ...state } = input.state;
  const r = decideCore({ ...input, state }, drill.live ? undefined : 'dry-run', !drill.live);
  if (r.decision.reason === 'duplicate') return r;
  const marker = { id: drill.id, live: drill.live, alarmToDecisionMs: Math.max(0, input.now - t.timestamp) };
  const announce = drill.live && r.decision.notify === 'rollback-started' ? 'rollback-started' : 'drill';
  return {
    ...r,
    decision: { ...r.decision, drill: marker, notify: announce, escalate: drill.live && r.decision.escalate },
  };
}

/** Drill transitions may be stamped slightly before the drill was recorded (clock skew between services). */
const DRILL_SKEW_MS = 60_000;

function decideCore(
  input: AlarmDecisionInput,
  modeOverride: 'dry-run' | undefined,
  rehearsal = false,
): AlarmDecisionResult {
  const { now, transition: t, target, live } = input;
  const policy = policyMs(target.policy);
  const key = transitionKey(t);
  const base = { id: input.decisionId, at: now, target: target.id, trigger: t.alarmName };

  const skip = (
    reason: SkipReason,
    detail: string,
    next: TargetState,
    extra: Partial<Decision> = {},
  ): AlarmDecisionResult => ({
    decision: skipDecision({ ...base, ...extra }, reason, detail),
    next,
    unclaimed: next,
  });

  if (input.state.handled.some((h) => h.key === key)) {
    return skip(
      'duplicate',
      `This ${t.value} transition of ${t.alarmName} was already handled.`,
      input.state,
    );
  }

  const mark = alarmMark(input.state, t.alarmName);
  let state = remember(input.state, key, input.decisionId, now);
  if (mark && mark.timestamp > t.timestamp) {
    return skip('superseded', `A newer state of ${t.alarmName} (${mark.value}) was already seen.`, state);
  }
  state = {
    ...state,
    alarms: withAlarmMark(state.alarms, t.alarmName, {
      value: t.value,
      timestamp: t.timestamp,
      since: alarmSince(t, mark),
    }),
  };
  if (now - t.timestamp > input.maxEventAgeMs) {
    return skip(
      'stale',
      `The transition is ${Math.round((now - t.timestamp) / MINUTE)} minutes old, older than the allowed event age.`,
      state,
    );
  }
  if (t.value !== ALARM_STATE.alarm) {
    const verification = state.verification;
    const healthy = target.alarms.every((a) => alarmMark(state, a)?.value !== ALARM_STATE.alarm);
    if (healthy && state.ledger.some((e) => e.bakePending)) {
      // Every trigger alarm is OK again: versions that completed while one fired start their bake now.
      state = {
        ...state,
        ledger: state.ledger.map((e) => (e.bakePending ? { ...withoutBakePending(e), completedAt: now } : e)),
      };
    }
    if (verification && healthy) {
      const { verification: _done, ...verified } = state;
      const result = skip(
        'not-alarm-state',
        `${t.alarmName} went to ${t.value}; every trigger alarm is OK again after the rollback to ${verification.to}.`,
        verified,
      );
      return { ...result, verified: verification };
    }
    return skip('not-alarm-state', `${t.alarmName} went to ${t.value}.`, state);
  }

  const liveOk: LiveOk | undefined = live?.kind === 'ok' ? live : undefined;
  if (liveOk) {
    state = reconcileWithLive(state, liveOk, now, policy.bakeMs);
    // A version that has not proven itself is never known-good once a trigger alarm fired while it served.
    // Not for a rehearsal (a forced alarm is no evidence), nor for an alarm that was firing before the
    // version started (that one is blamed on what came before).
    const serving = liveOk.latest?.version === liveOk.currentVersion ? liveOk.latest : undefined;
    const startedAt = serving?.startedAt ?? findEntry(state.ledger, liveOk.currentVersion)?.startedAt;
    const since = alarmMark(state, t.alarmName)?.since ?? t.timestamp;
    if (!rehearsal && (startedAt === undefined || since >= startedAt)) {
      state = {
        ...state,
        // Judged at the alarm's start, not at processing time: an alarm that began before the version
        // finished baking disqualifies it even when its event arrives after the bake time.
        ledger: taint(
          state.ledger,
          liveOk.currentVersion,
          `${t.alarmName} in ALARM before it baked`,
          now,
          policy.bakeMs,
          { judgedAt: Math.min(since, t.timestamp) },
        ),
      };
    }
  }

  const pause = input.globalPause ?? state.paused;
  if (pause) {
    return skip(
      'paused',
      `${input.globalPause ? 'The watchdog' : target.id} is paused by ${pause.by}: ${pause.reason}`,
      state,
    );
  }
  const rollback = state.rollback;
  if (rollback && rollback.leaseUntil > now) {
    return skip(
      'rollback-in-progress',
      `A rollback from ${rollback.from} to ${rollback.to} is already under way.`,
      state,
      { from: rollback.from, to: rollback.to },
    );
  }
  const pending = state.pendingApproval;
  if (pending && pending.expiresAt > now) {
    return skip(
      'rollback-in-progress',
      `A rollback from ${pending.from} to ${pending.to} awaits approval until ${iso(pending.expiresAt)}.`,
      state,
      { from: pending.from, to: pending.to },
    );
  }
  if (!liveOk) {
    const why = live?.kind === 'invalid' ? live.why : 'the service could not be read';
    return skip('target-invalid', `${target.id} cannot be rolled back: ${why}.`, state);
  }
  if (liveOk.nativeRollback) {
    return skip('native-rollback-in-progress', `The service is already rolling back by itself.`, state);
  }
  const current = liveOk.currentVersion;
  const currentEntry = findEntry(state.ledger, current);
  if (isKnownGood(currentEntry, now, policy.bakeMs)) {
    return skip(
      'current-is-known-good',
      `${target.id} runs ${current}, a known-good version; the alarm is not blamed on a deployment.`,
      state,
      { from: current },
    );
  }
  const deployment = liveOk.latest?.version === current ? liveOk.latest : undefined;
  const startedAt = deployment?.startedAt ?? currentEntry?.startedAt;
  const alarmedSince = alarmMark(state, t.alarmName)?.since ?? t.timestamp;
  if (startedAt !== undefined && alarmedSince < startedAt) {
    return skip(
      'alarm-predates-deploy',
      `${t.alarmName} was in ALARM since ${iso(alarmedSince)}, before ${current} started deploying at ${iso(startedAt)}.`,
      state,
      { from: current },
    );
  }
  const inProgress = deployment?.state === 'in-progress';
  const completedAt = deployment?.completedAt ?? currentEntry?.completedAt;
  if (!inProgress && (completedAt === undefined || now - completedAt > policy.watchWindowMs)) {
    const when = completedAt === undefined ? 'at an unknown time' : `at ${iso(completedAt)}`;
    return skip(
      'outside-watch-window',
      `${current} finished deploying ${when}, outside the ${policy.watchWindowMs / MINUTE}-minute watch window.`,
      state,
      { from: current },
    );
  }
  const candidate = rollbackCandidate(state.ledger, current, now, policy.bakeMs);
  if (!candidate) {
    return skip(
      'no-known-good',
      `No known-good version of ${target.id} other than ${current} to roll back to.`,
      state,
      { from: current },
    );
  }
  const to = candidate.version;
  if (state.lastRollbackAt !== undefined && now - state.lastRollbackAt < policy.cooldownMs) {
    return skip(
      'cooldown',
      `${target.id} was rolled back at ${iso(state.lastRollbackAt)}, less than ${policy.cooldownMs / MINUTE} minutes ago.`,
      state,
      { from: current, to },
    );
  }
  const recent = state.rollbackTimes.filter((at) => now - at < policy.maxRollbacks.windowMs);
  if (recent.length >= policy.maxRollbacks.count) {
    return skip(
      'rate-limited',
      `${recent.length} rollbacks of ${target.id} in the last ${policy.maxRollbacks.windowMs / MINUTE} minutes reached the limit of ${policy.maxRollbacks.count}.`,
      state,
      { from: current, to },
    );
  }

  const action = chooseAction(liveOk, to, state.ledger);
  const verb = action.kind === 'stop' ? 'stop the in-progress deployment of' : 'redeploy';
  const fromTo = { from: current, to };

  switch (modeOverride ?? policy.mode) {
    case 'dry-run':
      return {
        decision: {
          ...base,
          outcome: 'dry-run',
          reason: 'alarm',
          ...fromTo,
          detail: `Dry run: would ${verb} ${action.kind === 'stop' ? current : to} to roll ${target.id} back from ${current} to ${to}.`,
          escalate: false,
          notify: 'rollback-skipped',
        },
        next: state,
        unclaimed: state,
      };
    case 'approval': {
      const expiresAt = now + policy.approvalTimeoutMs;
      return {
        decision: {
          ...base,
          outcome: 'approval-requested',
          reason: 'alarm',
          ...fromTo,
          detail: `Approval needed to roll ${target.id} back from ${current} to ${to}, until ${iso(expiresAt)}; then the policy says ${target.policy.approvalTimeoutAction}.`,
          escalate: false,
          notify: 'approval-requested',
        },
        next: {
          ...state,
          pendingApproval: {
            decisionId: input.decisionId,
            trigger: t.alarmName,
            ...fromTo,
            requestedAt: now,
            expiresAt,
          },
        },
        unclaimed: state,
      };
    }
    case 'auto':
      break;
  }

  return {
    decision: {
      ...base,
      outcome: 'rollback',
      reason: 'alarm',
      ...fromTo,
      action,
      detail: `${t.alarmName} fired while ${current} was ${inProgress ? 'deploying' : 'inside its watch window'}; rolling back to ${to}.`,
      escalate: false,
      notify: 'rollback-started',
    },
    next: claimRollback(state, {
      decisionId: input.decisionId,
      trigger: t.alarmName,
      reason: 'alarm',
      ...fromTo,
      action,
      now,
      windowMs: policy.maxRollbacks.windowMs,
      bakeMs: policy.bakeMs,
    }),
    unclaimed: state,
  };
}

/**
 * When the alarm entered its current value: for ALARM -> ALARM (composite suppression ended) it has been in
 * ALARM since the earlier transition.
 */
function alarmSince(t: AlarmTransition, mark: { value: string; since: Millis } | undefined): Millis {
  if (t.previousValue === t.value) {
    const candidates = [t.timestamp, t.previousTimestamp, mark?.value === t.value ? mark.since : undefined];
    return Math.min(...candidates.filter((c): c is Millis => c !== undefined));
  }
  return t.timestamp;
}

function withoutBakePending(e: LedgerEntry): LedgerEntry {
  const { bakePending: _started, ...rest } = e;
  return rest;
}

function remember(state: TargetState, key: string, decisionId: string, now: Millis): TargetState {
  const handled = [
    { key, at: now, decisionId },
    ...state.handled.filter((h) => now - h.at < HANDLED_RETENTION_MS),
  ].slice(0, MAX_HANDLED);
  return { ...state, handled };
}

function iso(ms: Millis): string {
  return new Date(ms).toISOString();
}

/** A `skip` decision with the notification and escalation its reason calls for. */
export function skipDecision(
  base: Pick<Decision, 'id' | 'at' | 'target' | 'trigger'> & Partial<Pick<Decision, 'from' | 'to'>>,
  reason: SkipReason,
  detail: string,
): Decision {
  const escalate = ESCALATING_SKIPS.includes(reason);
  const { id, at, target, trigger, from, to } = base;
  return {
    id,
    at,
    target,
    trigger,
    outcome: 'skip',
    reason,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    detail,
    escalate,
    ...(escalate
      ? { notify: 'escalation' as const }
      : NOTABLE_SKIPS.includes(reason)
        ? { notify: 'rollback-skipped' as const }
        : {}),
  };
}
