import { kindFacts } from './kind-links';
import type { MetricName, RuntimeTarget } from '../../lambda/contract';
import type { FastTrack, LiveTarget, Millis, Pause, TargetState, Viability } from '../../lambda/domain';
import type {
  ActionResult,
  AuditEntry,
  Clock,
  Deployer,
  LoadedTargets,
  LogLevel,
  Notification,
  Notifier,
  RetentionRisk,
  SettingsRestoreOutcome,
  StateStore,
  Telemetry,
  VersionFacts,
} from '../../lambda/use-cases/ports';
import { Reporter } from '../../lambda/use-cases/report';
import { auditAddress } from '../../lambda/adapters/dynamodb-state-store';

/** Same contract as the DynamoDB store: one item per target, revision-conditioned writes. */
export class InMemoryStateStore implements StateStore {
  readonly items = new Map<string, TargetState>();
  readonly audit: AuditEntry[] = [];
  private readonly auditKeys = new Set<string>();
  globalPause: Pause | undefined;
  saves = 0;
  failNextSaves = 0;

  async loadTargets(ids: readonly string[]): Promise<LoadedTargets> {
    await tick();
    const targets = new Map<string, TargetState>();
    for (const id of ids) {
      const item = this.items.get(id);
      if (item) targets.set(id, structuredClone(item));
    }
    return { targets, globalPause: this.globalPause };
  }

  async saveTarget(next: TargetState, expectedRevision: number): Promise<TargetState | 'conflict'> {
    await tick();
    this.saves++;
    if (this.failNextSaves > 0) {
      this.failNextSaves--;
      throw new Error('store unavailable');
    }
    const current = this.items.get(next.targetId)?.revision ?? 0;
    if (current !== expectedRevision) return 'conflict';
    const saved = { ...structuredClone(next), revision: expectedRevision + 1 };
    this.items.set(next.targetId, saved);
    return structuredClone(saved);
  }

  /** Like DynamoDB's conditional put on (scope, time, id): the same entry appended twice is kept once. */
  async appendAudit(entry: AuditEntry): Promise<void> {
    await tick();
    const { scope, id } = auditAddress(entry);
    const key = `${scope}\u0000${entry.at}\u0000${id}`;
    if (this.auditKeys.has(key)) return;
    this.auditKeys.add(key);
    this.audit.push(structuredClone(entry));
  }

  /** The port's contract (test/support/state-store-port-contract.ts): scope, sinceMs inclusive, limit, order. */
  async listAudit(
    scope: string,
    options: { sinceMs?: Millis; newestFirst?: boolean; limit?: number } = {},
  ): Promise<AuditEntry[]> {
    await tick();
    const { sinceMs, limit, newestFirst = false } = options;
    if (limit !== undefined && limit <= 0) return [];
    const all = this.audit
      .filter((e) => auditAddress(e).scope === scope && (sinceMs === undefined || e.at >= sinceMs))
      // DynamoDB's sort key is time then id: entries of one millisecond come back in id order.
      .sort((a, b) => a.at - b.at || auditAddress(a).id.localeCompare(auditAddress(b).id))
      .map((e) => structuredClone(e));
    const ordered = newestFirst ? all.reverse() : all;
    return limit === undefined ? ordered : ordered.slice(0, limit);
  }

  async setGlobalPause(pause: Pause | undefined): Promise<void> {
    await tick();
    this.globalPause = pause;
  }

  decisions() {
    return this.audit.flatMap((e) => (e.type === 'decision' ? [e.decision] : []));
  }
}

export type DeployerCall = {
  op: 'inspect' | 'stop' | 'redeploy' | 'restoreSettings' | 'versionFacts' | 'viability' | 'retentionRisks';
  target: string;
  arg?: string;
  /** The fast track a redeploy was given (its `restore`), or the settings a restore put back. */
  settings?: string;
};

/** Answers from a scripted live view; each action can be scripted to return or throw. */
export class FakeDeployer implements Deployer {
  readonly calls: DeployerCall[] = [];
  live: LiveTarget;
  stopResults: (ActionResult | Error)[] = [];
  redeployResults: (ActionResult | Error)[] = [];
  restoreResults: (SettingsRestoreOutcome | Error)[] = [];
  /** Live views returned by successive inspect calls after the first (then `live` again). */
  nextLives: LiveTarget[] = [];

  constructor(live: LiveTarget) {
    this.live = live;
  }

  async inspect(target: RuntimeTarget): Promise<LiveTarget> {
    this.calls.push({ op: 'inspect', target: target.id });
    await tick();
    const inspections = this.calls.filter((c) => c.op === 'inspect').length;
    return inspections > 1 && this.nextLives.length > 0 ? this.nextLives.shift()! : this.live;
  }

  async stop(target: RuntimeTarget, ref: string): Promise<ActionResult> {
    this.calls.push({ op: 'stop', target: target.id, arg: ref });
    return this.answer(this.stopResults.shift());
  }

