import { FUNCTION_TIMEOUT_SECONDS, OUTBOX_MAX_ENTRIES, type RuntimePolicy } from '../contract';
import { skipDecision } from './decide-alarm';
import type {
  ActiveRollback,
  AlarmTransition,
  Decision,
  IssuedMark,
  LiveOk,
  LiveTarget,
  Millis,
  OutboxEntry,
  Pause,
  RollbackAction,
  TargetState,
} from './model';
import { activePause } from './model';
import { chooseAction } from './rollback';

/**
 * The life of a claimed rollback after the claim is written (docs/reliability.md):
 * claimed → issued (the call returned, or the platform shows it) → reported (audit + notification) → done.
 * Everything here is pure: the use case reads, decides with these functions, then writes.
 */

/** Slack between the Lambda's clock and the platform's deployment timestamps. */
export const CLOCK_SKEW_MS = 60_000;

/** Claims written before `actingUntil` existed: their writer had at most an event handler's timeout. */
const LEGACY_ACTING_MS = FUNCTION_TIMEOUT_SECONDS.event * 1000;

/** The invocation that wrote the claim is certainly over: its function's timeout has passed. */
export function claimOwnerGone(rollback: ActiveRollback, now: Millis): boolean {
  return (rollback.actingUntil ?? rollback.claimedAt + LEGACY_ACTING_MS) <= now;
}

/**
 * Whether the claim's rollback call is known to have gone through. Claims written before the issued mark
 * existed (no `actingUntil`) count as issued: the code that wrote them acted and reported in one go.
 */
export function isIssued(rollback: ActiveRollback): boolean {
  return rollback.issued !== undefined || rollback.actingUntil === undefined;
}

/** A claim nobody is working on any more and whose rollback call is not known to have gone through. */
export function unissuedOrphan(state: TargetState, now: Millis): ActiveRollback | undefined {
  const r = state.rollback;
  return r && !isIssued(r) && claimOwnerGone(r, now) ? r : undefined;
}

/**
 * Does the target show the rollback the claim asked for? Used after an ambiguous failure of the rollback call
 * and when a claim was left unissued. A deployment of `to` counts only if it started after the claim (less the
 * clock skew between Lambda and the platform) or names the claim's decision: an older deployment of the same
 * version is history, not our rollback.
 */
export function rollbackUnderway(live: LiveTarget, rollback: ActiveRollback): boolean {
  if (live.kind !== 'ok') return false;
  // Wherever it came from, the target is where the claim wanted it: acting again could only do harm.
  if (live.currentVersion === rollback.to) return true;
  const latest = live.latest;
  if (latest?.initiatedBy === rollback.decisionId) return true;
  if (rollback.action === 'stop' && live.nativeRollback) return true;
  return (
    latest !== undefined &&
    latest.version === rollback.to &&
    latest.startedAt >= rollback.claimedAt - CLOCK_SKEW_MS
  );
}

export type UnissuedSettlement =
  /** The platform shows the rollback: mark it issued and report it. */
  | { readonly kind: 'underway' }
  /** Nothing happened: carry the claimed rollback out now, with the action the live view calls for. */
  | { readonly kind: 'act'; readonly action: RollbackAction; readonly decision: Decision }
  /** The claim no longer applies: give it back and report this decision instead. */
  | { readonly kind: 'release'; readonly decision: Decision };

export interface UnissuedInput {
  readonly state: TargetState;
  readonly rollback: ActiveRollback;
  readonly live: LiveOk;
  readonly now: Millis;
  readonly globalPause: Pause | undefined;
  /** The target's policy (`fastRollback`), when the rollback has to be chosen again. */
  readonly policy: Pick<RuntimePolicy, 'fastRollback'>;
}

/**
 * The redelivery rule for a claim whose rollback call may never have been made (its invocation died, lost the
 * answer, or failed in a way it could not read): under way → issued; nothing happened → act now; the target
 * moved on, or automation was paused since → release with an honest reason. An operator's own rollback is not
 * held by a pause, exactly as when it was first decided.
 */
