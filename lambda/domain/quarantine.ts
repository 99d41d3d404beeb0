import {
  ALARM_STATE,
  QUARANTINE_KEEP_DAYS,
  QUARANTINE_REPORT_MINUTES,
  QUARANTINE_RETRY_MINUTES,
  type QuarantineCause,
} from '../contract';
import { findEntry, taint } from './ledger';
import { MINUTE, type AlarmTransition, type Millis, type TargetState } from './model';

/**
 * Version quarantine across regions (README, "Version quarantine across regions"): what one region's watchdog
 * owes the others after it rolled a version back, and what it keeps of the quarantines the others sent it.
 * Pure; the use cases (lambda/use-cases/quarantine.ts) put the events on the bus and read them back.
 */

const DAY = 24 * 60 * MINUTE;
const KEEP_MS = QUARANTINE_KEEP_DAYS * DAY;
const RETRY_MS = QUARANTINE_RETRY_MINUTES * MINUTE;
const REPORT_MS = QUARANTINE_REPORT_MINUTES * MINUTE;
/** The origin stops putting a quarantine on the bus again after this long (EventBridge's own retry limit). */
export const QUARANTINE_GIVE_UP_MS = DAY;
/** Received quarantines kept per target (newest first); older ones drop out first. */
const MAX_RECEIVED = 20;

/** A quarantine another region sent about one of this target's versions (TargetState.quarantined). */
export interface ReceivedQuarantine {
  readonly version: string;
  /** The region whose watchdog decided it. */
  readonly from: string;
  /** The origin's decision id: the dedupe key of the quarantine everywhere. */
  readonly decisionId: string;
  readonly cause: QuarantineCause;
  /** When the origin decided it. */
  readonly at: Millis;
  readonly why: string;
  /** When this region first recorded it. */
  readonly receivedAt: Millis;
}

/** A quarantine this region owes the other regions until each has sent its receipt (TargetState.quarantineOut). */
export interface SentQuarantine {
  readonly decisionId: string;
  readonly version: string;
  readonly cause: QuarantineCause;
  readonly why: string;
  /** When it was decided here. */
  readonly at: Millis;
  /** The regions whose receipt has not come yet. */
  readonly awaiting: readonly string[];
  /** When it was last put on the bus; absent: never yet (the put failed or has not run). */
  readonly sentAt?: Millis;
  /** Sends by the sweep (the first send, by the invocation that decided, is not counted). */
  readonly attempts: number;
  /** When the regions still awaited were reported as not reached (once). */
  readonly reportedAt?: Millis;
}

/** What a decision knows of the quarantine it decides on (AlarmDecisionInput.quarantine). */
export type QuarantineRole = Omit<ReceivedQuarantine, 'receivedAt'>;

/**
 * The transition a quarantine is decided as: an ALARM of a trigger named after its origin, stamped with the
 * origin's decision time, so that every delivery of the same quarantine has the same dedupe key (and a check of
 * one deployment of it, `deploymentId`, its own).
 */
export function quarantineTransition(q: QuarantineRole, deploymentId?: string): AlarmTransition {
  return {
    alarmName: quarantineTrigger(q.from),
    alarmArn: `quarantine:${q.decisionId}${deploymentId === undefined ? '' : `:${deploymentId}`}`,
    value: ALARM_STATE.alarm,
    timestamp: q.at,
    previousValue: ALARM_STATE.ok,
    previousTimestamp: undefined,
    reason: q.why,
    reasonData: undefined,
  };
}

/** The trigger a region's decisions on a quarantine name: `quarantine from us-east-1`. */
export function quarantineTrigger(from: string): string {
  return `quarantine from ${from}`;
}

/**
 * Records a received quarantine (once per decision id) and taints the version in this region's ledger, so that
 * it is never a rollback target here and, while it serves inside its watch window, is rolled back: another
 * region's alarm outweighs a bake here without one. A version with sticky proof here (it already served when
 * the watchdog first saw the target, or was deployed again after it had baked) is left as it is: this region
 * has run it for longer than any watch window.
 */
export function recordQuarantine(
  state: TargetState,
  q: QuarantineRole,
  now: Millis,
  bakeMs: Millis,
): TargetState {
  const kept = (state.quarantined ?? []).filter((r) => now - r.receivedAt < KEEP_MS);
  const known = kept.some((r) => r.decisionId === q.decisionId);
  const quarantined = known ? kept : [{ ...q, receivedAt: now }, ...kept].slice(0, MAX_RECEIVED);
  const entry = findEntry(state.ledger, q.version);
  const ledger =
    entry && entry.proven !== true && entry.taintedAt === undefined
      ? taint(state.ledger, q.version, `quarantined by ${q.from}: ${q.why}`, now, bakeMs, {
          evenIfProven: true,
        })
      : state.ledger;
  return { ...state, quarantined, ledger };
}

