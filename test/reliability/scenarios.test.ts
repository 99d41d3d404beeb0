import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, readScenarioFile } from '../../lambda/sim/scenario-schema';
import { simulate, type SimulationResult } from '../../lambda/sim/simulate';

/**
 * Cases of layer M of the reliability checklist (docs/reliability.md, "The reliability checklist"): scenarios
 * through the simulator in-process (real handlers, use cases and adapters against the simulated account, the
 * real store on dynalite). Each test asserts the outcome the case names on the output, beyond the scenario's
 * own `expect` block.
 */

const example = (name: string) => join(__dirname, '../../examples', `${name}.json`);
const fixture = (name: string) => join(__dirname, '../fixtures/reliability', `${name}.json`);

async function run(file: string): Promise<SimulationResult['output']> {
  const parsed = readScenarioFile(file);
  if (!parsed.ok) throw new Error(`${file} is invalid:\n${parsed.problems.join('\n')}`);
  const { output } = await simulate(parsed.scenario);
  expect(output.errors).toEqual([]);
  expect(output.expect).toEqual({ passed: true, failures: [] });
  return output;
}

type Output = SimulationResult['output'];
const calls = (o: Output, api: string) => o.calls.filter((c) => c.api === api && !c.error).length;
const decisions = (o: Output, outcome: string, reason?: string) =>
  o.decisions.filter((d) => d.outcome === outcome && (reason === undefined || d.reason === reason));
const notified = (o: Output, kind: string) => o.notifications.filter((n) => n.kind === kind).length;

describe('RELIABILITY #1: the same ALARM event delivered 3 times concurrently', () => {
  it('RELIABILITY #1 (M): one StopServiceDeployment, two duplicates per transition, one rollback-started', async () => {
    const o = await run(example('duplicate-delivery'));
    expect(calls(o, 'ecs:StopServiceDeployment') + calls(o, 'ecs:UpdateService')).toBe(1);
    expect(decisions(o, 'rollback')).toHaveLength(1);
    const firstAt = decisions(o, 'rollback')[0].at;
    expect(decisions(o, 'skip', 'duplicate').filter((d) => d.at === firstAt)).toHaveLength(2);
    expect(notified(o, 'rollback-started')).toBe(1);
  });
});

describe('RELIABILITY #4: OK(t2) processed before ALARM(t1)', () => {
  it('RELIABILITY #4 (M): no rollback; the late ALARM is superseded', async () => {
    const o = await run(example('out-of-order-events'));
    expect(decisions(o, 'rollback')).toEqual([]);
    expect(decisions(o, 'skip', 'superseded')).toEqual([
      expect.objectContaining({ trigger: 'checkout-5xx' }),
    ]);
    expect(o.calls.filter((c) => c.api.startsWith('ecs:'))).toEqual([]);
  });
});

describe('RELIABILITY #5: alarm flapping ALARM/OK 10 times in 10 minutes', () => {
  const allowed = ['rollback-in-progress', 'cooldown', 'current-is-known-good'];

  it.each([
    ['slow rollout (examples/flapping-alarm.json)', example('flapping-alarm')],
    ['fast rollback (fixtures/reliability/flapping-after-rollback.json)', fixture('flapping-after-rollback')],
  ])(
    'RELIABILITY #5 (M): at most one rollback, every other ALARM declined as allowed: %s',
    async (_n, file) => {
      const o = await run(file);
      expect(decisions(o, 'rollback').length).toBeLessThanOrEqual(1);
      expect(calls(o, 'ecs:StopServiceDeployment') + calls(o, 'ecs:UpdateService')).toBeLessThanOrEqual(1);
      // Repeats of a transition already decided on (`duplicate`) are not new flaps.
      const laterAlarms = o.decisions.filter(
        (d) => d.outcome !== 'rollback' && !['not-alarm-state', 'duplicate'].includes(d.reason),
      );
      expect(laterAlarms.length).toBeGreaterThanOrEqual(4);
      for (const d of laterAlarms) expect(allowed).toContain(d.reason);
    },
  );
});

describe('RELIABILITY #6: three genuine incidents in one hour, limit 2 per hour', () => {
  it('RELIABILITY #6 (M): two rollbacks; the third rate-limited plus an escalation', async () => {
    const o = await run(example('rate-limited'));
    expect(decisions(o, 'rollback').map((d) => d.from)).toEqual(['checkout:42', 'checkout:43']);
    expect(decisions(o, 'skip', 'rate-limited')).toEqual([expect.objectContaining({ from: 'checkout:44' })]);
    expect(notified(o, 'escalation')).toBe(1);
    expect(calls(o, 'ecs:StopServiceDeployment') + calls(o, 'ecs:UpdateService')).toBe(2);
  });
});

