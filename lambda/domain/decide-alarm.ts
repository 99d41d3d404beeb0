import {
  ALARM_STATE,
  DRILL_TTL_MINUTES,
  ESCALATING_SKIPS,
  NOTABLE_SKIPS,
  RETENTION,
  type SkipReason,
} from '../contract';
import { findEntry, isKnownGood, reconcileWithLive, rollbackCandidates, taint } from './ledger';
import { schemaConflict, type DatabaseSchema } from './schema';
import { unavailable, unavailableDetail } from './viability';
import {
  activePause,
  alarmMark,
  MINUTE,
  transitionKey,
  withAlarmMark,
  type AlarmMark,
  type AlarmTransition,
  type Decision,
  type DrillIntent,
  type LedgerEntry,
  type LiveOk,
  type LiveTarget,
  type Millis,
  type Pause,
  type Verification,
  type RuntimeTarget,
  type TargetState,
} from './model';
import { policyMs, type PolicyMs } from './policy';
import { withIncident } from './groups';
import { recordQuarantine, type QuarantineRole } from './quarantine';
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
  /**
   * Set when the decision is part of a release group's rollback (lambda/domain/groups.ts): the decision
   * carries the group and the incident; `pulled` when the target is a member pulled in by another member's
   * alarm rather than a target the alarm guards.
   */
  readonly group?: GroupRole;
  /**
   * Set when the decision is this region's answer to another region's version quarantine
   * (lambda/domain/quarantine.ts): the transition is the quarantine's (quarantineTransition), the target is
   * treated like a member pulled in (no alarm state, no health from it), the quarantine is recorded, and a
   * rollback's reason is `region`. Decided in QUARANTINE_SKIP_PRECEDENCE.
   */
  readonly quarantine?: QuarantineRole;
}

