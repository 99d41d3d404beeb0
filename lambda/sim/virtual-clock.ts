import type { Clock } from '../use-cases/ports';

/** Work scheduled on the virtual clock. It may schedule more work, at its own moment or later. */
export type Task = () => Promise<void> | void;

interface Entry {
  readonly at: number;
  readonly seq: number;
  readonly run: Task;
}

/**
 * The simulator's only source of time, and its event queue. Tasks run one at a time in (time, scheduling
 * order): work scheduled for the current moment runs after the task that scheduled it, never interleaved,
 * so a run is deterministic. Time jumps from task to task; nothing ever sleeps.
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly heap: Entry[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Runs `run` at `at` (never before now: the past cannot be scheduled). */
  schedule(at: number, run: Task): void {
    if (!Number.isFinite(at)) throw new RangeError(`cannot schedule at ${at}`);
    this.push({ at: Math.max(at, this.current), seq: this.seq++, run });
  }

  /** Runs `run` after `delayMs` of virtual time. */
  after(delayMs: number, run: Task): void {
    this.schedule(this.current + delayMs, run);
  }

  /** Number of tasks waiting, whatever their time. */
  get pending(): number {
    return this.heap.length;
  }

  /**
   * Runs every task due at or before `untilMs`, in order, advancing the clock to each task's time; then
   * leaves the clock at `untilMs`. Tasks due later stay queued and never run.
   */
  async runUntil(untilMs: number): Promise<void> {
    for (let next = this.peek(); next !== undefined && next.at <= untilMs; next = this.peek()) {
      this.pop();
      this.current = next.at;
      await next.run();
    }
    this.current = Math.max(this.current, untilMs);
  }

  private peek(): Entry | undefined {
    return this.heap.length > 0 ? this.heap[0] : undefined;
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < heap.length && before(heap[l], heap[min])) min = l;
      if (r < heap.length && before(heap[r], heap[min])) min = r;
      if (min === i) return;
      [heap[i], heap[min]] = [heap[min], heap[i]];
      i = min;
    }
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