describe('RELIABILITY #7: two alarms of one service go ALARM within 100 ms', () => {
  it('RELIABILITY #7 (M): one rollback, the other alarm rollback-in-progress (same instant)', async () => {
    const o = await run(example('checkout-bad-deploy'));
    const [acted] = decisions(o, 'rollback');
    const [other] = decisions(o, 'skip', 'rollback-in-progress');
    expect(decisions(o, 'rollback')).toHaveLength(1);
    expect(new Set([acted.trigger, other.trigger])).toEqual(new Set(['checkout-5xx', 'checkout-p99']));
    expect(Math.abs(Date.parse(acted.at) - Date.parse(other.at))).toBeLessThanOrEqual(100);
    expect(calls(o, 'ecs:StopServiceDeployment')).toBe(1);
  });
});

describe('RELIABILITY #13: deployment already stopping (ROLLBACK_IN_PROGRESS)', () => {
  it('RELIABILITY #13 (M): no action on a deployment ECS is already rolling back; the decision says so', async () => {
    const o = await run(example('circuit-breaker-rollback'));
    expect(calls(o, 'ecs:StopServiceDeployment') + calls(o, 'ecs:UpdateService')).toBe(0);
    expect(decisions(o, 'skip', 'native-rollback-in-progress').length).toBeGreaterThanOrEqual(1);
  });
});

describe('RELIABILITY #14: ECS circuit breaker already rolling back when our alarm arrives', () => {
  it('RELIABILITY #14 (M): native-rollback-in-progress; no action', async () => {
    const o = await run(example('circuit-breaker-rollback'));
    expect(decisions(o, 'rollback')).toEqual([]);
    expect(decisions(o, 'skip', 'native-rollback-in-progress')).toEqual([
      expect.objectContaining({ target: 'checkout', trigger: 'checkout-5xx' }),
    ]);
    expect(o.calls.filter((c) => c.api.startsWith('ecs:'))).toEqual([]);
    expect(o.final).toEqual({ checkout: 'checkout:41' });
  });
});

describe('RELIABILITY #16: events caused by our own rollback', () => {
  it.each([
    ['ECS stop (checkout-bad-deploy)', example('checkout-bad-deploy')],
    ['CodeDeploy stop (codedeploy-stop-with-rollback)', example('codedeploy-stop-with-rollback')],
  ])('RELIABILITY #16 (M): they complete the rollback and never trigger another: %s', async (_n, file) => {
    const o = await run(file);
    expect(decisions(o, 'rollback')).toHaveLength(1);
    expect(notified(o, 'rollback-started')).toBe(1);
    expect(notified(o, 'rollback-succeeded')).toBe(1);
    expect(notified(o, 'rollback-failed')).toBe(0);
    const writes = o.calls.filter((c) => /StopServiceDeployment|UpdateService|Deployment$/.test(c.api));
    expect(writes).toHaveLength(1);
  });
});

describe('RELIABILITY #18: CodeDeploy deployments, at most one CreateDeployment', () => {
  it.each([
    ['redeploy after completion', example('codedeploy-redeploy-after-completion')],
    ['lost success event', example('codedeploy-lost-success-event')],
  ])('RELIABILITY #18 (M): at most one CreateDeployment, no failure surfaced: %s', async (_n, file) => {
    const o = await run(file);
    expect(o.calls.filter((c) => c.api === 'codedeploy:CreateDeployment')).toHaveLength(1);
    expect(o.failureDestination).toEqual([]);
    expect(notified(o, 'rollback-failed')).toBe(0);
  });
});

describe('RELIABILITY #19: a CodeDeploy event is lost', () => {
  it('RELIABILITY #19 (M): the reconcile sweep finds the deployment and acts once', async () => {
    const o = await run(example('codedeploy-lost-success-event'));
    expect(calls(o, 'codedeploy:CreateDeployment')).toBe(1);
    expect(decisions(o, 'rollback')).toHaveLength(1);
    // Only the sweep (at +10m) can see the rollback finished: its SUCCESS event was lost too.
    expect(o.notifications.filter((n) => n.kind === 'rollback-succeeded')).toEqual([
      expect.objectContaining({ at: '2026-03-01T10:10:00.000Z' }),
    ]);
  });
});

describe('RELIABILITY #25: rollback completes but the alarm stays in ALARM past the verification timeout', () => {
  it('RELIABILITY #25 (M): escalation, then no further automatic rollback until an operator acts', async () => {
    const o = await run(example('verification-escalation'));
    expect(notified(o, 'escalation')).toBe(1);
    const escalatedAt = o.notifications.find((n) => n.kind === 'escalation')!.at;
    const after = o.decisions.filter((d) => d.at > escalatedAt);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((d) => d.outcome === 'rollback')).toEqual([]);
    expect(after.filter((d) => d.reason === 'paused').length).toBeGreaterThan(0);
    expect(calls(o, 'ecs:StopServiceDeployment') + calls(o, 'ecs:UpdateService')).toBe(1);
  });
});

