import { resolveRuntimeConfig } from '../../../lambda/boundary/config-schema';
import type { InvocationContext, WatchdogRuntime } from '../../../lambda/handlers/runtime';
import { handlerFor, scheduledJobs } from '../../../lambda/sim/entry-points';
import { simulate } from '../../../lambda/sim/simulate';
import type { InvocationTrace } from '../../../lambda/sim/trace';
import { START_MS, minutes, validScenario } from './support';

const ENV = { account: '123456789012', region: 'us-east-1' };
const TARGETS = [
  { id: 'checkout', type: 'ecs-service', cluster: 'prod', service: 'checkout', alarms: ['checkout-5xx'] },
] as const;

function recordingRuntime() {
  const swept: [unknown, InvocationContext][] = [];
  const runtime: WatchdogRuntime = {
    onAlarm: () => Promise.resolve(),
    onDeployment: () => Promise.resolve(),
    onVersionEvent: () => Promise.resolve(),
    onOperator: () =>
      Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'not used here' } }),
    onSweep: (event, context) => {
      swept.push([event, context]);
      return Promise.resolve();
    },
  };
  return { runtime, swept };
}

describe('scheduledJobs', () => {
  it('runs the reconcile sweep every sweepIntervalMinutes of the resolved config (default 5)', () => {
    const { runtime } = recordingRuntime();
    const byDefault = scheduledJobs(runtime, resolveRuntimeConfig({ targets: [...TARGETS] }, ENV));
    expect(byDefault.map((j) => [j.name, j.everyMs, j.subject])).toEqual([
      ['onSweep', minutes(5), 'Scheduled Event (every 5m)'],
    ]);
    const configured = scheduledJobs(
      runtime,
      resolveRuntimeConfig({ defaults: { sweepIntervalMinutes: 15 }, targets: [...TARGETS] }, ENV),
    );
    expect(configured.map((j) => j.everyMs)).toEqual([minutes(15)]);
  });

  it("hands onSweep EventBridge's scheduled event for that run", async () => {
    const { runtime, swept } = recordingRuntime();
    const [sweep] = scheduledJobs(runtime, resolveRuntimeConfig({ targets: [...TARGETS] }, ENV));
    const at = START_MS + minutes(5);
    const event = sweep.event(at);
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-03-01T10:05:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:events:us-east-1:123456789012:rule/RollbackWatchdog-SweepSchedule'],
      detail: {},
    });
    expect(sweep.event(at)).toEqual(event);
    expect(sweep.event(at + minutes(5)).id).not.toBe(event.id);
    await sweep.run(event, { awsRequestId: 'r-1' });
    expect(swept).toEqual([[event, { awsRequestId: 'r-1' }]]);
  });

  it('puts the sweep on the virtual clock from start: first run one interval in, none after until', async () => {
    const { run } = await simulate(
      validScenario({
        config: { defaults: { sweepIntervalMinutes: 10 }, targets: [...TARGETS] },
        until: '+35m',
      }),
    );
    const sweeps = run.trace.filter(
      (r): r is InvocationTrace => r.kind === 'invocation' && r.handler === 'onSweep',
    );
    expect(sweeps.map((s) => [(s.at - START_MS) / minutes(1), s.subject, s.attempt])).toEqual([
      [10, 'Scheduled Event (every 10m)', 1],
      [20, 'Scheduled Event (every 10m)', 1],
      [30, 'Scheduled Event (every 10m)', 1],
    ]);
    expect(sweeps.map((s) => s.error)).toEqual([undefined, undefined, undefined]);
  });
});

describe('handlerFor', () => {
  it('routes ECS and CodeDeploy events to onDeployment, everything else to onAlarm', () => {
    expect(handlerFor({ source: 'aws.codedeploy', 'detail-type': 'x' })).toBe('onDeployment');
    expect(handlerFor({ 'detail-type': 'CodeDeploy Deployment State-change Notification' })).toBe(
      'onDeployment',
    );
    expect(handlerFor({ 'detail-type': 'ECS Deployment State Change' })).toBe('onDeployment');
    expect(handlerFor({ source: 'aws.cloudwatch' })).toBe('onAlarm');
    expect(handlerFor([1])).toBe('onAlarm');
  });
});