export function settleUnissued(input: UnissuedInput): UnissuedSettlement {
  const { rollback, live, now, state } = input;
  if (rollbackUnderway(live, rollback)) return { kind: 'underway' };
  const decision = claimedDecision(rollback);
  const automatic = rollback.reason === 'alarm' || rollback.reason === 'approval-timeout';
  const pause = activePause(input.globalPause, state.paused, now);
  if (automatic && pause) {
    return {
      kind: 'release',
      decision: skipDecision(
        { ...decision, at: now },
        'paused',
        `The rollback from ${rollback.from} to ${rollback.to} was claimed but not yet issued when ${pause === input.globalPause ? 'the watchdog' : decision.target} was paused by ${pause.by}: ${pause.reason}`,
      ),
    };
  }
  if (live.nativeRollback) {
    return {
      kind: 'release',
      decision: skipDecision(
        { ...decision, at: now },
        'native-rollback-in-progress',
        `The platform is already rolling ${decision.target} back by itself; the claimed rollback to ${rollback.to} is not needed.`,
      ),
    };
  }
  const planned = decision.action;
  if (
    planned?.kind === 'replace' &&
    live.latest?.id === planned.deploymentRef &&
    live.latest.state !== 'in-progress'
  ) {
    // The first half of a replace went through before its invocation died: the blamed deployment is stopped.
    const { deploymentRef: _stopped, kind: _replace, ...redeploy } = planned;
    const action: RollbackAction = { kind: 'redeploy', ...redeploy };
    return { kind: 'act', action, decision: { ...decision, action } };
  }
  if (live.currentVersion !== rollback.from) {
    return {
      kind: 'release',
      decision: skipDecision(
        { ...decision, at: now },
        'target-changed',
        `${decision.target} runs ${live.currentVersion} now, not ${rollback.from}: the rollback to ${rollback.to} claimed at ${iso(rollback.claimedAt)} no longer applies and was not issued.`,
      ),
    };
  }
  const action = chooseAction(live, rollback.to, state.ledger, input.policy);
  return { kind: 'act', action, decision: { ...decision, action } };
}

/** The decision a claim carries, or (claims from before it was stored) the one its fields describe. */
export function claimedDecision(rollback: ActiveRollback): Decision {
  return (
    rollback.decision ?? {
      id: rollback.decisionId,
      at: rollback.claimedAt,
      target: '',
      trigger: rollback.trigger,
      outcome: 'rollback',
      reason: rollback.reason,
      from: rollback.from,
      to: rollback.to,
      detail: `Rolling back from ${rollback.from} to ${rollback.to}.`,
      escalate: false,
      notify: 'rollback-started',
    }
  );
}

/**
 * The rollback call went through (or the platform shows it did): the claim is marked issued and its decision
 * enters the outbox, in one write, before anything is reported. A claim already gone (the rollback completed
 * before this write) still gets its outbox entry: the report is owed either way.
 */
export function markIssued(
  state: TargetState,
  decisionId: string,
  mark: IssuedMark,
  report: Omit<OutboxEntry, 'audited' | 'announced'>,
): TargetState {
  const rollback = state.rollback;
  const claimed = rollback?.decisionId === decisionId ? rollback : undefined;
  const already = state.outbox?.some((e) => e.decision.id === report.decision.id) === true;
  if (claimed?.issued && already) return state;
  return {
    ...state,
    ...(claimed && !claimed.issued ? { rollback: { ...claimed, issued: mark } } : {}),
    ...(already ? {} : { outbox: enqueue(state.outbox, { ...report, audited: false, announced: false }) }),
  };
}

/**
 * The rollback finished (its completion or failure was seen) while its claim was still unissued: the call did
 * go through, but the invocation that made it has not said so (yet, or ever). Its report is owed: the entry is
 * the claiming invocation's until its `actingUntil`, anyone's after.
 */
export function oweReport(state: TargetState, rollback: ActiveRollback): TargetState {
  if (isIssued(rollback) || state.outbox?.some((e) => e.decision.id === rollback.decisionId)) return state;
  const entry: OutboxEntry = {
    decision: claimedDecision(rollback),
    requestId: rollback.requestId ?? rollback.decisionId,
    ...(rollback.transition ? { transition: rollback.transition } : {}),
    audited: false,
    announced: false,
    until: rollback.actingUntil ?? rollback.claimedAt + LEGACY_ACTING_MS,
  };
  return { ...state, outbox: enqueue(state.outbox, entry) };
}

