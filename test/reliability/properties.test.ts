import fc from 'fast-check';
import type { RuntimeTarget } from '../../lambda/contract';
import {
  MINUTE,
  type AlarmTransition,
  type Decision,
  type LiveDeployment,
  type LiveTarget,
} from '../../lambda/domain';
import { RetryableError } from '../../lambda/use-cases/errors';
import { handleAlarm } from '../../lambda/use-cases/handle-alarm';
import { handleDeployment, handleDeploymentCall } from '../../lambda/use-cases/handle-deployment';
import type { ActionResult } from '../../lambda/use-cases/ports';
import { ecsTarget, T0, transition } from '../support/domain-fixtures';
import { fakeDeps, FakeDeployer } from '../support/fakes';
import { deploymentEvent, runtimeConfig } from './support';

/**
 * Issue 6's invariants through the use cases (handleAlarm + handleDeployment) with the in-memory fakes, over
 * random sequences of deliveries: duplicates, reordering (timestamp skew), two flapping alarms, deploys and
 * completions of a small world whose live view the FakeDeployer reports.
 */

const COOLDOWN_MIN = 15;
const WINDOW = { count: 2, windowMinutes: 60 };
const BAKE_MIN = 10;
const target: RuntimeTarget = ecsTarget({
  cooldownMinutes: COOLDOWN_MIN,
  maxRollbacks: WINDOW,
  bakeMinutes: BAKE_MIN,
});
const config = runtimeConfig(target);
const ALARMS = ['checkout-5xx', 'checkout-p99'] as const;

type Deployment = LiveDeployment & { readonly stopRef?: string; readonly stopRestores?: string };

/** ECS as the model sees it: deployments, newest first; the first completed one is what serves. */
class World {
  deployments: Deployment[];
  private seq = 1;
  /** version → when it started serving / stopped serving. */
  readonly served = new Map<string, { from: number; until?: number }>();

  constructor(at: number) {
    this.deployments = [
      {
        id: 'ecs-svc/0',
        version: 'checkout:41',
        state: 'completed',
        startedAt: at - 24 * 60 * MINUTE,
        completedAt: at - 24 * 60 * MINUTE,
      },
    ];
    this.served.set('checkout:41', { from: at - 24 * 60 * MINUTE });
  }

  get current(): string {
    return this.deployments.find((d) => d.state === 'completed')!.version;
  }

  live(): LiveTarget {
    const [latest, ...previous] = this.deployments;
    const current = latest.state === 'in-progress' ? previous.find((d) => d.state === 'completed') : latest;
    return {
      kind: 'ok',
      currentVersion: latest.state === 'in-progress' ? latest.version : current!.version,
      latest: latest,
      previous: previous.slice(0, 3),
      nativeRollback: false,
    };
  }

  start(version: string, at: number, rollback = false): Deployment {
    const source = this.current;
    const d: Deployment = {
      id: `ecs-svc/${this.seq++}`,
      version,
      state: 'in-progress',
      startedAt: at,
      stopRef: `arn:aws:ecs:us-east-1:123456789012:service-deployment/prod/checkout/${this.seq}`,
      stopRestores: source,
      ...(rollback ? { isRollback: true } : {}),
    };
    // A deployment still rolling out is replaced by the new one.
    this.deployments = [d, ...this.deployments.filter((x) => x.state !== 'in-progress')];
    return d;
  }

  complete(at: number): LiveDeployment | undefined {
    const [latest] = this.deployments;
    if (!latest || latest.state !== 'in-progress') return undefined;
    const old = this.current;
    const done: LiveDeployment = {
      id: latest.id,
      version: latest.version,
      state: 'completed',
      startedAt: latest.startedAt,
      completedAt: at,
    };
    this.deployments = [done, ...this.deployments.slice(1)];
    if (old !== done.version) {
      const s = this.served.get(old);
      if (s) s.until = at;
      this.served.set(done.version, { from: at });
    }
    return done;
  }

