import type { InvocationContext } from '../../../lambda/handlers/runtime';
import { scheduledEvent } from '../../../lambda/sim/entry-points';
import { renderTimeline } from '../../../lambda/sim/render';
import { formatJson, simulate } from '../../../lambda/sim/simulate';
import type { InvocationTrace } from '../../../lambda/sim/trace';
import { minutes, validScenario } from './support';

describe('simulate', () => {
  it('runs the real watchdog: a bad deploy is stopped, rolled back and recovers', async () => {
    const { output, timings } = await simulate(validScenario());

    expect(Object.keys(output)).toEqual([
      'name',
      'decisions',
      'calls',
      'notifications',
      'final',
      'alarms',
      'stats',
      'expect',
      'failureDestination',
      'errors',
      'commands',
      'ledger',
    ]);
    expect(output.decisions[0]).toEqual({
      at: '2026-03-01T10:01:00.000Z',
      target: 'checkout',
      trigger: 'checkout-5xx',
      outcome: 'rollback',
      reason: 'alarm',
      from: 'checkout:42',
      to: 'checkout:41',
    });
    expect(output.calls.map((c) => [c.at, c.api, c.target])).toEqual([
      ['2026-03-01T10:01:00.000Z', 'ecs:StopServiceDeployment', 'checkout'],
      ['2026-03-01T10:01:00.000Z', 'sns:Publish', 'checkout'],
      ['2026-03-01T10:03:00.000Z', 'sns:Publish', 'checkout'],
    ]);
    expect(output.calls[0]?.params).toEqual({
      serviceDeploymentArn: expect.stringMatching(
        /^arn:aws:ecs:us-east-1:123456789012:service-deployment\/prod\/checkout\//,
      ),
      stopType: 'ROLLBACK',
    });
    const publish = output.calls[1]?.params as {
      Message: string;
      MessageStructure: string;
      MessageAttributes: Record<string, { StringValue: string }>;
    };
    // The message exactly as sent (docs/architecture.md, "Notification messages"): the Chatbot card as
    // `default`, plain text as `email`.
    expect(publish.MessageStructure).toBe('json');
    const members = JSON.parse(publish.Message) as { default: string; email: string };
    expect(JSON.parse(members.default)).toEqual(
      expect.objectContaining({ version: '1.0', source: 'custom' }),
    );
    expect(members.email).toMatch(/^Rolling back checkout: checkout:42 → checkout:41\n=+\n\nWhat fired: /);
    expect(publish.MessageAttributes.kind?.StringValue).toBe('rollback-started');
    expect(output.notifications.map((n) => n.kind)).toEqual(['rollback-started', 'rollback-succeeded']);
    expect(output.final).toEqual({ checkout: 'checkout:41' });
    expect(output.alarms).toEqual({ 'checkout-5xx': 'OK' });
    expect(output.stats.events).toBe(5);
    expect(output.stats.awsReads).toBeGreaterThan(0);
    expect(output.stats.awsWrites).toBeGreaterThan(output.calls.length);
    expect(output.expect).toEqual({ passed: true, failures: [] });
    expect(timings).toEqual([
      {
        target: 'checkout',
        at: Date.parse('2026-03-01T10:01:00Z'),
        detectMs: minutes(1),
        recoverMs: minutes(4),
      },
    ]);
  });

  it('gives byte-identical JSON on every run of the same scenario', async () => {
    const scenario = validScenario({
      config: {
        targets: ['checkout', 'cart', 'search'].map((id) => ({
          id,
          type: 'ecs-service',
          cluster: 'prod',
          service: id,
          alarms: ['edge-5xx'],
        })),
      },
      world: {
        ecsServices: ['checkout', 'cart', 'search'].map((id) => ({
          cluster: 'prod',
          service: id,
          taskDefinition: `${id}:1`,
        })),
        alarms: [{ name: 'edge-5xx', watches: 'checkout', deliveries: 2 }],
        badVersions: ['checkout:2', 'cart:2'],
      },
      timeline: [
        { at: '+0s', deploy: { target: 'checkout', version: 'checkout:2' } },
        { at: '+0s', deploy: { target: 'cart', version: 'cart:2' } },
      ],
    });
    const first = formatJson((await simulate(scenario)).output);
    const second = formatJson((await simulate(scenario)).output);
    expect(second).toBe(first);
    expect(JSON.parse(first).decisions.length).toBeGreaterThan(3);
  });

  it('delivers a malformed raw event as given; the watchdog rejects it and the run goes on', async () => {
    const { output, run } = await simulate(
      validScenario({
        timeline: [
          {
            at: '+1m',
            event: {
              'detail-type': 'CloudWatch Alarm State Change',
              source: 'aws.cloudwatch',
              detail: { alarmName: 'checkout-5xx' },
            },
          },
          { at: '+2m', event: [1, 2, 3] },
          { at: '+3m', deploy: { target: 'checkout', version: 'checkout:42' } },
        ],
      }),
    );
    const invocations = run.trace.filter((r): r is InvocationTrace => r.kind === 'invocation');
    expect(invocations[0]?.rejections).toEqual([expect.stringMatching(/^malformed: /)]);
    expect(invocations[1]?.rejections).toEqual([
      'malformed: $: must be a JSON object (an EventBridge event)',
    ]);
    expect(output.decisions.filter((d) => d.outcome === 'rollback')).toHaveLength(1);
    expect(output.errors).toEqual([]);
    expect(output.failureDestination).toEqual([]);
  });

  it("answers the deploy freeze from the world's pipelines: a pipeline the account lacks fails the freeze, not the rollback", async () => {
    const { output, run } = await simulate(
      validScenario({
        config: {
          targets: [
            {
              id: 'checkout',
              type: 'ecs-service',
              cluster: 'prod',
              service: 'checkout',
              alarms: ['checkout-5xx'],
              freeze: { pipeline: 'checkout-delivery', stage: 'Prod' },
            },
          ],
        },
        world: {
          ecsServices: [{ cluster: 'prod', service: 'checkout', taskDefinition: 'checkout:41' }],
          alarms: [{ name: 'checkout-5xx', watches: 'checkout' }],
          badVersions: ['checkout:42'],
          pipelines: [{ name: 'shop', stages: ['Prod'] }],
        },
      }),
    );
    expect(output.calls.map((c) => [c.api, c.target, c.error?.split(':')[0]])).toEqual([
      ['ecs:StopServiceDeployment', 'checkout', undefined],
      ['codepipeline:DisableStageTransition', 'checkout', 'PipelineNotFoundException'],
      ['sns:Publish', 'checkout', undefined],
      ['sns:Publish', 'checkout', undefined],
    ]);
    expect(output.decisions.filter((d) => d.outcome === 'rollback')).toHaveLength(1);
    expect(output.final).toEqual({ checkout: 'checkout:41' });
    const logs = run.trace.flatMap((r) => (r.kind === 'invocation' ? r.logs : []));
    expect(logs).toEqual([expect.stringMatching(/^deploy freeze failed: .*PipelineNotFoundException/)]);
    // Both messages say the freeze failed, page (severity high) and give the manual command.
    const published = output.calls
      .filter((c) => c.api === 'sns:Publish')
      .map(
        (c) => c.params as { Message: string; MessageAttributes: Record<string, { StringValue: string }> },
      );
    expect(
      published.map((p) => [p.MessageAttributes.kind.StringValue, p.MessageAttributes.severity.StringValue]),
    ).toEqual([
      ['rollback-started', 'high'],
      ['rollback-succeeded', 'high'],
    ]);
    for (const p of published) {
      expect(p.Message).toContain(
        'Could not disable the transition into stage Prod of pipeline checkout-delivery',
      );
      expect(p.Message).toContain(
        'aws codepipeline disable-stage-transition --pipeline-name checkout-delivery --stage-name Prod --transition-type Inbound',
      );
    }
  });

  it('runs scheduled jobs on the virtual clock, retries failures like Lambda and records the failure destination', async () => {
    const seen: string[] = [];
    const { output, run } = await simulate(validScenario({ until: '+25m' }), {
      jobs: () => [
        {
          name: 'sweep',
          everyMs: minutes(10),
          subject: 'schedule',
          event: (at) => scheduledEvent('arn:aws:events:us-east-1:123456789012:rule/test', at),
          run: (event, context: InvocationContext) => {
            seen.push(`${context.awsRequestId} ${event.time}`);
            return Promise.reject(new Error('state table unavailable'));
          },
        },
      ],
    });
    const sweeps = run.trace.filter(
      (r): r is InvocationTrace => r.kind === 'invocation' && r.handler === 'sweep',
    );
    expect(sweeps.map((s) => [(s.at - Date.parse('2026-03-01T10:00:00Z')) / 60_000, s.attempt])).toEqual([
      [10, 1],
      [11, 2],
      [13, 3],
      [20, 1],
      [21, 2],
      [23, 3],
    ]);
    expect(new Set(sweeps.slice(0, 3).map((s) => s.requestId)).size).toBe(1);
    expect(sweeps[0]?.requestId).not.toBe(sweeps[3]?.requestId);
    // Each retry gets the same request id and the same scheduled event, like Lambda's.
    const [first, , , second] = sweeps.map((s) => s.requestId);
    expect(seen).toEqual([
      ...Array<string>(3).fill(`${first} 2026-03-01T10:10:00Z`),
      ...Array<string>(3).fill(`${second} 2026-03-01T10:20:00Z`),
    ]);
    expect(output.failureDestination).toEqual([
      {
        at: '2026-03-01T10:13:00.000Z',
        handler: 'sweep',
        event: 'schedule',
        attempts: 3,
        error: 'Error: state table unavailable',
      },
      {
        at: '2026-03-01T10:23:00.000Z',
        handler: 'sweep',
        event: 'schedule',
        attempts: 3,
        error: 'Error: state table unavailable',
      },
    ]);
  });

  it('renders a readable timeline with a one-line summary, coloured only when asked', async () => {
    const result = await simulate(validScenario({ expect: { final: { checkout: 'checkout:42' } } }));
    const plain = renderTimeline(result.run, result.output, result.timings, { color: false });
    expect(plain).toContain('checkout: rollback (alarm) checkout:42 → checkout:41 · trigger checkout-5xx');
    expect(plain).toContain('aws call   ecs:StopServiceDeployment checkout');
    expect(plain).toContain('notify     rollback-started checkout: ');
    expect(plain).toMatch(
      /\n {2}1 rollback · release → rollback decided 1m00s · release → healthy 4m00s · 5 events · \d+ AWS reads, \d+ writes\n/,
    );
    expect(plain).toContain(
      'expect: FAILED (1)\n    ✗ expected checkout to run checkout:42 at the end, it runs checkout:41',
    );
    expect(plain).not.toContain('\u001b[');
    expect(renderTimeline(result.run, result.output, result.timings, { color: true })).toContain(
      '\u001b[31m',
    );
  });

  it('shows lost CodeDeploy events and the sweeps that did something in the readable timeline', async () => {
    const result = await simulate(
      validScenario({
        config: {
          targets: [
            {
              id: 'payments',
              type: 'codedeploy',
              application: 'payments',
              deploymentGroup: 'payments-prod',
              alarms: ['payments-errors'],
            },
          ],
        },
        world: {
          codeDeployGroups: [
            {
              application: 'payments',
              deploymentGroup: 'payments-prod',
              revision: 'payments@r7',
              lostEvents: ['SUCCESS'],
            },
          ],
          alarms: [{ name: 'payments-errors', watches: 'payments', delaySeconds: 300 }],
          badVersions: ['payments@r8'],
        },
        timeline: [{ at: '+0s', deploy: { target: 'payments', version: 'payments@r8' } }],
      }),
    );
    const plain = renderTimeline(result.run, result.output, result.timings, { color: false });
    expect(plain).toMatch(
      /\n {2}\+2m {6}10:02:00 {2}codedeploy payments: d-[A-Z0-9]{9} \(payments@r8\) succeeded\n {21}lost {7}payments: event lost: SUCCESS of d-[A-Z0-9]{9} \(payments@r8\) is never delivered\n/,
    );
    expect(plain).toMatch(
      /\n {21}codedeploy payments: CreateDeployment payments@r8 → payments@r7 \(d-[A-Z0-9]{9}\)\n/,
    );
    expect(plain).toMatch(
      /\n {2}\+10m {5}10:10:00 {2}invoke {5}onSweep ← Scheduled Event \(every 5m\)\n {23}notify {3}rollback-succeeded payments: /,
    );
    // Sweeps that found nothing to do stay out of the timeline.
    expect(plain.match(/onSweep/g)).toHaveLength(1);
    expect(result.output.final).toEqual({ payments: 'payments@r7' });
  });
});