/** The quarantine in force here for `version`, newest first; undefined when none. */
export function quarantineOf(
  state: Pick<TargetState, 'quarantined'> | undefined,
  version: string,
  now: Millis,
): ReceivedQuarantine | undefined {
  return (state?.quarantined ?? []).find((r) => r.version === version && now - r.receivedAt < KEEP_MS);
}

/** Owes the other regions a quarantine of `version` (written with the claim of the rollback from it). */
export function oweQuarantine(
  state: TargetState,
  q: Pick<SentQuarantine, 'decisionId' | 'version' | 'cause' | 'why' | 'at'>,
  regions: readonly string[],
): TargetState {
  const out = state.quarantineOut ?? [];
  if (regions.length === 0 || out.some((o) => o.decisionId === q.decisionId)) return state;
  return { ...state, quarantineOut: [...out, { ...q, awaiting: [...regions], attempts: 0 }] };
}

/**
 * The quarantines the sweep puts on the bus again: still awaited, and a retry interval after the last send
 * (the first send, by the invocation that decided, is not recorded: its retry interval runs from `at`).
 */
export function dueQuarantines(state: TargetState | undefined, now: Millis): readonly SentQuarantine[] {
  return (state?.quarantineOut ?? []).filter(
    (o) =>
      o.awaiting.length > 0 && now - o.at < QUARANTINE_GIVE_UP_MS && now - (o.sentAt ?? o.at) >= RETRY_MS,
  );
}

/** The quarantine of `decisionId` while no sweep has sent it: what the invocation that wrote it sends at once. */
export function freshQuarantine(
  state: TargetState | undefined,
  decisionId: string,
): SentQuarantine | undefined {
  return (state?.quarantineOut ?? []).find(
    (o) => o.decisionId === decisionId && o.attempts === 0 && o.awaiting.length > 0,
  );
}

export function quarantineSent(state: TargetState, decisionId: string, now: Millis): TargetState {
  return mapOut(state, decisionId, (o) => ({ ...o, sentAt: now, attempts: o.attempts + 1 }));
}

/** A region's receipt: it is no longer awaited; a quarantine every region has received is done. */
export function quarantineReceived(state: TargetState, decisionId: string, region: string): TargetState {
  const out = state.quarantineOut ?? [];
  const entry = out.find((o) => o.decisionId === decisionId);
  if (!entry?.awaiting.includes(region)) return state;
  const awaiting = entry.awaiting.filter((r) => r !== region);
  const rest = out.filter((o) => o.decisionId !== decisionId);
  const quarantineOut = awaiting.length === 0 ? rest : out.map((o) => (o === entry ? { ...o, awaiting } : o));
  return withOut(state, quarantineOut);
}

/** Quarantines some region has not confirmed for QUARANTINE_REPORT_MINUTES, not yet reported. */
export function unconfirmedQuarantines(
  state: TargetState | undefined,
  now: Millis,
): readonly SentQuarantine[] {
  return (state?.quarantineOut ?? []).filter(
    (o) => o.awaiting.length > 0 && o.reportedAt === undefined && now - o.at >= REPORT_MS,
  );
}

export function quarantineReported(state: TargetState, decisionId: string, now: Millis): TargetState {
  return mapOut(state, decisionId, (o) => ({ ...o, reportedAt: now }));
}

/** Quarantines past QUARANTINE_GIVE_UP_MS: no more retries; the report of them has gone out. */
export function abandonedQuarantines(state: TargetState | undefined, now: Millis): readonly SentQuarantine[] {
  return (state?.quarantineOut ?? []).filter((o) => now - o.at >= QUARANTINE_GIVE_UP_MS);
}

export function dropQuarantine(state: TargetState, decisionId: string): TargetState {
  return withOut(
    state,
    (state.quarantineOut ?? []).filter((o) => o.decisionId !== decisionId),
  );
}

function mapOut(
  state: TargetState,
  decisionId: string,
  f: (o: SentQuarantine) => SentQuarantine,
): TargetState {
  const out = state.quarantineOut ?? [];
  if (!out.some((o) => o.decisionId === decisionId)) return state;
  return withOut(
    state,
    out.map((o) => (o.decisionId === decisionId ? f(o) : o)),
  );
}

function withOut(state: TargetState, quarantineOut: readonly SentQuarantine[]): TargetState {
  if (quarantineOut.length > 0) return { ...state, quarantineOut };
  const { quarantineOut: _none, ...rest } = state;
  return rest;
}
