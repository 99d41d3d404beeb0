import { DEFAULT_ON_MEMBER_FAILURE, DEFAULT_POLICY, type RuntimeGroup } from '../../../lambda/contract';
import {
  decideAlarm,
  emptyTargetState,
  groupHold,
  memberRelease,
  MINUTE,
  policyMs,
  releaseMembers,
  withIncident,
  type LiveOk,
  type MemberRelease,
  type TargetState,
} from '../../../lambda/domain';
import { ecsTarget, T0, transition } from '../../support/domain-fixtures';

const group = (overrides: Partial<RuntimeGroup> = {}): RuntimeGroup => ({
  id: 'storefront',
  targets: ['web', 'api', 'worker'],
  releaseWindowMinutes: 30,
  onMemberFailure: DEFAULT_ON_MEMBER_FAILURE,
  ...overrides,
});
const at = (id: string, minutes: number, release?: string): MemberRelease => ({
  id,
  version: `${id}:2`,
  releasedAt: T0 + minutes * MINUTE,
  ...(release !== undefined ? { release } : {}),
});

describe('releaseMembers', () => {
  it('takes the members released within the window, last released first by default', () => {
    expect(releaseMembers(group(), at('api', 2), [at('web', 4), at('worker', 0)])).toEqual([
      'web',
      'api',
      'worker',
    ]);
  });

  it('follows rollbackOrder when the group has one, whoever fired', () => {
    const ordered = group({ rollbackOrder: ['worker', 'api', 'web'] });
    expect(releaseMembers(ordered, at('web', 4), [at('api', 2), at('worker', 0)])).toEqual([
      'worker',
      'api',
      'web',
    ]);
  });

  it('leaves out a member whose version is older than the window, and one that could not be read', () => {
    expect(releaseMembers(group(), at('api', 120), [at('web', 121), at('worker', 0)])).toEqual([
      'web',
      'api',
    ]);
    expect(releaseMembers(group(), at('api', 2), [undefined, at('worker', 0)])).toEqual(['api', 'worker']);
  });

  it('is transitive: members released step by step within the window each are one release', () => {
    const narrow = group({ releaseWindowMinutes: 15 });
    expect(releaseMembers(narrow, at('web', 20), [at('api', 10), at('worker', 0)])).toEqual([
      'web',
      'api',
      'worker',
    ]);
  });

  it('lets an explicit release id win over the window, both ways', () => {
    // Same id, two hours apart: one release.
    expect(releaseMembers(group(), at('api', 120, 'r42'), [at('web', 0, 'r42')])).toEqual(['api', 'web']);
    // Different ids, a minute apart: not one release.
    expect(releaseMembers(group(), at('api', 1, 'r42'), [at('web', 0, 'r41')])).toEqual(['api']);
    // Only one side declares an id: the window decides.
    expect(releaseMembers(group(), at('api', 1, 'r42'), [at('web', 0)])).toEqual(['api', 'web']);
  });

  it('never takes a target outside the group', () => {
    expect(releaseMembers(group(), at('api', 2), [at('search', 2)])).toEqual(['api']);
  });
});

describe('memberRelease', () => {
  const live: LiveOk = {
    kind: 'ok',
    currentVersion: 'web:12',
    latest: { id: 'ecs-svc/2', version: 'web:12', state: 'completed', startedAt: T0 + 4 * MINUTE },
    previous: [],
    nativeRollback: false,
  };

  it("reads when the running version started from the live deployment, and the release id from the ledger's facts", () => {
    const state: TargetState = {
      ...emptyTargetState('web'),
      ledger: [
        { version: 'web:12', status: 'completed', schemaFacts: { release: 'r42', readAt: T0 } },
        { version: 'web:11', status: 'completed', proven: true },
      ],
    };
    expect(memberRelease('web', state, live)).toEqual({
      id: 'web',
      version: 'web:12',
      releasedAt: T0 + 4 * MINUTE,
      release: 'r42',
    });
  });

  it('is undefined for a member that could not be read', () => {
    expect(memberRelease('web', undefined, { kind: 'invalid', why: 'gone' })).toBeUndefined();
  });
});

