import {
  ALARM_STATE,
  DEFAULT_LEASE_MINUTES,
  ESCALATING_SKIPS,
  NOTABLE_SKIPS,
  RETENTION,
  type SkipReason,
} from '../contract';
import { findEntry, isKnownGood, reconcileWithLive, rollbackCandidate, taint } from './ledger';
import {
  MINUTE,
  transitionKey,
  type AlarmTransition,
  type Decision,
  type LiveOk,
  type LiveTarget,
  type Millis,
  type Pause,
  type RollbackAction,
  type RuntimeTarget,
  type TargetState,
} from './model';
import { policyMs } from './policy';

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
}

/**
 * The decision engine for one alarm transition and one target it guards (CONTRACTS.md §2). Pure and total:
 * every input yields exactly one decision, and the next state already holds the claim when it rolls back.
 */
export function decideAlarm(input: AlarmDecisionInput): AlarmDecisionResult {
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

  const mark = input.state.alarms[t.alarmName];
  let state = remember(input.state, key, input.decisionId, now);
  if (mark && mark.timestamp > t.timestamp) {
    return skip('superseded', `A newer state of ${t.alarmName} (${mark.value}) was already seen.`, state);
  }
  state = {
    ...state,
    alarms: {
      ...state.alarms,
      [t.alarmName]: { value: t.value, timestamp: t.timestamp, since: alarmSince(t, mark) },
    },
  };
  if (now - t.timestamp > input.maxEventAgeMs) {
    return skip(
      'stale',
      `The transition is ${Math.round((now - t.timestamp) / MINUTE)} minutes old, older than the allowed event age.`,
      state,
    );
  }
  if (t.value !== ALARM_STATE.alarm) {
    return skip('not-alarm-state', `${t.alarmName} went to ${t.value}.`, state);
  }

  const liveOk: LiveOk | undefined = live?.kind === 'ok' ? live : undefined;
  if (liveOk) {
    state = reconcileWithLive(state, liveOk, now, policy.bakeMs);
    // A version that has not proven itself is never known-good once a trigger alarm fired while it served.
    state = {
      ...state,
      ledger: taint(
        state.ledger,
        liveOk.currentVersion,
        `${t.alarmName} in ALARM before it baked`,
        now,
        policy.bakeMs,
      ),
    };
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
  const alarmedSince = state.alarms[t.alarmName]?.since ?? t.timestamp;
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

  const action: RollbackAction =
    inProgress && deployment?.stopRef && deployment.stopRestores === to
      ? { kind: 'stop', deploymentRef: deployment.stopRef }
      : {
          kind: 'redeploy',
          version: to,
          ...(candidate.artifact !== undefined ? { artifact: candidate.artifact } : {}),
        };
  const verb = action.kind === 'stop' ? 'stop the in-progress deployment of' : 'redeploy';
  const fromTo = { from: current, to };

  switch (policy.mode) {
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
    case 'approval':
      return {
        decision: {
          ...base,
          outcome: 'approval-requested',
          reason: 'alarm',
          ...fromTo,
          detail: `Approval needed to roll ${target.id} back from ${current} to ${to}.`,
          escalate: false,
          notify: 'approval-requested',
        },
        next: state,
        unclaimed: state,
      };
    case 'auto':
      break;
  }

  const claimed: TargetState = {
    ...state,
    ledger: taint(state.ledger, current, `rolled back by ${input.decisionId}`, now, policy.bakeMs, {
      evenIfProven: true,
    }),
    rollback: {
      decisionId: input.decisionId,
      trigger: t.alarmName,
      reason: 'alarm',
      ...fromTo,
      action: action.kind,
      claimedAt: now,
      leaseUntil: now + DEFAULT_LEASE_MINUTES * MINUTE,
    },
    rollbackTimes: [...recent, now],
    lastRollbackAt: now,
  };
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
    next: claimed,
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