  stopRestoring(ref: string, at: number): string | undefined {
    const latest = this.deployments[0];
    if (!latest || latest.stopRef !== ref) return undefined;
    const to = latest.stopRestores!;
    this.deployments = this.deployments.slice(1);
    this.start(to, at, true);
    return to;
  }
}

/** A deployer whose actions change the world, as ECS would. */
class WorldDeployer extends FakeDeployer {
  constructor(
    private readonly world: World,
    private readonly clock: { now(): number },
  ) {
    super(world.live());
  }
  override async inspect(t: RuntimeTarget): Promise<LiveTarget> {
    this.live = this.world.live();
    return super.inspect(t);
  }
  override async stop(t: RuntimeTarget, ref: string): Promise<ActionResult> {
    const result = await super.stop(t, ref);
    const restored = this.world.stopRestoring(ref, this.clock.now());
    return restored ? result : { status: 'already-finished', detail: 'ConflictException' };
  }
  override async redeploy(t: RuntimeTarget, version: string): Promise<ActionResult> {
    const result = await super.redeploy(t, version);
    this.world.start(version, this.clock.now(), true);
    return result;
  }
}

type Step =
  | { kind: 'deploy' }
  | { kind: 'complete' }
  | { kind: 'advance'; minutes: number }
  | { kind: 'alarm'; alarm: 0 | 1; value: 'ALARM' | 'OK'; skewSec: number; copies: number }
  | { kind: 'redeliver'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'deploy' as const }), weight: 2 },
  { arbitrary: fc.constant({ kind: 'complete' as const }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 20 }) }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('alarm' as const),
      alarm: fc.constantFrom(0 as const, 1 as const),
      value: fc.constantFrom('ALARM' as const, 'OK' as const),
      skewSec: fc.integer({ min: 0, max: 90 }),
      copies: fc.integer({ min: 1, max: 3 }),
    }),
    weight: 6,
  },
  { arbitrary: fc.record({ kind: fc.constant('redeliver' as const), pick: fc.nat() }), weight: 2 },
);

interface Acted {
  readonly decision: Decision;
  readonly current: string;
  readonly knownGood: boolean;
}

/**
 * Where each release's CloudTrail record (who deployed) arrives: not at all (no trail), before the deployment
 * event that creates its ledger entry, or after it and then once more (a redelivery).
 */
type Calls = 'none' | 'before' | 'after';