/** How a decision takes part in a release group's rollback. */
export interface GroupRole {
  readonly id: string;
  readonly incident: string;
  /**
   * The target is pulled in by another member's alarm. The alarm is not the target's own: it records no
   * alarm state and no health on the target (only the dedupe record, so that each member is pulled once per
   * transition), `alarm-predates-deploy` does not apply (release membership is decided by the group), and a
   * rollback's reason is `group`.
   */
  readonly pulled: boolean;
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
 * The skip reasons of an alarm transition, in precedence order (docs/decisions.md, "Precedence of skip
 * reasons"): when several apply, the first is reported. This table is the only place the order lives;
 * `unknown-alarm` is decided before any target is looked at (use-cases/handle-alarm.ts).
 */
export const ALARM_SKIP_PRECEDENCE = [
  'duplicate',
  'superseded',
  'stale',
  'not-alarm-state',
  'paused',
  'rollback-in-progress',
  'target-invalid',
  'native-rollback-in-progress',
  'current-is-known-good',
  'alarm-predates-deploy',
  'outside-watch-window',
  'no-known-good',
  'target-version-unavailable',
  'schema-incompatible',
  'cooldown',
  'rate-limited',
] as const satisfies readonly SkipReason[];

export type AlarmSkipReason = (typeof ALARM_SKIP_PRECEDENCE)[number];

/**
 * The skip reasons of a version quarantine from another region, in precedence order. Not the alarm's: a
 * quarantine is not stale however late it comes (a region that could not be reached gets it when it can), it
 * has no alarm state of its own, and whether this region serves the version at all is asked before anything
 * about automation, so that a region that never ran it only records it.
 */
export const QUARANTINE_SKIP_PRECEDENCE = [
  'duplicate',
  'target-invalid',
  'version-not-serving',
  'paused',
  'rollback-in-progress',
  'native-rollback-in-progress',
  'current-is-known-good',
  'outside-watch-window',
  'no-known-good',
  'target-version-unavailable',
  'schema-incompatible',
  'cooldown',
  'rate-limited',
] as const satisfies readonly SkipReason[];

type RuleReason = AlarmSkipReason | (typeof QUARANTINE_SKIP_PRECEDENCE)[number];

/** Drill transitions may be stamped slightly before the drill was recorded (clock skew between services). */
export const DRILL_SKEW_MS = 60_000;
const DRILL_TTL_MS = DRILL_TTL_MINUTES * MINUTE;

/**
 * The decision engine for one alarm transition and one target it guards (docs/decisions.md). Pure and total:
 * every input yields exactly one decision, and the next state already holds the claim when it rolls back.
 */
export function decideAlarm(input: AlarmDecisionInput): AlarmDecisionResult {
  const t = input.transition;
  const intent = input.state.drill;
  if (!intent || !drillMatches(intent, t)) {
    const r = decideCore(input, undefined);
    // An intent nobody consumed in time is forgotten, so that a later real incident is decided for real.
    return intent && drillExpired(intent, input.now) && r.next !== input.state
      ? { ...r, next: withoutDrill(r.next), unclaimed: withoutDrill(r.unclaimed) }
      : r;
  }
  // An operator's drill: decided exactly as a real incident, but as a dry run unless the drill is live, and
  // for real only on the drilled target itself (a drill never acts on another target the alarm guards).
  const live = intent.live && (intent.target ?? input.target.id) === input.target.id;
  const state = withoutDrill(input.state);
  const r = decideCore({ ...input, state }, live ? undefined : 'dry-run', !live);
  if (r.decision.reason === 'duplicate') return r;
  const marker = { id: intent.id, live, alarmToDecisionMs: Math.max(0, input.now - t.timestamp) };
  const announce = live && r.decision.notify === 'rollback-started' ? 'rollback-started' : 'drill';
  return {
    ...r,
    decision: { ...r.decision, drill: marker, notify: announce, escalate: live && r.decision.escalate },
  };
}

/** The forced transition of this drill: its alarm going to ALARM, stamped within the intent's lifetime. */
function drillMatches(intent: DrillIntent, t: AlarmTransition): boolean {
  return (
    intent.alarm === t.alarmName &&
    t.value === ALARM_STATE.alarm &&
    t.timestamp >= intent.requestedAt - DRILL_SKEW_MS &&
    t.timestamp <= intent.requestedAt + DRILL_TTL_MS
  );
}

export function drillExpired(intent: DrillIntent, now: Millis): boolean {
  return now > intent.requestedAt + DRILL_TTL_MS;
}

function withoutDrill(state: TargetState): TargetState {
  if (!state.drill) return state;
  const { drill: _gone, ...rest } = state;
  return rest;
}

/** Everything the skip rules look at, computed once. */
interface RuleContext {
  readonly input: AlarmDecisionInput;
  readonly t: AlarmTransition;
  readonly policy: PolicyMs;
  /** The state as it will be stored: dedupe record, high-water mark, ledger reconciled with the live view. */
  readonly state: TargetState;
  readonly mark: AlarmMark | undefined;
  readonly pause: Pause | undefined;
  readonly live: LiveOk | undefined;
  readonly current: string | undefined;
  readonly currentEntry: LedgerEntry | undefined;
  readonly startedAt: Millis | undefined;
  readonly alarmedSince: Millis;
  readonly inProgress: boolean;
  readonly completedAt: Millis | undefined;
  /** The newest known-good version that passes the schema gate: what a rollback goes to. */
  readonly candidate: LedgerEntry | undefined;
  /** Every known-good version other than the current one, newest first, whatever the schema gate says. */
  readonly knownGood: readonly LedgerEntry[];
  /** `knownGood` without the versions the platform said cannot be deployed again. */
  readonly viable: readonly LedgerEntry[];
  /** The database's schema level as the ledger knows it (undefined: no version declares one). */
  readonly db: DatabaseSchema | undefined;
  readonly duplicate: boolean;
}

/** A rule says why its reason applies (the decision's detail, and from / to where they are known), or nothing. */
type Rule = (c: RuleContext) => { detail: string; from?: string; to?: string } | undefined;

const RULES: Readonly<Record<RuleReason, Rule>> = {
  duplicate: (c) =>
    c.duplicate
      ? { detail: `This ${c.t.value} transition of ${c.t.alarmName} was already handled.` }
      : undefined,
  superseded: (c) =>
    c.mark && c.mark.timestamp > c.t.timestamp
      ? { detail: `A newer state of ${c.t.alarmName} (${c.mark.value}) was already seen.` }
      : undefined,
  stale: (c) =>
    c.input.now - c.t.timestamp > c.input.maxEventAgeMs
      ? {
          detail: `The transition is ${Math.round((c.input.now - c.t.timestamp) / MINUTE)} minutes old, older than the allowed event age.`,
        }
      : undefined,
  'not-alarm-state': (c) =>
    c.t.value !== ALARM_STATE.alarm ? { detail: `${c.t.alarmName} went to ${c.t.value}.` } : undefined,
  paused: (c) =>
    c.pause
      ? {
          detail: `${c.pause === c.input.globalPause ? 'The watchdog' : c.input.target.id} is paused by ${c.pause.by}: ${c.pause.reason}`,
        }
      : undefined,
  'rollback-in-progress': (c) => {
    const rollback = c.state.rollback;
    if (rollback && rollback.leaseUntil > c.input.now) {
      return {
        detail: `A rollback from ${rollback.from} to ${rollback.to} is already under way.`,
        from: rollback.from,
        to: rollback.to,
      };
    }
    const pending = c.state.pendingApproval;
    return pending && pending.expiresAt > c.input.now
      ? {
          detail: `A rollback from ${pending.from} to ${pending.to} awaits approval until ${iso(pending.expiresAt)}.`,
          from: pending.from,
          to: pending.to,
        }
      : undefined;
  },
  'target-invalid': (c) => {
    if (c.live) return undefined;
    const why = c.input.live?.kind === 'invalid' ? c.input.live.why : 'the service could not be read';
    return { detail: `${c.input.target.id} cannot be rolled back: ${why}.` };
  },
  'version-not-serving': (c) => {
    const q = c.input.quarantine;
    if (!q || c.current === undefined || c.current === q.version) return undefined;
    return {
      detail: `${q.from} quarantined ${q.version} (${q.why}); ${c.input.target.id} runs ${c.current} here, so the quarantine is recorded and a deployment of ${q.version} here will be stopped.`,
      from: c.current,
    };
  },
  'native-rollback-in-progress': (c) =>
    c.live?.nativeRollback ? { detail: `The service is already rolling back by itself.` } : undefined,
  'current-is-known-good': (c) =>
    c.current !== undefined && isKnownGood(c.currentEntry, c.input.now, c.policy.bakeMs)
      ? {
          detail: `${c.input.target.id} runs ${c.current}, a known-good version; the alarm is not blamed on a deployment.`,
          from: c.current,
        }
      : undefined,
  'alarm-predates-deploy': (c) =>
    c.input.group?.pulled !== true &&
    c.current !== undefined &&
    c.startedAt !== undefined &&
    c.alarmedSince < c.startedAt
      ? {
          detail: `${c.t.alarmName} was in ALARM since ${iso(c.alarmedSince)}, before ${c.current} started deploying at ${iso(c.startedAt)}.`,
          from: c.current,
        }
      : undefined,
  'outside-watch-window': (c) => {
    if (c.current === undefined || c.inProgress) return undefined;
    if (c.completedAt !== undefined && c.input.now - c.completedAt <= c.policy.watchWindowMs)
      return undefined;
    const when = c.completedAt === undefined ? 'at an unknown time' : `at ${iso(c.completedAt)}`;
    return {
      detail: `${c.current} finished deploying ${when}, outside the ${c.policy.watchWindowMs / MINUTE}-minute watch window.`,
      from: c.current,
    };
  },
  'no-known-good': (c) =>
    c.current !== undefined && c.knownGood.length === 0
      ? {
          detail: `No known-good version of ${c.input.target.id} other than ${c.current} to roll back to.`,
          from: c.current,
        }
      : undefined,
  'target-version-unavailable': (c) => {
    const newest = c.knownGood[0];
    if (c.current === undefined || !newest || c.viable.length > 0) return undefined;
    const others = c.knownGood.length - 1;
    return {
      detail: `${unavailableDetail(newest)}${others > 0 ? `; the ${others} older known-good version${others === 1 ? '' : 's'} cannot be deployed either` : ''}. Nothing to roll back ${c.input.target.id} to: restore what is missing (push the image again, register the revision again), or roll forward with a fix.`,
      from: c.current,
      to: newest.version,
    };
  },
  'schema-incompatible': (c) => {
    const newest = c.viable[0];
    if (c.current === undefined || c.candidate || !newest || !c.db) return undefined;
    const others = c.viable.length - 1;
    const gone = c.knownGood.length - c.viable.length;
    return {
      detail: `${schemaConflict(newest, c.db)}${others > 0 ? `; the ${others} older known-good version${others === 1 ? '' : 's'} cannot run on it either` : ''}${gone > 0 ? ` (${gone} known-good version${gone === 1 ? '' : 's'} can no longer be deployed at all)` : ''}. Rolling ${c.input.target.id} back would break it against the migrated database: roll forward with a fix instead.`,
      from: c.current,
      to: newest.version,
    };
  },
  cooldown: (c) => {
    const last = c.state.lastRollbackAt;
    return last !== undefined && c.input.now - last < c.policy.cooldownMs
      ? {
          detail: `${c.input.target.id} was rolled back at ${iso(last)}, less than ${c.policy.cooldownMs / MINUTE} minutes ago.`,
          ...fromTo(c),
        }
      : undefined;
  },
  'rate-limited': (c) => {
    const { count, windowMs } = c.policy.maxRollbacks;
    const recent = c.state.rollbackTimes.filter((at) => c.input.now - at < windowMs);
    return recent.length >= count
      ? {
          detail: `${recent.length} rollbacks of ${c.input.target.id} in the last ${windowMs / MINUTE} minutes reached the limit of ${count}.`,
          ...fromTo(c),
        }
      : undefined;
  },
};

/**
 * The newer known-good versions passed over on the way to the candidate, each with why (gone from the
 * platform, or the schema gate), in one sentence each (empty when none).
 */
function passedOver(c: RuleContext): string {
  const to = c.candidate?.version;
  const skipped = c.knownGood.slice(
    0,
    Math.max(
      0,
      c.knownGood.findIndex((e) => e.version === to),
    ),
  );
  return skipped
    .map((e) =>
      unavailable(e)
        ? ` Passed over ${unavailableDetail(e)}.`
        : c.db
          ? ` Passed over ${e.version}: ${schemaConflict(e, c.db)}.`
          : '',
    )
    .join('');
}

function fromTo(c: RuleContext): { from?: string; to?: string } {
  return {
    ...(c.current !== undefined ? { from: c.current } : {}),
    ...(c.candidate ? { to: c.candidate.version } : {}),
  };
}

/** Every skip reason that applies to this input, in precedence order (for tests and explanations). */
export function applicableSkips(input: AlarmDecisionInput): AlarmSkipReason[] {
  const c = ruleContext(input, false);
  return ALARM_SKIP_PRECEDENCE.filter((reason) => RULES[reason](c) !== undefined);
}

/**
 * The state the decision stores and the facts the rules read. Stale and superseded transitions change no
 * health: no high-water mark, no bake, no ledger (docs/decisions.md, "What an alarm transition records");
 * they only leave their dedupe record.
 */
function ruleContext(input: AlarmDecisionInput, rehearsal: boolean): RuleContext {
  const { now, transition: t, target } = input;
  const policy = policyMs(target.policy);
  const key = transitionKey(t);
  const duplicate = input.state.handled.some((h) => h.key === key);
  const mark = alarmMark(input.state, t.alarmName);
  let state = duplicate ? input.state : remember(input.state, key, input.decisionId, now);
  const superseded = mark !== undefined && mark.timestamp > t.timestamp;
  const stale = now - t.timestamp > input.maxEventAgeMs;
  // A quarantine's transition is the other region's, and may come late after an outage: never stale.
  const pulled = input.group?.pulled === true || input.quarantine !== undefined;
  const fresh = !duplicate && !superseded && (!stale || input.quarantine !== undefined);
  // Another member's alarm (a group pull) is no health of this target's: no mark, no taint.
  const healthChanges = fresh && !pulled;
  if (healthChanges) {
    state = {
      ...state,
      alarms: withAlarmMark(state.alarms, t.alarmName, {
        value: t.value,
        timestamp: t.timestamp,
        since: alarmSince(t, mark),
      }),
    };
  }
  const live = input.live?.kind === 'ok' ? input.live : undefined;
  if (fresh && t.value === ALARM_STATE.alarm && live) {
    state = reconcileWithLive(state, live, now, policy.bakeMs);
  }
  if (fresh && input.quarantine) {
    state = recordQuarantine(state, input.quarantine, now, policy.bakeMs);
  }
  if (healthChanges && t.value === ALARM_STATE.alarm && live) {
    // A version that has not proven itself is never known-good once a trigger alarm fired while it served.
    // Not for a rehearsal (a forced alarm is no evidence), nor for an alarm that was firing before the
    // version started (that one is blamed on what came before).
    const serving = live.latest?.version === live.currentVersion ? live.latest : undefined;
    const startedAt = serving?.startedAt ?? findEntry(state.ledger, live.currentVersion)?.startedAt;
    const since = alarmMark(state, t.alarmName)?.since ?? t.timestamp;
    if (!rehearsal && (startedAt === undefined || since >= startedAt)) {
      state = {
        ...state,
        // Judged at the alarm's start, not at processing time: an alarm that began before the version
        // finished baking disqualifies it even when its event arrives after the bake time.
        ledger: taint(
          state.ledger,
          live.currentVersion,
          `${t.alarmName} in ALARM before it baked`,
          now,
          policy.bakeMs,
          { judgedAt: Math.min(since, t.timestamp) },
        ),
      };
    }
  }
  const current = live?.currentVersion;
  const currentEntry = current !== undefined ? findEntry(state.ledger, current) : undefined;
  const { knownGood, viable, db, candidate } =
    current !== undefined
      ? rollbackCandidates(state.ledger, current, now, policy.bakeMs)
      : { knownGood: [], viable: [], db: undefined, candidate: undefined };
  const deployment = live?.latest?.version === current ? live?.latest : undefined;
  return {
    input,
    t,
    policy,
    state,
    mark,
    pause: activePause(input.globalPause, state.paused, input.now),
    live,
    current,
    currentEntry,
    startedAt: deployment?.startedAt ?? currentEntry?.startedAt,
    // Since when the alarm is in ALARM, by this transition's own account when it changes no health.
    alarmedSince: healthChanges ? (alarmMark(state, t.alarmName)?.since ?? t.timestamp) : alarmSince(t, mark),
    inProgress: deployment?.state === 'in-progress',
    completedAt:
      (deployment?.completedAtObserved === true && currentEntry?.deploymentId === deployment.id
        ? currentEntry.completedAt
        : undefined) ??
      deployment?.completedAt ??
      currentEntry?.completedAt,
    candidate,
    knownGood,
    viable,
    db,
    duplicate,
  };
}

function decideCore(
  input: AlarmDecisionInput,
  modeOverride: 'dry-run' | undefined,
  rehearsal = false,
): AlarmDecisionResult {
  const { now, transition: t, target } = input;
  const base = {
    id: input.decisionId,
    at: now,
    target: target.id,
    trigger: t.alarmName,
    ...(input.group ? { group: input.group.id, incident: input.group.incident } : {}),
  };
  const c = ruleContext(input, rehearsal);
  const q = input.quarantine;
  const rollbackReason = q ? 'region' : input.group?.pulled ? 'group' : 'alarm';

  for (const reason of q ? QUARANTINE_SKIP_PRECEDENCE : ALARM_SKIP_PRECEDENCE) {
    const applies = RULES[reason](c);
    if (!applies) continue;
    const { detail, ...extra } = applies;
    if (reason === 'not-alarm-state') return okTransition(c, base);
    const next = reason === 'duplicate' ? input.state : c.state;
    return { decision: skipDecision({ ...base, ...extra }, reason, detail), next, unclaimed: next };
  }

  // No skip applies: the target runs an unproven version inside its watch window, and there is a candidate.
  const live = c.live!;
  const current = c.current!;
  const to = c.candidate!.version;
  const state = c.state;
  const policy = c.policy;
  const action = chooseAction(live, to, state.ledger, target.policy);
  const verb = action.kind === 'stop' ? 'stop the in-progress deployment of' : 'redeploy';
  const fromTo = { from: current, to };
  const why = q
    ? `${q.from} quarantined ${q.version} (${q.why}) while ${current} was ${c.inProgress ? 'deploying' : 'inside its watch window'} here`
    : input.group?.pulled
      ? `${target.id} received the release of group ${input.group.id} that ${t.alarmName} fired on (incident ${input.group.incident})`
      : `${t.alarmName} fired while ${current} was ${c.inProgress ? 'deploying' : 'inside its watch window'}`;

  switch (modeOverride ?? policy.mode) {
    case 'dry-run':
      return {
        decision: {
          ...base,
          outcome: 'dry-run',
          reason: rollbackReason,
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
          reason: rollbackReason,
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
      reason: rollbackReason,
      ...fromTo,
      action,
      detail: `${why}; rolling back to ${to}.${passedOver(c)}`,
      escalate: false,
      notify: 'rollback-started',
    },
    next: withIncident(
      claimRollback(state, {
        decisionId: input.decisionId,
        trigger: t.alarmName,
        reason: rollbackReason,
        ...fromTo,
        action,
        now,
        windowMs: policy.maxRollbacks.windowMs,
        bakeMs: policy.bakeMs,
      }),
      input.group,
      now,
    ),
    unclaimed: state,
  };
}

/**
 * An OK (or INSUFFICIENT_DATA) transition that is neither a duplicate, superseded nor stale: versions whose bake
 * waited for the alarms start it when every trigger alarm is OK, and a verification completes then.
 * INSUFFICIENT_DATA is not recovery (docs/decisions.md, "Verification").
 */
function okTransition(
  c: RuleContext,
  base: Pick<Decision, 'id' | 'at' | 'target' | 'trigger'>,
): AlarmDecisionResult {
  const { t, input } = c;
  let state = c.state;
  const healthy = input.target.alarms.every((a) => {
    const value = alarmMark(state, a)?.value;
    return value === undefined || value === ALARM_STATE.ok;
  });
  if (healthy && state.ledger.some((e) => e.bakePending)) {
    // Every trigger alarm is OK again: versions that completed while one fired start their bake now.
    state = {
      ...state,
      ledger: state.ledger.map((e) =>
        e.bakePending ? { ...withoutBakePending(e), completedAt: input.now } : e,
      ),
    };
  }
  const verification = state.verification;
  if (verification && healthy) {
    const { verification: _done, ...verified } = state;
    return {
      decision: skipDecision(
        base,
        'not-alarm-state',
        `${t.alarmName} went to ${t.value}; every trigger alarm is OK again after the rollback to ${verification.to}.`,
      ),
      next: verified,
      unclaimed: verified,
      verified: verification,
    };
  }
  return {
    decision: skipDecision(base, 'not-alarm-state', `${t.alarmName} went to ${t.value}.`),
    next: state,
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
  base: Pick<Decision, 'id' | 'at' | 'target' | 'trigger'> &
    Partial<Pick<Decision, 'from' | 'to' | 'group' | 'incident'>>,
  reason: SkipReason,
  detail: string,
): Decision {
  const escalate = ESCALATING_SKIPS.includes(reason);
  const { id, at, target, trigger, from, to, group, incident } = base;
  return {
    id,
    at,
    target,
    trigger,
    outcome: 'skip',
    reason,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(group !== undefined ? { group } : {}),
    ...(incident !== undefined ? { incident } : {}),
    detail,
    escalate,
    ...(escalate
      ? { notify: 'escalation' as const }
      : NOTABLE_SKIPS.includes(reason)
        ? { notify: 'rollback-skipped' as const }
        : {}),
  };
}