  async redeploy(
    target: RuntimeTarget,
    version: string,
    _artifact?: string,
    _decisionId?: string,
    fastTrack?: FastTrack,
  ): Promise<ActionResult> {
    this.calls.push({
      op: 'redeploy',
      target: target.id,
      arg: version,
      ...(fastTrack ? { settings: fastTrack.restore } : {}),
    });
    return this.answer(this.redeployResults.shift());
  }

  /** Absent until `declareFacts` is called: a platform without schema facts (most tests). */
  versionFacts?: (target: RuntimeTarget, version: string) => Promise<VersionFacts>;

  /** Makes the fake a platform whose versions declare schema facts, answered from `facts`. */
  declareFacts(facts: Record<string, VersionFacts | Error>): this {
    this.versionFacts = async (target, version) => {
      this.calls.push({ op: 'versionFacts', target: target.id, arg: version });
      await tick();
      const r = facts[version];
      if (r instanceof Error) throw r;
      return r ?? {};
    };
    return this;
  }

  /** Absent until `declareViability` is called: a platform without the viability preflight. */
  viability?: (
    target: RuntimeTarget,
    version: string,
    known: { readonly artifact?: string; readonly recheck?: string },
  ) => Promise<Omit<Viability, 'checkedAt'>>;
  /** Absent until `declareRetentionRisks` is called. */
  retentionRisks?: (
    target: RuntimeTarget,
    versions: readonly { readonly version: string; readonly recheck?: string }[],
  ) => Promise<RetentionRisk[]>;

  /**
   * Makes the fake a platform that answers viability checks from `answers` (a version not listed is runnable);
   * `ticks` delays each answer by that many event-loop turns (the inspect answers after one).
   */
  declareViability(answers: Record<string, Omit<Viability, 'checkedAt'> | Error>, ticks = 0): this {
    this.viability = async (target, version) => {
      this.calls.push({ op: 'viability', target: target.id, arg: version });
      for (let i = 0; i < ticks; i++) await tick();
      const r = answers[version];
      if (r instanceof Error) throw r;
      return r ?? { runnable: true };
    };
    return this;
  }

  declareRetentionRisks(risks: RetentionRisk[]): this {
    this.retentionRisks = async (target, versions) => {
      this.calls.push({
        op: 'retentionRisks',
        target: target.id,
        arg: versions.map((v) => v.version).join(','),
      });
      await tick();
      return risks.filter((r) => versions.some((v) => v.version === r.version));
    };
    return this;
  }

  async restoreSettings(target: RuntimeTarget, restore: string): Promise<SettingsRestoreOutcome> {
    this.calls.push({ op: 'restoreSettings', target: target.id, settings: restore });
    await tick();
    const r = this.restoreResults.shift();
    if (r instanceof Error) throw r;
    return r ?? { status: 'restored', detail: 'restored' };
  }

  actions(): DeployerCall[] {
    return this.calls.filter((c) => c.op !== 'inspect');
  }

  private async answer(r: ActionResult | Error | undefined): Promise<ActionResult> {
    await tick();
    if (r instanceof Error) throw r;
    return r ?? { status: 'issued' };
  }
}

export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  failWith: Error | undefined;

  async publish(n: Notification): Promise<void> {
    await tick();
    if (this.failWith) throw this.failWith;
    this.sent.push(n);
  }
}

export class RecordingTelemetry implements Telemetry {
  readonly logs: { level: LogLevel; message: string; fields?: Record<string, unknown> }[] = [];
  readonly metrics: { metric: MetricName; value: number; dimensions?: Record<string, string> }[] = [];

  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
    this.logs.push({ level, message, ...(fields ? { fields } : {}) });
  }
  count(metric: MetricName, value = 1, dimensions?: Record<string, string>): void {
    this.metrics.push({ metric, value, ...(dimensions ? { dimensions } : {}) });
  }
  flush(): void {}

  total(metric: MetricName): number {
    return this.metrics.filter((m) => m.metric === metric).reduce((a, m) => a + m.value, 0);
  }
}

export class ManualClock implements Clock {
  constructor(public at: Millis) {}
  now(): Millis {
    return this.at;
  }
}

export function fakeDeps(live: LiveTarget, at: Millis) {
  const store = new InMemoryStateStore();
  const deployer = new FakeDeployer(live);
  const notifier = new RecordingNotifier();
  const telemetry = new RecordingTelemetry();
  const clock = new ManualClock(at);
  const reporter = new Reporter({ store, notifier, telemetry });
  return {
    store,
    deployer,
    notifier,
    telemetry,
    clock,
    reporter,
    deployerFor: () => deployer,
    kinds: kindFacts,
  };
}

/** Lets other promises interleave, as real I/O would. */
function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Alarm states as DescribeAlarms would report them. */
export class FakeAlarmReader {
  snapshots: import('../../lambda/use-cases/ports').AlarmSnapshot[] = [];
  calls = 0;
  async describe(names: readonly string[]) {
    this.calls++;
    await tick();
    return this.snapshots.filter((s) => names.includes(s.name));
  }
}