async function runSequence(steps: readonly Step[], calls: Calls = 'none') {
  const world = new World(T0);
  const deps = fakeDeps(world.live(), T0);
  const deployer = new WorldDeployer(world, deps.clock);
  const d = { ...deps, deployer, deployerFor: () => deployer };
  const delivered: AlarmTransition[] = [];
  const acted: Acted[] = [];
  /** Was any trigger alarm in ALARM at some point in [from, until]? Judged from the transitions sent. */
  const alarmedDuring = (from: number, until: number) =>
    ALARMS.some((name) => {
      const ts = [...new Map(delivered.filter((t) => t.alarmName === name).map((t) => [t.timestamp, t]))]
        .map(([, t]) => t)
        .sort((a, b) => a.timestamp - b.timestamp);
      return ts.some(
        (t, i) => t.value === 'ALARM' && t.timestamp < until && (ts[i + 1]?.timestamp ?? Infinity) >= from,
      );
    });
  let version = 41;
  let invocations = 0;
  /** Deployment id → who deployed it, for the releases whose record was delivered. */
  const principals = new Map<string, string>();

  const knownGood = (v: string, now: number): boolean => {
    // Serving when the watchdog first saw the target: known-good by definition (docs/decisions.md,
    // "Known-good ledger").
    if (v === 'checkout:41') return true;
    const s = world.served.get(v);
    if (!s) return false;
    const until = s.until ?? now;
    return until - s.from >= BAKE_MIN * MINUTE && !alarmedDuring(s.from, s.from + BAKE_MIN * MINUTE);
  };

  const deliver = async (t: AlarmTransition) => {
    const liveCurrent = (world.live() as { currentVersion: string }).currentVersion;
    for (let attempt = 0; ; attempt++) {
      try {
        invocations++;
        const decisions = await handleAlarm(d, config, t, `req-${invocations}`);
        expect(decisions).toHaveLength(1);
        for (const decision of decisions) {
          if (decision.outcome === 'rollback') {
            acted.push({
              decision,
              current: liveCurrent,
              knownGood: decision.to !== undefined && knownGood(decision.to, d.clock.now()),
            });
          }
        }
        return;
      } catch (error) {
        // Contention past the commit attempts: Lambda retries the same event.
        if (!(error instanceof RetryableError) || attempt > 3) throw error;
        invocations--;
      }
    }
  };

  for (const s of steps) {
    const now = d.clock.now();
    switch (s.kind) {
      case 'deploy': {
        version++;
        const dep = world.start(`checkout:${version}`, now);
        const by = `arn:aws:sts::123456789012:assumed-role/release-pipeline/build-${version}`;
        const call = {
          key: `cloudtrail|${dep.id}`,
          principal: { deploymentId: dep.id, version: dep.version, by, at: now },
        };
        if (calls !== 'none') principals.set(dep.id, by);
        if (calls === 'before') await handleDeploymentCall(d, target, call, `call-${now}`);
        await handleDeployment(d, target, deploymentEvent('in-progress', now, dep.id), `dep-${now}`);
        if (calls === 'after') {
          await handleDeploymentCall(d, target, call, `call-${now}`);
          await handleDeploymentCall(d, target, call, `call-again-${now}`);
        }
        break;
      }
      case 'complete': {
        const done = world.complete(now);
        if (done) {
          const reason = done.isRollback ? 'rolling back' : '';
          await handleDeployment(
            d,
            target,
            deploymentEvent('completed', now, done.id, reason),
            `done-${now}`,
          );
        }
        break;
      }
      case 'advance':
        d.clock.at += s.minutes * MINUTE;
        break;
      case 'alarm': {
        const name = ALARMS[s.alarm];
        const t = transition(s.value, now - s.skewSec * 1000, { alarmName: name });
        delivered.push(...Array<AlarmTransition>(s.copies).fill(t));
        await Promise.all(Array.from({ length: s.copies }, () => deliver(t)));
        break;
      }
      case 'redeliver': {
        if (delivered.length === 0) break;
        const t = delivered[s.pick % delivered.length];
        delivered.push(t);
        await deliver(t);
        break;
      }
    }
  }
  return { deps: d, delivered, acted, invocations, principals };
}

const rollbackTimes = (acted: readonly Acted[]) => acted.map((a) => a.decision.at).sort((a, b) => a - b);

