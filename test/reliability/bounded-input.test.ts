import { parseAlarmEvent } from '../../lambda/boundary/events';
import { parseOperatorRequest } from '../../lambda/boundary/operator-request';
import { createOperatorHandler } from '../../lambda/handlers/operator-http';
import { parseScenario } from '../../lambda/sim/scenario-schema';
import { simulate, type SimulationResult } from '../../lambda/sim/simulate';
import type { InvocationTrace } from '../../lambda/sim/trace';
import { alarmEvent } from '../support/events';

/**
 * Bounded input, one named defect per test (each failed before the fix): oversized strings filling a target's
 * item, an event whose problems flood the log and the audit, alarm names that are prototype keys, timestamps
 * that read as the far future, and operator bodies that made the parser throw.
 */

const START = Date.parse('2026-03-01T10:00:00Z');

function scenario(extra: { alarms?: string[]; timeline?: unknown[] } = {}): unknown {
  const alarms = extra.alarms ?? ['checkout-5xx'];
  return {
    name: 'bounded input',
    start: '2026-03-01T10:00:00Z',
    config: {
      targets: [{ id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'checkout', alarms }],
    },
    world: {
      ecsServices: [
        { cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41', rolloutSeconds: 300 },
      ],
      alarms: alarms.map((name) => ({ name, watches: 'checkout', delaySeconds: 60 })),
      badVersions: ['checkout:42'],
    },
    timeline: extra.timeline ?? [],
    until: '+30m',
  };
}

async function run(s: unknown): Promise<SimulationResult> {
  const parsed = parseScenario(s);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return simulate(parsed.scenario);
}

const invocations = (r: SimulationResult) =>
  r.run.trace.filter((t): t is InvocationTrace => t.kind === 'invocation');
const rejections = (r: SimulationResult) => invocations(r).flatMap((i) => i.rejections);
const rolledBack = (r: SimulationResult) =>
  r.output.decisions.filter((d) => d.outcome === 'rollback' && d.to === 'checkout:41');

const release = { at: '+10m', deploy: { target: 'checkout', version: 'checkout:42' } };

describe('bounded input', () => {
  it('RELIABILITY #20 (M): a dozen OK events with 100 KB alarm ARNs are rejected; the next genuine ALARM still rolls back', async () => {
    const huge = `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${'x'.repeat(100_000)}`;
    const flood = Array.from({ length: 12 }, (_, i) => {
      const e = alarmEvent('checkout-5xx', 'OK', new Date(START + (i + 1) * 1000), { id: `flood-${i}` });
      e.resources = [huge];
      return { at: `+${i + 1}s`, event: e };
    });
    const r = await run(scenario({ timeline: [...flood, release] }));
    expect(rejections(r)).toHaveLength(12);
    expect(rejections(r)[0]).toContain('$.resources[0]');
    expect(rolledBack(r)).toHaveLength(1);
    expect(r.output.failureDestination).toEqual([]);
  });

  it('RELIABILITY #20 (M): an event with 60,000 bad resources entries is rejected with a capped list of problems, never retried', async () => {
    const e = alarmEvent('checkout-5xx', 'ALARM', new Date(START + 1000), { id: 'wide' });
    e.resources = Array.from({ length: 60_000 }, (_, i) => i);
    const parsed = parseAlarmEvent(e);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.problems.length).toBeLessThanOrEqual(21);
      expect(parsed.problems.join('\n').length).toBeLessThan(10_000);
    }
    const r = await run(scenario({ timeline: [{ at: '+1s', event: e }, release] }));
    expect(rejections(r)).toHaveLength(1);
    // The handler did not throw: no retry, nothing in the failure destination.
    expect(invocations(r).filter((i) => i.error !== undefined)).toEqual([]);
    expect(r.output.failureDestination).toEqual([]);
    expect(rolledBack(r)).toHaveLength(1);
  });

  it.each(['__proto__', 'constructor', 'toString'])(
    'RELIABILITY #20 (M): a trigger alarm named %s is stored and decided like any other',
    async (name) => {
      const r = await run(scenario({ alarms: [name], timeline: [release] }));
      expect(r.output.errors).toEqual([]);
      expect(invocations(r).filter((i) => i.error !== undefined)).toEqual([]);
      expect(rolledBack(r)).toEqual([expect.objectContaining({ trigger: name })]);
      expect(r.output.final.checkout).toBe('checkout:41');
    },
  );

  it.each([
    ['a bare number', '42'],
    ['a date without time', '2026-03-01'],
    ['a local time without zone', '2026-03-01T10:00:30'],
    ['a day that does not exist', '2026-02-30T10:00:00Z'],
  ])('RELIABILITY #20 (U): a state timestamp that is %s is rejected by path', (_what, value) => {
    const e = alarmEvent('checkout-5xx', 'ALARM', new Date(START));
    e.detail.state.timestamp = value;
    const parsed = parseAlarmEvent(e, { now: START });
    expect(parsed).toMatchObject({ ok: false, reason: 'malformed' });
    expect(!parsed.ok && parsed.problems.join()).toContain(
      '$.detail.state.timestamp: must be an ISO-8601 timestamp',
    );
  });

  it('RELIABILITY #20 (U): CloudWatch +0000 offsets and fractional seconds parse to the exact instant', () => {
    const e = alarmEvent('checkout-5xx', 'ALARM', new Date(START));
    e.detail.state.timestamp = '2026-03-01T11:00:00.123456+0100';
    const parsed = parseAlarmEvent(e, { now: START });
    expect(parsed.ok && parsed.value.timestamp).toBe(START + 123);
  });

  it('RELIABILITY #20 (M): a far-future ALARM is rejected and never becomes the high-water mark', async () => {
    const future = alarmEvent('checkout-5xx', 'ALARM', new Date('9999-12-31T23:59:59Z'), { id: 'future' });
    const r = await run(scenario({ timeline: [{ at: '+1s', event: future }, release] }));
    expect(rejections(r)).toEqual([expect.stringContaining('ahead of the watchdog')]);
    // Had it been kept, every later genuine transition would be `superseded`.
    expect(r.output.decisions.filter((d) => d.reason === 'superseded')).toEqual([]);
    expect(rolledBack(r)).toHaveLength(1);
  });

  it('RELIABILITY #20 (U): a timestamp a few seconds ahead (clock skew) is accepted; six minutes ahead is not', () => {
    const e = (offsetMs: number) => alarmEvent('checkout-5xx', 'ALARM', new Date(START + offsetMs));
    expect(parseAlarmEvent(e(30_000), { now: START }).ok).toBe(true);
    expect(parseAlarmEvent(e(6 * 60_000), { now: START }).ok).toBe(false);
  });
});

