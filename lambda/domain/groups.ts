import type { RuntimeGroup } from '../contract';
import { findEntry } from './ledger';
import { MINUTE, type IncidentMark, type LiveTarget, type Millis, type TargetState } from './model';
import type { PolicyMs } from './policy';

/** How long a target keeps its incident marks, and at most how many: past any cooldown or rate-limit window. */
const INCIDENT_RETENTION_MS = 24 * 60 * MINUTE;
const MAX_INCIDENTS = 20;

/**
 * Release groups (docs/decisions.md, "Release groups"): which members received the same release as the
 * member whose alarm fired, and in which order they are rolled back. Pure.
 */

/** What the group needs to know about one member: when its current version was released, and as what. */
export interface MemberRelease {
  readonly id: string;
  /** The version it runs now. */
  readonly version: string;
  /** When that version started deploying; undefined when nobody knows (never part of a release then). */
  readonly releasedAt?: Millis;
  /** The release id the version declares (`rollback-watchdog:release`), if any. */
  readonly release?: string;
}

/**
 * A member's release as its stored state and live view say: the version it runs now, when that version
 * started deploying (the live deployment's start, else the ledger's), and its declared release id.
 * Undefined when the member could not be read.
 */
export function memberRelease(
  id: string,
  state: TargetState | undefined,
  live: LiveTarget | undefined,
): MemberRelease | undefined {
  if (live?.kind !== 'ok') return undefined;
  const version = live.currentVersion;
  const entry = state ? findEntry(state.ledger, version) : undefined;
  const releasedAt =
    (live.latest?.version === version ? live.latest.startedAt : undefined) ?? entry?.startedAt;
  const release = entry?.schemaFacts?.release;
  return {
    id,
    version,
    ...(releasedAt !== undefined ? { releasedAt } : {}),
    ...(release !== undefined ? { release } : {}),
  };
}

/**
 * The members of `group` that received the release `trigger` runs, `trigger` included, in the order they are
 * rolled back. Two members are in one release when both declare a release id and the ids are equal (an
 * explicit id wins: different ids are different releases, however close in time), or else when they received
 * their versions within `releaseWindowMinutes` of each other; membership is transitive (a, b and c released
 * ten minutes apart each are one release with a 15-minute window). Order: `rollbackOrder` when configured,
 * else the reverse of the order they received the release (the last one released is rolled back first),
 * ties in the group's order.
 */
export function releaseMembers(
  group: RuntimeGroup,
  trigger: MemberRelease,
  members: readonly (MemberRelease | undefined)[],
): string[] {
  const windowMs = group.releaseWindowMinutes * MINUTE;
  const candidates = members.filter(
    (m): m is MemberRelease => m !== undefined && m.id !== trigger.id && group.targets.includes(m.id),
  );
  const together = (a: MemberRelease, b: MemberRelease): boolean => {
    if (a.release !== undefined && b.release !== undefined) return a.release === b.release;
    return (
      a.releasedAt !== undefined &&
      b.releasedAt !== undefined &&
      Math.abs(a.releasedAt - b.releasedAt) <= windowMs
    );
  };
  const release: MemberRelease[] = [trigger];
  let grew = true;
  while (grew) {
    grew = false;
    for (const m of candidates) {
      if (release.includes(m)) continue;
      if (release.some((r) => together(r, m))) {
        release.push(m);
        grew = true;
      }
    }
  }
  const position = (id: string) => group.targets.indexOf(id);
  if (group.rollbackOrder) {
    const ids = new Set(release.map((m) => m.id));
    return group.rollbackOrder.filter((id) => ids.has(id));
  }
  return [...release]
    .sort(
      (a, b) =>
        (b.releasedAt ?? Number.NEGATIVE_INFINITY) - (a.releasedAt ?? Number.NEGATIVE_INFINITY) ||
        position(a.id) - position(b.id),
    )
    .map((m) => m.id);
}

/** The group `targetId` belongs to, if any (a target belongs to one group at most). */
export function groupOf(
  groups: readonly RuntimeGroup[] | undefined,
  targetId: string,
): RuntimeGroup | undefined {
  return groups?.find((g) => g.targets.includes(targetId));
}

/** `state` with the incident of a group rollback it was just claimed in (unchanged without a group). */
export function withIncident(
  state: TargetState,
  group: { readonly id: string; readonly incident: string } | undefined,
  now: Millis,
): TargetState {
  if (!group) return state;
  const kept = (state.incidents ?? []).filter(
    (m) => m.id !== group.incident && now - m.at < INCIDENT_RETENTION_MS,
  );
  return {
    ...state,
    incidents: [{ id: group.incident, group: group.id, at: now }, ...kept].slice(0, MAX_INCIDENTS),
  };
}

/** Why a new incident of `group` may not roll back the rest of the release, from its members' marks. */
export interface GroupHold {
  readonly reason: 'cooldown' | 'rate-limited';
  readonly detail: string;
}

/**
 * The group's own cooldown and rate limit (those of the alarmed member's policy), over the incidents its
 * members were rolled back in (every member's marks, each incident once, this one excluded: a retry continues
 * it). Undefined when the group may roll back together.
 */
export function groupHold(
  group: RuntimeGroup,
  incident: string,
  states: readonly (TargetState | undefined)[],
  policy: PolicyMs,
  now: Millis,
): GroupHold | undefined {
  const marks = new Map<string, IncidentMark>();
  for (const state of states) {
    for (const m of state?.incidents ?? []) {
      if (m.group === group.id && m.id !== incident && !marks.has(m.id)) marks.set(m.id, m);
    }
  }
  const times = [...marks.values()].map((m) => m.at);
  const last = times.length > 0 ? Math.max(...times) : undefined;
  if (last !== undefined && now - last < policy.cooldownMs) {
    return {
      reason: 'cooldown',
      detail: `group ${group.id} was rolled back together at ${new Date(last).toISOString()}, less than ${policy.cooldownMs / MINUTE} minutes ago`,
    };
  }
  const { count, windowMs } = policy.maxRollbacks;
  const recent = times.filter((at) => now - at < windowMs).length;
  if (recent >= count) {
    return {
      reason: 'rate-limited',
      detail: `group ${group.id} was rolled back together ${recent} times in the last ${windowMs / MINUTE} minutes, the limit of ${count}`,
    };
  }
  return undefined;
}
