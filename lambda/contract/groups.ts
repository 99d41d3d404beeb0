/**
 * Release groups (README, "Release groups"): targets released together and rolled back together. When any
 * member's alarm leads to a rollback, every member that received the same release is rolled back to its own
 * known-good version, one after another in `rollbackOrder`, each through the normal claim.
 */

/** What a member's failed rollback does to the rest of the order. */
export const ON_MEMBER_FAILURE = ['stop', 'continue'] as const;
export type OnMemberFailure = (typeof ON_MEMBER_FAILURE)[number];

/** Members that received a new version within this many minutes of each other form one release. */
export const DEFAULT_RELEASE_WINDOW_MINUTES = 30;
export const DEFAULT_ON_MEMBER_FAILURE: OnMemberFailure = 'stop';
/** The largest `releaseWindowMinutes` accepted: one day. */
export const MAX_RELEASE_WINDOW_MINUTES = 24 * 60;

/**
 * An explicit release id, which wins over the time window when both members declare one: an ECS task
 * definition tag, or `rollback-watchdog:release=<id>` in a CodeDeploy deployment's description.
 */
export const RELEASE_TAG = 'rollback-watchdog:release';

/** `groups[]` of `watchdog.config.json`, as written. */
export interface GroupConfig {
  readonly id: string;
  /** Target ids; a target belongs to one group at most. */
  readonly targets: readonly string[];
  /** Every member, in the order they are rolled back. Absent: the reverse of the order they were released in. */
  readonly rollbackOrder?: readonly string[];
  readonly releaseWindowMinutes?: number;
  readonly onMemberFailure?: OnMemberFailure;
}

/** A group as the Lambdas run with it: every default applied. */
export interface RuntimeGroup {
  readonly id: string;
  readonly targets: readonly string[];
  readonly rollbackOrder?: readonly string[];
  readonly releaseWindowMinutes: number;
  readonly onMemberFailure: OnMemberFailure;
}

/** A problem with `groups`, at a path relative to the groups list (`[0, "targets", 2]`). */
export interface GroupProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const quoted = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Groups against the targets and each other, for the config file and the construct alike: members are
 * configured targets, listed once; a target is in one group at most; group ids are unique and are not target
 * ids (notifications and `status` name both); `rollbackOrder` lists every member once. Reads loosely typed
 * input (the config file's raw JSON), so that it reports alongside the shape checks.
 */
export function groupProblems(groups: readonly unknown[], targetIds: readonly string[]): GroupProblem[] {
  const problems: GroupProblem[] = [];
  const known = new Set(targetIds);
  const groupOf = new Map<string, number>();
  const groupIds = new Map<string, number>();
  groups.forEach((g, index) => {
    if (!isObject(g)) return;
    if (typeof g.id === 'string') {
      const first = groupIds.get(g.id);
      if (first !== undefined)
        problems.push({
          path: [index, 'id'],
          message: `duplicate group id ${JSON.stringify(g.id)} (also groups[${first}].id); ids must be unique`,
        });
      else groupIds.set(g.id, index);
      if (known.has(g.id))
        problems.push({
          path: [index, 'id'],
          message: `${JSON.stringify(g.id)} is also a target id; give the group an id of its own`,
        });
    }
    const listed = Array.isArray(g.targets) ? (g.targets as unknown[]) : [];
    const members = listed.filter((m): m is string => typeof m === 'string' && known.has(m));
    const seen = new Set<string>();
    listed.forEach((member, m) => {
      if (typeof member !== 'string') return;
      if (!known.has(member)) {
        problems.push({
          path: [index, 'targets', m],
          message: `unknown target ${JSON.stringify(member)}: list the ids of configured targets (${quoted(targetIds)})`,
        });
        return;
      }
      if (seen.has(member)) {
        problems.push({ path: [index, 'targets', m], message: `lists ${JSON.stringify(member)} twice` });
        return;
      }
      seen.add(member);
      const other = groupOf.get(member);
      if (other !== undefined)
        problems.push({
          path: [index, 'targets', m],
          message: `target ${JSON.stringify(member)} is already in groups[${other}]; a target may belong to one group only`,
        });
      else groupOf.set(member, index);
    });
    if (Array.isArray(g.rollbackOrder)) {
      const order = (g.rollbackOrder as unknown[]).filter((m): m is string => typeof m === 'string');
      order.forEach((member, m) => {
        if (!members.includes(member))
          problems.push({
            path: [index, 'rollbackOrder', m],
            message: `${JSON.stringify(member)} is not a member of this group (${quoted(members)})`,
          });
        else if (order.indexOf(member) !== m)
          problems.push({
            path: [index, 'rollbackOrder', m],
            message: `lists ${JSON.stringify(member)} twice`,
          });
      });
      const missing = members.filter((member) => !order.includes(member));
      if (missing.length > 0)
        problems.push({
          path: [index, 'rollbackOrder'],
          message: `must list every member once; add ${quoted(missing)}, or leave rollbackOrder out for the reverse of the release order`,
        });
    }
  });
  return problems;
}

/** A group with its defaults applied, as the Lambdas run with it (config file and construct alike). */
export function resolveGroup(g: GroupConfig): RuntimeGroup {
  return {
    id: g.id,
    targets: [...g.targets],
    ...(g.rollbackOrder ? { rollbackOrder: [...g.rollbackOrder] } : {}),
    releaseWindowMinutes: g.releaseWindowMinutes ?? DEFAULT_RELEASE_WINDOW_MINUTES,
    onMemberFailure: g.onMemberFailure ?? DEFAULT_ON_MEMBER_FAILURE,
  };
}
