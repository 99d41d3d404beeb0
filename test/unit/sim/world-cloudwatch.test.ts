import { ResourceNotFound } from '@aws-sdk/client-cloudwatch';
import type { AlarmSpec } from '../../../lambda/sim/scenario';
import { CloudWatchWorld } from '../../../lambda/sim/world/cloudwatch';
import { START_MS, minutes, recordingContext, seconds } from './support';

function setup(specs: Partial<AlarmSpec>[] = [{}]) {
  const ctx = recordingContext();
  const transitions: [number, string, string][] = [];
  const alarms = specs.map((s, i): AlarmSpec => ({
    name: `alarm-${i}`,
    watches: 'checkout',
    delaySeconds: 60,
    state: 'OK',
    deliveries: 1,
    ...s,
  }));
  const world = new CloudWatchWorld(ctx, alarms, new Set(['checkout:42']), (alarm, value) =>
    transitions.push([ctx.clock.now() - START_MS, alarm, value]),
  );
  const cw = world.commands();
  const run = (op: string, input: Record<string, unknown>) => cw[op].run(input);
  return { ctx, world, transitions, run };
}

describe('CloudWatchWorld', () => {
  it('goes to ALARM delaySeconds after a bad version starts serving, and to OK delaySeconds after a good one settles', async () => {
    const { ctx, world, transitions } = setup();
    world.servingChanged('checkout', 'checkout:42', false);
    ctx.clock.after(seconds(90), () => world.servingChanged('checkout', 'checkout:41', false));
    ctx.clock.after(seconds(210), () => world.servingChanged('checkout', 'checkout:41', true));
    await ctx.clock.runUntil(START_MS + minutes(30));
    expect(transitions).toEqual([
      [seconds(60), 'alarm-0', 'ALARM'],
      [seconds(270), 'alarm-0', 'OK'],
    ]);
    expect(world.states()).toEqual({ 'alarm-0': 'OK' });
  });

  it('does not fire for a bad version that stopped serving before the delay', async () => {
    const { ctx, world, transitions } = setup();
    world.servingChanged('checkout', 'checkout:42', false);
    ctx.clock.after(seconds(30), () => world.servingChanged('checkout', 'checkout:41', false));
    await ctx.clock.runUntil(START_MS + minutes(30));
    expect(transitions).toEqual([]);
  });

  it('keeps firing for a bad version that settles before the delay', async () => {
    const { ctx, world, transitions } = setup([{ delaySeconds: 300 }]);
    world.servingChanged('checkout', 'checkout:42', false);
    ctx.clock.after(seconds(60), () => world.servingChanged('checkout', 'checkout:42', true));
    await ctx.clock.runUntil(START_MS + minutes(30));
    expect(transitions).toEqual([[seconds(300), 'alarm-0', 'ALARM']]);
  });

  it('emits a CloudWatch Alarm State Change for every real transition, delivered `deliveries` times', async () => {
    const { ctx, world } = setup([{ deliveries: 3 }, { watches: 'cart' }]);
    world.servingChanged('checkout', 'checkout:42', false);
    await ctx.clock.runUntil(START_MS + minutes(5));
    expect(ctx.emitted).toHaveLength(1);
    expect(ctx.emitted[0]).toEqual({
      at: START_MS + seconds(60),
      source: 'alarm:alarm-0',
      deliveries: 3,
      event: {
        version: '0',
        id: expect.any(String),
        'detail-type': 'CloudWatch Alarm State Change',
        source: 'aws.cloudwatch',
        account: '123456789012',
        time: '2026-03-01T10:01:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:alarm-0'],
        detail: {
          alarmName: 'alarm-0',
          state: {
            value: 'ALARM',
            reason: 'Threshold Crossed: checkout serves checkout:42, a bad version.',
            reasonData: expect.stringContaining('"recentDatapoints":[1]'),
            timestamp: '2026-03-01T10:01:00.000+0000',
          },
          previousState: {
            value: 'OK',
            reason: 'Initial state of the simulated alarm.',
            timestamp: '2026-02-28T10:00:00.000+0000',
          },
          configuration: expect.objectContaining({ description: 'Simulated health alarm of checkout.' }),
        },
      },
    });
  });

  it('applies direct transitions, and a transition to the current state is none', () => {
    const { ctx, world } = setup([{ watches: undefined }]);
    expect(world.set('alarm-0', 'OK', undefined, undefined)).toBe(false);
    expect(world.set('alarm-0', 'ALARM', 'by hand', 2)).toBe(true);
    expect(
      ctx.emitted.map((e) => [e.deliveries, (e.event.detail.state as { reason: string }).reason]),
    ).toEqual([[2, 'by hand']]);
  });

  it('answers DescribeAlarms and SetAlarmState from its state', () => {
    const { ctx, run } = setup([{}, { name: 'zeta', state: 'ALARM', watches: undefined }]);
    const described = run('DescribeAlarms', { AlarmNames: ['zeta', 'alarm-0', 'missing'] }) as {
      MetricAlarms: { AlarmName: string; StateValue: string; StateUpdatedTimestamp: Date }[];
    };
    expect(described.MetricAlarms.map((a) => [a.AlarmName, a.StateValue])).toEqual([
      ['alarm-0', 'OK'],
      ['zeta', 'ALARM'],
    ]);
    expect(described).not.toHaveProperty('CompositeAlarms');
    expect(
      run('DescribeAlarms', { StateValue: 'ALARM', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
    ).toEqual({
      MetricAlarms: [expect.objectContaining({ AlarmName: 'zeta' })],
      CompositeAlarms: [],
    });

    run('SetAlarmState', { AlarmName: 'alarm-0', StateValue: 'ALARM', StateReason: 'drill' });
    expect(ctx.emitted).toHaveLength(1);
    expect(() => run('SetAlarmState', { AlarmName: 'missing', StateValue: 'OK', StateReason: 'x' })).toThrow(
      ResourceNotFound,
    );
  });

  it("answers the sweep's DescribeAlarms with StateTransitionedTimestamp equal to the transition event's state.timestamp", async () => {
    const { ctx, world, run } = setup();
    world.servingChanged('checkout', 'checkout:42', false);
    await ctx.clock.runUntil(START_MS + minutes(5));
    const described = run('DescribeAlarms', {
      AlarmNames: ['alarm-0'],
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
      MaxRecords: 100,
    }) as {
      MetricAlarms: {
        AlarmArn: string;
        StateValue: string;
        StateTransitionedTimestamp: Date;
        StateUpdatedTimestamp: Date;
      }[];
      CompositeAlarms: unknown[];
      NextToken?: string;
    };
    const [alarm] = described.MetricAlarms;
    const state = ctx.emitted[0]?.event.detail.state as { value: string; timestamp: string };
    expect(alarm.StateValue).toBe(state.value);
    expect(alarm.AlarmArn).toBe(ctx.emitted[0]?.event.resources[0]);
    // The sweep dedupes on alarm ARN + state + timestamp: both reads of one transition must agree to the ms.
    expect(alarm.StateTransitionedTimestamp.getTime()).toBe(Date.parse(state.timestamp));
    expect(alarm.StateTransitionedTimestamp.getTime()).toBe(START_MS + seconds(60));
    expect(described.CompositeAlarms).toEqual([]);
    expect(described.NextToken).toBeUndefined();
  });

  it('keeps a state forced by SetAlarmState only until the next evaluation, then follows its metric again', async () => {
    const { ctx, world, transitions, run } = setup([{}, { name: 'zeta', watches: undefined }]);
    ctx.clock.after(seconds(90), () => {
      run('SetAlarmState', { AlarmName: 'alarm-0', StateValue: 'ALARM', StateReason: 'drill' });
      run('SetAlarmState', { AlarmName: 'zeta', StateValue: 'ALARM', StateReason: 'drill' });
    });
    // A bad version serving: its evaluation says ALARM, so forcing OK lasts only until the next period.
    ctx.clock.after(minutes(10), () => world.servingChanged('checkout', 'checkout:42', false));
    ctx.clock.after(minutes(12), () => {
      run('SetAlarmState', { AlarmName: 'alarm-0', StateValue: 'OK', StateReason: 'drill' });
    });
    await ctx.clock.runUntil(START_MS + minutes(30));
    expect(transitions).toEqual([
      [seconds(90), 'alarm-0', 'ALARM'],
      [seconds(90), 'zeta', 'ALARM'],
      // The next evaluation is at the next period boundary (a whole minute).
      [minutes(2), 'alarm-0', 'OK'],
      [minutes(2), 'zeta', 'OK'],
      [minutes(11), 'alarm-0', 'ALARM'],
      [minutes(12), 'alarm-0', 'OK'],
      [minutes(13), 'alarm-0', 'ALARM'],
    ]);
    const back = ctx.emitted[2]?.event.detail.state as { value: string; reason: string };
    expect(back).toEqual(
      expect.objectContaining({
        value: 'OK',
        reason: "Evaluated after SetAlarmState: the alarm's metric says OK.",
      }),
    );
    expect(ctx.emitted).toHaveLength(transitions.length);
  });

  it("takes the timeline's last direct transition as what an alarm without `watches` evaluates to", async () => {
    const { ctx, world, transitions, run } = setup([{ watches: undefined }]);
    world.set('alarm-0', 'ALARM', 'set by the scenario', undefined);
    ctx.clock.after(seconds(30), () => {
      run('SetAlarmState', { AlarmName: 'alarm-0', StateValue: 'OK', StateReason: 'drill' });
    });
    await ctx.clock.runUntil(START_MS + minutes(5));
    expect(transitions).toEqual([
      [0, 'alarm-0', 'ALARM'],
      [seconds(30), 'alarm-0', 'OK'],
      [minutes(1), 'alarm-0', 'ALARM'],
    ]);
    expect(world.states()).toEqual({ 'alarm-0': 'ALARM' });
  });
});
