import fc from 'fast-check';
import { parseScenario } from '../../../lambda/sim/scenario-schema';
import { simulate } from '../../../lambda/sim/simulate';

/**
 * Release groups (issue 18): whatever the interleaving of the members' alarms and however often each of their
 * transitions is delivered (EventBridge delivers at least once), each member is rolled back at most once per
 * incident, and here (one bad release, rolled back once) at most once at all. Run end to end through the
 * simulator: the real handlers, the real claim on dynalite, the sweep on the virtual clock.
 */

const MEMBERS = ['web', 'api', 'worker'] as const;

interface Case {
  /** Minutes after start each member receives its new version (all within the 30-minute window). */
  readonly releasedAt: readonly number[];
  /** Which members' new versions break their own alarm, and how many seconds later it fires. */
  readonly alarms: readonly ({ readonly delaySeconds: number; readonly deliveries: number } | null)[];
  readonly onMemberFailure: 'stop' | 'continue';
}

const cases: fc.Arbitrary<Case> = fc
  .record({
    releasedAt: fc.tuple(
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 0, max: 9 }),
    ),
    alarms: fc.tuple(
      ...MEMBERS.map(() =>
        fc.option(
          fc.record({
            // Within the 10-minute bake after the 1-minute rollout: the version is still unproven when it fires.
            delaySeconds: fc.integer({ min: 60, max: 540 }),
            deliveries: fc.integer({ min: 1, max: 3 }),
          }),
          { nil: null },
        ),
      ),
    ),
    onMemberFailure: fc.constantFrom('stop' as const, 'continue' as const),
  })
  .filter((c) => c.alarms.some((a) => a !== null));

function scenario(c: Case): unknown {
  const bad = MEMBERS.filter((_m, i) => c.alarms[i] !== null);
  return {
    name: 'group property',
    start: '2026-03-01T10:00:00Z',
    config: {
      targets: MEMBERS.map((id) => ({
        id,
        type: 'ecs-service',
        cluster: 'prod',
        service: id,
        alarms: [`${id}-5xx`],
      })),
      groups: [{ id: 'storefront', targets: [...MEMBERS], onMemberFailure: c.onMemberFailure }],
    },
    world: {
      ecsServices: MEMBERS.map((id) => ({
        cluster: 'prod',
        service: id,
        taskDefinition: `${id}:1`,
        rolloutSeconds: 60,
      })),
      alarms: MEMBERS.map((id, i) => ({
        name: `${id}-5xx`,
        watches: id,
        delaySeconds: c.alarms[i]?.delaySeconds ?? 60,
        deliveries: c.alarms[i]?.deliveries ?? 1,
      })),
      badVersions: bad.map((id) => `${id}:2`),
    },
    timeline: MEMBERS.map((id, i) => ({
      at: `+${c.releasedAt[i]}m`,
      deploy: { target: id, version: `${id}:2` },
    })),
    until: '+1h',
  };
}

describe('release groups, property', () => {
  it('RELIABILITY #27: rolls each member back at most once, whatever the interleaving of member alarms and duplicate deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async (c) => {
        const parsed = parseScenario(scenario(c));
        if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
        const { output } = await simulate(parsed.scenario);
        expect(output.errors).toEqual([]);
        const rollbacks = output.decisions.filter((d) => d.outcome === 'rollback');
        for (const id of MEMBERS) {
          const calls = output.calls.filter(
            (call) =>
              call.target === id &&
              (call.api === 'ecs:UpdateService' || call.api === 'ecs:StopServiceDeployment'),
          );
          expect(calls.length).toBeLessThanOrEqual(1);
          const perIncident = new Map<string, number>();
          for (const d of rollbacks.filter((r) => r.target === id)) {
            const key = d.incident ?? d.at;
            perIncident.set(key, (perIncident.get(key) ?? 0) + 1);
          }
          expect([...perIncident.values()].every((n) => n === 1)).toBe(true);
        }
        // The member whose alarm fired first is rolled back (the others too, unless their version had baked
        // by then, which the group leaves alone as current-is-known-good).
        const fires = MEMBERS.flatMap((id, i) => {
          const a = c.alarms[i];
          return a ? [{ id, at: c.releasedAt[i] * 60 + a.delaySeconds }] : [];
        }).sort((a, b) => a.at - b.at);
        expect(output.final[fires[0].id]).toBe(`${fires[0].id}:1`);
      }),
      { numRuns: 40 },
    );
  }, 300_000);
});