describe('RELIABILITY #26: who deployed arrives before and after the deployment events', () => {
  it('RELIABILITY #26 (M): the same decisions, calls, notifications and ledger as without CloudTrail, names added', async () => {
    const named = await run(example('deployed-by-cloudtrail'));
    // The same scenario in an account without a trail: no `by`, no raw CloudTrail record.
    const raw = JSON.parse(readFileSync(example('deployed-by-cloudtrail'), 'utf8')) as {
      timeline: { deploy?: { by?: string }; event?: unknown }[];
      expect: { ledger?: unknown };
    };
    raw.timeline = raw.timeline
      .filter((e) => e.event === undefined)
      .map((e) => (e.deploy ? { ...e, deploy: { ...e.deploy, by: undefined } } : e));
    delete raw.expect.ledger;
    const parsed = parseScenario(JSON.parse(JSON.stringify(raw)));
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const plain = (await simulate(parsed.scenario)).output;

    expect(named.decisions).toEqual(plain.decisions);
    // Decision ids come from the run's request counter, which the extra deliveries advance.
    // The messages differ in one place only: they name who deployed (Notifications: "What changed").
    const unsaid = (text: string) =>
      text.replace(/ by arn:aws:(?:sts|iam)::\d{12}:[A-Za-z0-9/+=,.@_-]+/g, '');
    const callsOf = (o: Output) =>
      o.calls.map((c) =>
        unsaid(
          JSON.stringify(c).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<id>'),
        ),
      );
    expect(callsOf(named)).toEqual(callsOf(plain));
    const messagesOf = (o: Output) => JSON.parse(unsaid(JSON.stringify(o.notifications))) as unknown;
    expect(messagesOf(named)).toEqual(messagesOf(plain));
    expect(JSON.stringify(named.calls.filter((c) => c.api === 'sns:Publish'))).toContain(
      'was deployed at 2026-03-01 10:00:00 UTC by arn:aws:sts::123456789012:assumed-role/release-pipeline/alice',
    );
    expect(named.final).toEqual(plain.final);
    const unnamed = (o: Output) => o.ledger.map(({ deployedBy: _by, ...e }) => e);
    expect(unnamed(named)).toEqual(unnamed(plain));
    expect(named.ledger.filter((e) => e.deployedBy?.startsWith('arn:')).map((e) => e.version)).toEqual([
      'checkout:43',
      'checkout:42',
      'payments@r8',
    ]);
    // Without a trail only CodeDeploy's creator names anyone.
    expect(plain.ledger.filter((e) => e.deployedBy !== undefined).map((e) => e.deployedBy)).toEqual([
      'CodeDeploy creator: user',
      'CodeDeploy creator: user',
    ]);
  });
});

describe('RELIABILITY #28: a version quarantine lost, late or duplicated between regions', () => {
  it('RELIABILITY #28 (M): three late copies roll the other region back once; the rest are duplicates', async () => {
    const o = await run(example('region-delivery-delayed-and-duplicated'));
    const region = decisions(o, 'rollback', 'region');
    expect(region).toHaveLength(1);
    expect(region[0]).toMatchObject({ region: 'eu-west-1', from: 'checkout:42', to: 'checkout:41' });
    expect(decisions(o, 'skip', 'duplicate').filter((d) => d.region === 'eu-west-1')).toHaveLength(2);
    expect(o.final).toEqual({ 'checkout@us-east-1': 'checkout:41', 'checkout@eu-west-1': 'checkout:41' });
  });

  it('RELIABILITY #28 (M): an unreachable region is retried every 5 minutes, reported once, and rolled back when it can be reached', async () => {
    const o = await run(example('region-unreachable-is-retried-and-reported'));
    const puts = o.calls.filter((c) => c.api === 'events:PutEvents' && c.region === 'us-east-1');
    // The first put at the rollback, then one per sweep until the receipt: +5m, +10m, ..., +30m.
    expect(puts.map((c) => c.at.slice(11, 16))).toEqual([
      '10:05',
      '10:10',
      '10:15',
      '10:20',
      '10:25',
      '10:30',
    ]);
    const warnings = o.notifications.filter((n) => n.kind === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ at: '2026-03-01T10:20:00.000Z', region: 'us-east-1' });
    expect(decisions(o, 'rollback', 'region')).toHaveLength(1);
  });
});