describe('bounded operator input', () => {
  const handler = createOperatorHandler({
    onOperator: async (request) => {
      const parsed = parseOperatorRequest(request);
      return parsed.ok
        ? { ok: true, result: parsed.request }
        : { ok: false, error: { code: 'invalid-request', message: parsed.problems.join('; ') } };
    },
  });
  const post = (body: string) =>
    handler(
      {
        requestContext: {
          http: { method: 'POST' },
          authorizer: { iam: { userArn: 'arn:aws:iam::1:user/op' } },
        },
        body,
      },
      { awsRequestId: 'r' },
    );

  it('answers a deeply nested body with 400 naming the problem, never a throw', async () => {
    const deep = `{"command":"status","target":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(() => parseOperatorRequest(JSON.parse(deep))).not.toThrow();
    const response = await post(deep);
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain('levels deep');
  });

  it('answers history with sinceMs past the last representable date with 400 naming sinceMs', async () => {
    const response = await post(JSON.stringify({ command: 'history', sinceMs: 8.64e15 + 1 }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain('$.sinceMs');
  });

  it('answers an oversized body with 400 before parsing it', async () => {
    const response = await post(JSON.stringify({ command: 'pause', reason: 'x'.repeat(20_000) }));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain('at most 16384 bytes');
  });
});
