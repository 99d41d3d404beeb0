import type { RuntimeTarget } from '../../lambda/contract';
import type { LiveTarget, Pause, TargetState } from '../../lambda/domain';
import type {
  ActionResult,
  AuditEntry,
  Deployer,
  LoadedTargets,
  Notification,
  Notifier,
  StateStore,
  Telemetry,
} from '../../lambda/use-cases/ports';

/**
 * Ports for measuring the use case's own cost. The test fakes (test/support/fakes.ts) yield to the event loop
 * with `setImmediate` and deep-copy every item on each call, to behave like I/O; here every call settles as a
 * resolved promise and items are shared, since the use case never mutates what it is given (the domain builds
 * new states). What is left is the decision logic, the claim's revision check and the reporting.
 */
export class LeanStateStore implements StateStore {
  readonly items = new Map<string, TargetState>();
  globalPause: Pause | undefined;
  audits = 0;

  loadTargets(ids: readonly string[]): Promise<LoadedTargets> {
    const targets = new Map<string, TargetState>();
    for (const id of ids) {
      const item = this.items.get(id);
      if (item) targets.set(id, item);
    }
    return Promise.resolve({ targets, globalPause: this.globalPause });
  }

  saveTarget(next: TargetState, expectedRevision: number): Promise<TargetState | 'conflict'> {
    const current = this.items.get(next.targetId)?.revision ?? 0;
    if (current !== expectedRevision) return Promise.resolve('conflict');
    const saved = { ...next, revision: expectedRevision + 1 };
    this.items.set(next.targetId, saved);
    return Promise.resolve(saved);
  }

  appendAudit(_entry: AuditEntry): Promise<void> {
    // Counted, not kept: a benchmark of millions of decisions would otherwise measure the heap.
    this.audits++;
    return Promise.resolve();
  }

  listAudit(): Promise<AuditEntry[]> {
    return Promise.resolve([]);
  }

  setGlobalPause(pause: Pause | undefined): Promise<void> {
    this.globalPause = pause;
    return Promise.resolve();
  }
}

/** Answers `inspect` from a per-target live view; every action is issued. */
export class LeanDeployer implements Deployer {
  actions = 0;

  constructor(private readonly liveOf: (target: RuntimeTarget) => LiveTarget) {}

  inspect(target: RuntimeTarget): Promise<LiveTarget> {
    return Promise.resolve(this.liveOf(target));
  }
  stop(): Promise<ActionResult> {
    this.actions++;
    return Promise.resolve({ status: 'issued' });
  }
  redeploy(): Promise<ActionResult> {
    this.actions++;
    return Promise.resolve({ status: 'issued' });
  }
}

export class CountingNotifier implements Notifier {
  sent = 0;
  publish(_n: Notification): Promise<void> {
    this.sent++;
    return Promise.resolve();
  }
}

/** Logs and metrics are dropped: their cost belongs to Powertools, not to the decision path. */
export const silentTelemetry: Telemetry = { log() {}, count() {}, flush() {} };