describe('RELIABILITY: properties of handleAlarm + handleDeployment over random event sequences', () => {
  const steps = fc.array(step, { minLength: 5, maxLength: 40 });
  const params = { numRuns: Number(process.env.RELIABILITY_RUNS ?? 200), seed: 6_2026 };

  it('RELIABILITY #1/#5/#7 (property): never two rollbacks of one target inside its cooldown', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (s) => {
        const { acted } = await runSequence(s);
        const times = rollbackTimes(acted);
        for (let i = 1; i < times.length; i++) {
          expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(COOLDOWN_MIN * MINUTE);
        }
      }),
      params,
    );
  });

  it('RELIABILITY #6 (property): never more rollbacks than the window allows', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (s) => {
        const { acted, deps } = await runSequence(s);
        const times = rollbackTimes(acted);
        for (const t of times) {
          const inWindow = times.filter((u) => u <= t && t - u < WINDOW.windowMinutes * MINUTE);
          expect(inWindow.length).toBeLessThanOrEqual(WINDOW.count);
        }
        expect(deps.deployer.actions().length).toBe(acted.length);
      }),
      params,
    );
  });

  it('RELIABILITY #17 (property): never a rollback to the current version', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (s) => {
        const { acted } = await runSequence(s);
        for (const a of acted) {
          expect(a.decision.to).toBeDefined();
          expect(a.decision.to).not.toBe(a.current);
        }
      }),
      params,
    );
  });

  /**
   * A version counts as known-good only when it served its whole bake time alone, with no trigger alarm
   * starting before the bake ended (even if the alarm's event arrives later). This found two ledger bugs
   * (time since completion instead of time served; bake judged at processing time instead of at the alarm's
   * start). More runs than the other properties, seeded, so it keeps finding such cases deterministically.
   */
  it('RELIABILITY #17 (property): never a rollback to a version that did not serve its bake time untroubled', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (s) => {
        const { acted } = await runSequence(s);
        for (const a of acted)
          expect({ to: a.decision.to, knownGood: a.knownGood }).toEqual({
            to: a.decision.to,
            knownGood: true,
          });
      }),
      { ...params, numRuns: 1500 },
    );
  });

  it('RELIABILITY #1/#2/#4 (property): every delivered alarm event is accounted for by exactly one decision', async () => {
    await fc.assert(
      fc.asyncProperty(steps, async (s) => {
        const { deps, delivered } = await runSequence(s);
        const decisions = deps.store.decisions();
        expect(decisions).toHaveLength(delivered.length);
        // Exactly one non-duplicate decision per distinct transition.
        const keys = new Set(delivered.map((t) => `${t.alarmName}|${t.value}|${t.timestamp}`));
        const firsts = decisions.filter((x) => x.reason !== 'duplicate');
        expect(firsts).toHaveLength(keys.size);
      }),
      params,
    );
  });
});

describe('RELIABILITY: who deployed is annotation only', () => {
  const steps = fc.array(step, { minLength: 5, maxLength: 40 });
  const params = { numRuns: Number(process.env.RELIABILITY_RUNS ?? 200), seed: 14_2026 };
  const asDecided = (x: Decision) => [x.at, x.trigger, x.outcome, x.reason, x.from, x.to];
  const withoutNames = (ledger: readonly { deployedBy?: string }[]) =>
    ledger.map(({ deployedBy: _by, ...rest }) => rest);

  it('RELIABILITY #26 (property): CloudTrail records, before or after their deployment event, change no decision, status, bake or order', async () => {
    let namedEntries = 0;
    let rollbacks = 0;
    await fc.assert(
      fc.asyncProperty(steps, fc.constantFrom<Calls>('before', 'after'), async (s, calls) => {
        const plain = await runSequence(s);
        const named = await runSequence(s, calls);
        expect(named.deps.store.decisions().map(asDecided)).toEqual(
          plain.deps.store.decisions().map(asDecided),
        );
        expect(named.deps.deployer.actions()).toEqual(plain.deps.deployer.actions());
        const ledger = named.deps.store.items.get(target.id)?.ledger ?? [];
        expect(withoutNames(ledger)).toEqual(plain.deps.store.items.get(target.id)?.ledger ?? []);
        // And the annotation happened: every entry of a named release carries its principal.
        for (const e of ledger) {
          const by = e.deploymentId === undefined ? undefined : named.principals.get(e.deploymentId);
          expect(e.deployedBy).toBe(by);
          if (by !== undefined) namedEntries++;
        }
        rollbacks += plain.acted.length;
      }),
      params,
    );
    // Not vacuous: entries were named, and the sequences decided rollbacks.
    expect(namedEntries).toBeGreaterThan(100);
    expect(rollbacks).toBeGreaterThan(50);
  });
});

describe('RELIABILITY: the property generator exercises rollbacks', () => {
  it('produces sequences with no, one and several rollbacks (so the properties above are not vacuous)', async () => {
    const samples = fc.sample(fc.array(step, { minLength: 5, maxLength: 40 }), { numRuns: 60, seed: 6_2026 });
    const counts = await Promise.all(samples.map(async (s) => (await runSequence(s)).acted.length));
    expect(counts.some((c) => c === 0)).toBe(true);
    expect(counts.filter((c) => c >= 1).length).toBeGreaterThan(10);
    expect(counts.some((c) => c >= 2)).toBe(true);
  });
});