/** Hands an unissued claim to the invocation that settles it: nobody else acts on it until `until`. */
export function takeOverClaim(state: TargetState, decisionId: string, until: Millis): TargetState {
  const r = state.rollback;
  if (!r || r.decisionId !== decisionId || isIssued(r)) return state;
  return { ...state, rollback: { ...r, actingUntil: until } };
}

/**
 * The invocation that claimed could not tell whether its call went through, or failed before making it: it
 * says it is done with the claim, so the next delivery (Lambda's retry) settles it at once instead of waiting
 * for the function's timeout.
 */
export function abandonClaim(state: TargetState, decisionId: string, now: Millis): TargetState {
  const r = state.rollback;
  if (!r || r.decisionId !== decisionId || isIssued(r)) return state;
  return { ...state, rollback: { ...r, actingUntil: Math.min(r.actingUntil ?? now, now) } };
}

/**
 * Drops the claim (its rollback was not issued and will not be), keeping every other change but the cooldown
 * and window slot it took: a rollback that never happened must not hold back the next one.
 */
export function releaseClaim(state: TargetState, decisionId: string): TargetState {
  const claim = state.rollback;
  if (claim?.decisionId !== decisionId) return state;
  const { rollback: _released, lastRollbackAt: _last, ...rest } = state;
  const rollbackTimes = state.rollbackTimes.filter((at) => at !== claim.claimedAt);
  const lastRollbackAt = rollbackTimes.length > 0 ? Math.max(...rollbackTimes) : undefined;
  return { ...rest, rollbackTimes, ...(lastRollbackAt !== undefined ? { lastRollbackAt } : {}) };
}

/** Entries the caller may report now: its own, or any whose writer is gone. */
export function dueOutbox(state: TargetState, now: Millis, own?: string): readonly OutboxEntry[] {
  return (state.outbox ?? []).filter((e) => e.decision.id === own || e.until <= now);
}

/** Records what of an entry's report is done; the entry leaves the outbox when both parts are. */
export function reported(
  state: TargetState,
  decisionId: string,
  done: { readonly audited: boolean; readonly announced: boolean },
): TargetState {
  const entry = state.outbox?.find((e) => e.decision.id === decisionId);
  if (!entry) return state;
  const audited = entry.audited || done.audited;
  const announced = entry.announced || done.announced;
  if (audited === entry.audited && announced === entry.announced) return state;
  const rest = (state.outbox ?? []).filter((e) => e !== entry);
  const outbox = audited && announced ? rest : [...rest, { ...entry, audited, announced }];
  return withOutbox(state, outbox);
}

/** Makes an entry the caller's to report until `until` (a relay of someone else's entry). */
export function takeOutbox(state: TargetState, decisionId: string, until: Millis): TargetState {
  const outbox = state.outbox ?? [];
  if (!outbox.some((e) => e.decision.id === decisionId)) return state;
  return withOutbox(
    state,
    outbox.map((e) => (e.decision.id === decisionId ? { ...e, until } : e)),
  );
}

function enqueue(outbox: readonly OutboxEntry[] | undefined, entry: OutboxEntry): readonly OutboxEntry[] {
  return [...(outbox ?? []), entry].slice(-OUTBOX_MAX_ENTRIES);
}

function withOutbox(state: TargetState, outbox: readonly OutboxEntry[]): TargetState {
  if (outbox.length > 0) return { ...state, outbox };
  const { outbox: _empty, ...rest } = state;
  return rest;
}

/** What an alarm transition's record needs to be told again later; long texts are cut for storage. */
export function storableTransition(t: AlarmTransition): AlarmTransition {
  return {
    ...t,
    reason: cut(t.reason, 1_000),
    ...(t.reasonData !== undefined ? { reasonData: cut(t.reasonData, 4_000) } : {}),
  };
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function iso(ms: Millis): string {
  return new Date(ms).toISOString();
}