describe('decideAlarm for a member pulled into a group rollback', () => {
  const web = ecsTarget({}, 'web');
  const live: LiveOk = {
    kind: 'ok',
    currentVersion: 'web:12',
    latest: {
      id: 'ecs-svc/2',
      version: 'web:12',
      state: 'completed',
      startedAt: T0 + 4 * MINUTE,
      completedAt: T0 + 5 * MINUTE,
    },
    previous: [],
    nativeRollback: false,
  };
  const state: TargetState = {
    ...emptyTargetState('web'),
    ledger: [
      { version: 'web:12', status: 'completed', startedAt: T0 + 4 * MINUTE, completedAt: T0 + 5 * MINUTE },
      { version: 'web:11', status: 'completed', proven: true, completedAt: T0 - 24 * 60 * MINUTE },
    ],
  };
  // api's alarm, in ALARM since before web's version started: a member of the release all the same.
  const apiAlarm = transition('ALARM', T0 + 3 * MINUTE, { alarmName: 'api-5xx' });
  const decide = (s: TargetState) =>
    decideAlarm({
      now: T0 + 7 * MINUTE,
      decisionId: 'd-web',
      transition: apiAlarm,
      target: web,
      state: s,
      live,
      globalPause: undefined,
      maxEventAgeMs: 60 * MINUTE,
      group: { id: 'storefront', incident: 'inc-1', pulled: true },
    });

  it("RELIABILITY #27: rolls it back with reason group, carrying the group and the incident, and records none of the other member's alarm", () => {
    const r = decide(state);
    expect(r.decision).toMatchObject({
      outcome: 'rollback',
      reason: 'group',
      group: 'storefront',
      incident: 'inc-1',
      from: 'web:12',
      to: 'web:11',
    });
    expect(r.next.rollback).toMatchObject({ reason: 'group', from: 'web:12', to: 'web:11' });
    expect(r.next.alarms).toEqual({});
    expect(r.next.handled.map((h) => h.decisionId)).toEqual(['d-web']);
    expect(r.next.incidents).toEqual([{ id: 'inc-1', group: 'storefront', at: T0 + 7 * MINUTE }]);
  });

  it('is a duplicate the second time the same transition pulls it: at most once per incident', () => {
    const first = decide(state);
    const { rollback: _claim, ...released } = first.next;
    expect(decide(released).decision.reason).toBe('duplicate');
  });

  it('reports a member inside its cooldown instead of forcing it, still naming the group', () => {
    const r = decide({ ...state, lastRollbackAt: T0 + 6 * MINUTE, rollbackTimes: [T0 + 6 * MINUTE] });
    expect(r.decision).toMatchObject({
      outcome: 'skip',
      reason: 'cooldown',
      group: 'storefront',
      incident: 'inc-1',
    });
  });
});

describe('the group cooldown and rate limit (groupHold)', () => {
  const policy = policyMs({
    ...DEFAULT_POLICY,
    cooldownMinutes: 15,
    maxRollbacks: { count: 2, windowMinutes: 60 },
  });
  const marked = (...marks: [string, number][]): TargetState => ({
    ...emptyTargetState('web'),
    incidents: marks.map(([id, minutes]) => ({ id, group: 'storefront', at: T0 + minutes * MINUTE })),
  });

  it('holds a new incident inside the cooldown of the last one, whichever member was in it', () => {
    expect(groupHold(group(), 'inc-2', [undefined, marked(['inc-1', 0])], policy, T0 + 10 * MINUTE)).toEqual({
      reason: 'cooldown',
      detail:
        'group storefront was rolled back together at 2026-03-01T10:00:00.000Z, less than 15 minutes ago',
    });
    expect(groupHold(group(), 'inc-2', [marked(['inc-1', 0])], policy, T0 + 16 * MINUTE)).toBeUndefined();
  });

  it('counts each incident once across its members, and stops at the rate limit', () => {
    const states = [marked(['inc-1', 0], ['inc-2', 20]), marked(['inc-2', 20])];
    expect(groupHold(group(), 'inc-3', states, policy, T0 + 40 * MINUTE)?.reason).toBe('rate-limited');
    expect(groupHold(group(), 'inc-3', [marked(['inc-2', 20])], policy, T0 + 40 * MINUTE)).toBeUndefined();
  });

  it("never holds the incident itself (Lambda's retry continues it), nor another group's", () => {
    expect(groupHold(group(), 'inc-1', [marked(['inc-1', 0])], policy, T0 + MINUTE)).toBeUndefined();
    const other: TargetState = {
      ...emptyTargetState('web'),
      incidents: [{ id: 'x', group: 'billing', at: T0 }],
    };
    expect(groupHold(group(), 'inc-1', [other], policy, T0 + MINUTE)).toBeUndefined();
  });

  it('is recorded on every member claimed in a group rollback, and only then', () => {
    const s = emptyTargetState('web');
    expect(withIncident(s, undefined, T0)).toBe(s);
    expect(withIncident(s, { id: 'storefront', incident: 'inc-1' }, T0).incidents).toEqual([
      { id: 'inc-1', group: 'storefront', at: T0 },
    ]);
  });
});
