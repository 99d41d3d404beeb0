import { VirtualClock } from '../../../lambda/sim/virtual-clock';

describe('VirtualClock', () => {
  it('runs tasks in time order, equal times in scheduling order, and moves the clock to each', async () => {
    const clock = new VirtualClock(1_000);
    const ran: string[] = [];
    const at = (label: string) => () => void ran.push(`${label}@${clock.now()}`);
    clock.schedule(3_000, at('c'));
    clock.schedule(2_000, at('a'));
    clock.schedule(2_000, at('b'));
    clock.schedule(1_000, at('first'));

    await clock.runUntil(10_000);

    expect(ran).toEqual(['first@1000', 'a@2000', 'b@2000', 'c@3000']);
    expect(clock.now()).toBe(10_000);
  });

  it('runs work scheduled for the current moment after the task that scheduled it', async () => {
    const clock = new VirtualClock(0);
    const ran: string[] = [];
    clock.schedule(5, () => {
      ran.push('parent start');
      clock.schedule(clock.now(), () => void ran.push('child'));
      ran.push('parent end');
    });
    clock.schedule(5, () => void ran.push('sibling'));

    await clock.runUntil(5);

    expect(ran).toEqual(['parent start', 'parent end', 'sibling', 'child']);
  });

  it('awaits asynchronous tasks one at a time', async () => {
    const clock = new VirtualClock(0);
    const ran: string[] = [];
    clock.schedule(1, async () => {
      ran.push('slow start');
      await new Promise((resolve) => setImmediate(resolve));
      ran.push('slow end');
    });
    clock.schedule(1, () => void ran.push('next'));

    await clock.runUntil(1);

    expect(ran).toEqual(['slow start', 'slow end', 'next']);
  });

  it('leaves work after `until` queued and never runs it', async () => {
    const clock = new VirtualClock(0);
    const ran: number[] = [];
    clock.after(100, () => {
      ran.push(clock.now());
      clock.after(100, () => void ran.push(clock.now()));
    });

    await clock.runUntil(150);

    expect(ran).toEqual([100]);
    expect(clock.pending).toBe(1);
    expect(clock.now()).toBe(150);
  });

  it('never schedules into the past', async () => {
    const clock = new VirtualClock(500);
    const ran: number[] = [];
    clock.schedule(100, () => void ran.push(clock.now()));
    await clock.runUntil(1_000);
    expect(ran).toEqual([500]);
    expect(() => clock.schedule(Number.NaN, () => undefined)).toThrow(RangeError);
  });

  it('keeps order across many tasks (heap property)', async () => {
    const clock = new VirtualClock(0);
    const times = Array.from({ length: 200 }, (_, i) => (i * 7919) % 101);
    const ran: number[] = [];
    for (const t of times) clock.schedule(t, () => void ran.push(clock.now()));
    await clock.runUntil(1_000);
    expect(ran).toEqual([...times].sort((a, b) => a - b));
  });
});
