import type { RuntimeGroup } from '../contract';
import { findEntry } from './ledger';
import { MINUTE, type LiveTarget, type Millis, type TargetState } from './model';

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
