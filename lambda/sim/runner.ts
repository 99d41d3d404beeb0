import { allSimKinds } from '../kinds/sim-registry';
import {
  createAwsClients,
  createClientFactory,
  type AwsClientName,
  type ConfigurableAwsClient,
} from '../adapters/aws-clients';
import { DynamoDbStateStore, putRuntimeConfig } from '../adapters/dynamodb-state-store';
import { startEmbeddedDynalite } from '../adapters/embedded-dynalite';
import { resolveRuntimeConfig } from '../boundary/config-schema';
import {
  DETAIL_TYPE,
  EVENT_SOURCE,
  QUARANTINE_DETAIL_TYPE,
  regionalConfig,
  regionsHomeFirst,
  REJECTED_SCOPE,
  UNKNOWN_SCOPE,
  versionBusName,
  type WatchdogConfig,
  type IncidentReport,
  type MetricName,
  type RuntimeConfig,
  type RuntimeTarget,
} from '../contract';
import { createRuntime, type InvocationContext, type WatchdogRuntime } from '../handlers/runtime';
import { kindOf } from '../kinds/registry';
import { allIncidentReports } from '../use-cases/operator';
import type { AuditEntry, LogLevel, Telemetry } from '../use-cases/ports';
import { installSimulator, type CallObserver } from './aws-middleware';
import { handlerFor, scheduledJobs, SIMULATED_OPERATOR_ARN, type ScheduledJob } from './entry-points';
import type { LedgerOut } from './output';
import type { Scenario, TimelineAction, TimelineEntry } from './scenario';
import { EventBridgeWorld } from './world/eventbridge';
import { iso } from './time';
import type { CommandTrace, InvocationTrace, TraceRecord, WorldNote } from './trace';
import { VirtualClock } from './virtual-clock';
import {
  SIM_ACCOUNT,
  SIM_REGION,
  SIM_STACK_NAME,
  simTopicArn,
  stableUuid,
  type EventBridgeEvent,
} from './world/account';
import { pipelineSource } from './world/codepipeline';
import { alarmSource, codeDeploySource, ecsSource, type WorldContext } from './world/world-context';
import { SimWorld, type WorldHistory } from './world/world';

const MINUTE = 60_000;
/** Lambda retries a failed asynchronous invocation twice: after about one minute, then about two more. */
const ASYNC_RETRY_DELAYS_MS = [1 * MINUTE, 2 * MINUTE] as const;

export interface RunStats {
  awsReads: number;
  awsWrites: number;
  /**
   * Events from the world and the timeline delivered to the watchdog, each copy of a duplicated event counted;
   * retries and scheduled events (the sweep) are not.
   */
  events: number;
}

/** Everything a run produced; `output.ts` shapes it into the `--json` output. */
export interface SimulationRun {
  readonly scenario: Scenario;
  /** In time order; each invocation carries its decisions, calls and notifications. */
  readonly trace: readonly TraceRecord[];
  readonly final: Readonly<Record<string, string>>;
  readonly alarms: Readonly<Record<string, string>>;
  readonly stats: Readonly<RunStats>;
  readonly history: readonly WorldHistory[];
  /** Every target's known-good ledger at the end, newest entry first, targets in config order. */
  readonly ledger: readonly LedgerOut[];
  /**
   * With RunOptions.reports: every incident of every target (and region) as `watchdog report` prints it, in
   * config order, oldest incident first.
   */
  readonly reports?: readonly IncidentReport[];
}

export interface RunOptions {
  /** The watchdog's schedules. @default scheduledJobs(runtime, config) */
  readonly jobs?: (runtime: WatchdogRuntime, config: RuntimeConfig) => readonly ScheduledJob[];
  /** Wraps the watchdog's entry points, e.g. to make one fail in a test. @default the runtime as it is */
  readonly runtime?: (runtime: WatchdogRuntime) => WatchdogRuntime;
  /**
   * Called for each SDK client after the simulator's middleware is installed, e.g. to inject faults at the
   * SDK level in a test (a lost response, a throttled call). @default nothing more
   */
  readonly configureClient?: (client: ConfigurableAwsClient, name: AwsClientName) => void;
  /** Build the incident reports from the watchdog's audit at the end (`simulate --report`). @default false */
  readonly reports?: boolean;
}

/**
 * Runs a scenario against the real watchdog: its handlers, use cases, decision engine and adapters, with the
 * AWS account simulated at the SDK level and the state table in an embedded dynalite. Everything happens on
 * a virtual clock, one task at a time, so the same scenario always produces the same run.
 */
export async function runScenario(scenario: Scenario, options: RunOptions = {}): Promise<SimulationRun> {
  const dynalite = await startEmbeddedDynalite();
  const destroy: { destroy(): void }[] = [];
  try {
    const sim = new Simulation(scenario);
    const runtimes = new Map<string, WatchdogRuntime>();
    const jobs: RegionJob[] = [];
    const stores = new Map<string, DynamoDbStateStore>();
    for (const region of sim.regions) {
      const part = sim.part(region);
      const commands = part.world.commands();
      const configure = (client: ConfigurableAwsClient, name: AwsClientName) => {
        installSimulator(client, name, commands, sim.observer, scenario.world.faults);
        options.configureClient?.(client, name);
        destroy.push(client);
      };
      const credentials = { accessKeyId: 'simulated', secretAccessKey: 'simulated' };
      // Each region's watchdog has its own table, as each region's stack does.
      const tableName = region === sim.home ? dynalite.tableName : await dynalite.createTable();
      const clients = createAwsClients({
        region,
        endpoint: { dynamodb: dynalite.endpoint },
        credentials,
        configure,
      });
      const kindClient = createClientFactory({ region, credentials, configure });
      const config = resolveRuntimeConfig(part.config, { account: SIM_ACCOUNT, region });
      await putRuntimeConfig(dynalite.client, tableName, config);
      const created = createRuntime({
        clients,
        tableName,
        topicArn: simTopicArn(region),
        stackName: SIM_STACK_NAME,
        region,
        clock: sim.clock,
        telemetry: sim.telemetry,
        kindClient,
        // What the simulated stack sets for each kind, and nothing of the machine's own environment.
        env: Object.assign({}, ...allSimKinds().map((k) => k.environment ?? {})) as Record<string, string>,
        ...(sim.multiRegion ? { versionBusName: versionBusName(SIM_STACK_NAME) } : {}),
      });
      const runtime = options.runtime ? options.runtime(created) : created;
      runtimes.set(region, runtime);
      jobs.push(...(options.jobs ?? scheduledJobs)(runtime, config).map((job) => ({ ...job, region })));
      stores.set(region, new DynamoDbStateStore({ client: dynalite.client, tableName }));
    }
    await sim.run(runtimes, jobs);
    await sim.attachAudit(stores);
    const run = sim.result(await finalLedger(stores, sim));
    return options.reports ? { ...run, reports: await incidentReportsOf(stores, sim) } : run;
  } finally {
    for (const client of destroy) client.destroy();
    await dynalite.stop();
  }
}

/**
 * The ledgers as the watchdog stored them when the run ended: version, status and who deployed (and, with
 * several regions, the region).
 */
async function finalLedger(
  stores: ReadonlyMap<string, DynamoDbStateStore>,
  sim: Simulation,
): Promise<LedgerOut[]> {
  const out: LedgerOut[] = [];
  for (const region of sim.regions) {
    const ids = sim.part(region).config.targets.map((t) => t.id);
    const store = stores.get(region);
    if (!store) continue;
    const { targets } = await store.loadTargets(ids);
    for (const target of ids) {
      for (const e of targets.get(target)?.ledger ?? []) {
        out.push({
          target,
          version: e.version,
          status: e.status,
          ...(e.deployedBy === undefined ? {} : { deployedBy: e.deployedBy }),
          ...(sim.multiRegion ? { region } : {}),
        });
      }
    }
  }
  return out;
}

/**
 * Every incident of every target, from each region's table, through the operator's own report code
 * (`allIncidentReports`), as `watchdog report --incident <id>` would print each.
 */
async function incidentReportsOf(
  stores: ReadonlyMap<string, DynamoDbStateStore>,
  sim: Simulation,
): Promise<IncidentReport[]> {
  const out: IncidentReport[] = [];
  for (const region of sim.regions) {
    const store = stores.get(region);
    if (!store) continue;
    const config = resolveRuntimeConfig(sim.part(region).config, { account: SIM_ACCOUNT, region });
    const where = {
      region,
      stack: SIM_STACK_NAME,
      consoleLinks: (target: RuntimeTarget, r: string, ref?: string) =>
        kindOf(target).consoleLinks(target, r, ref),
    };
    for (const target of config.targets) {
      for (const { report } of await allIncidentReports(store, target, where)) out.push(report);
    }
  }
  return out;
}

/** One region of a run: its part of the config and its world. */
interface RegionPart {
  readonly config: WatchdogConfig;
  readonly world: SimWorld;
}

type Invoke = (context: InvocationContext) => Promise<void>;

/** A schedule of one region's watchdog. */
type RegionJob = ScheduledJob & { readonly region: string };

/** One run's mutable state: the world, the clock, the trace and the bus between them. */
class Simulation {
  readonly clock: VirtualClock;
  /** The regions of the run, the home region first (one, SIM_REGION, unless the config lists regions). */
  readonly regions: readonly string[];
  readonly home: string;
  readonly multiRegion: boolean;
  readonly observer: CallObserver;
  readonly telemetry: Telemetry;
  private readonly trace: TraceRecord[] = [];
  private readonly stats: RunStats = { awsReads: 0, awsWrites: 0, events: 0 };
  private readonly counters = new Map<string, number>();
  /** Resource → rank, for ordering what one invocation did to several resources concurrently. */
  private readonly sourceRank = new Map<string, number>();
  private readonly targetRank = new Map<string, number>();
  private readonly gaps = new Set<string>();
  private current: (InvocationTrace & { pending: PendingEvent[] }) | undefined;
  private runtimes = new Map<string, WatchdogRuntime>();
  private readonly parts = new Map<string, RegionPart>();

  constructor(private readonly scenario: Scenario) {
    this.clock = new VirtualClock(scenario.startMs);
    const listed = regionsHomeFirst(scenario.config);
    this.regions = listed.length > 0 ? listed : [SIM_REGION];
    this.home = this.regions[0] ?? SIM_REGION;
    this.multiRegion = this.regions.length > 1;
    scenario.world.ecsServices.forEach((s) => this.rank(this.sourceRank, ecsSource(s.cluster, s.service)));
    scenario.world.codeDeployGroups.forEach((g) =>
      this.rank(this.sourceRank, codeDeploySource(g.application, g.deploymentGroup)),
    );
    scenario.world.alarms.forEach((a) => this.rank(this.sourceRank, alarmSource(a.name)));
    scenario.world.pipelines.forEach((p) => this.rank(this.sourceRank, pipelineSource(p.name)));
    scenario.config.targets.forEach((t) => this.rank(this.targetRank, t.id));

    for (const region of this.regions) {
      const ctx: WorldContext = {
        clock: this.clock,
        region,
        emit: (source, event, deliveries) => this.emit(source, event, deliveries, region),
        note: (source, note, text) => {
          const record: WorldNote = {
            kind: 'note',
            at: this.clock.now(),
            source: this.inRegion(source, region),
            note,
            text: this.multiRegion ? `[${region}] ${text}` : text,
          };
          if (this.current) this.current.effects.push(record);
          else this.trace.push(record);
        },
        next: (counter) => this.next(this.multiRegion ? `${region}|${counter}` : counter),
      };
      const part = regionalScenario(scenario, region, this.home, this.multiRegion);
      const world = new SimWorld(part, ctx, (notification) => {
        if (this.current) this.current.notifications.push(notification);
        else this.strayWork('sns:Publish');
      });
      if (this.multiRegion) {
        world.addService(
          'events',
          new EventBridgeWorld(ctx, versionBusName(SIM_STACK_NAME), (event) =>
            this.route(region, event),
          ).commands(),
        );
      }
      this.parts.set(region, { config: part.config, world });
    }
    this.observer = {
      counted: (_api, kind) => {
        if (kind === 'read') this.stats.awsReads += 1;
        else this.stats.awsWrites += 1;
      },
      mutating: (call) => {
        if (this.current) this.current.calls.push({ at: this.clock.now(), ...call });
        else this.strayWork(call.api);
      },
      gap: (api, message) => {
        if (this.gaps.has(api)) return;
        this.gaps.add(api);
        this.trace.push({ kind: 'problem', at: this.clock.now(), source: api, message });
      },
    };
    // Silent: simulate prints only its own output, and Powertools' JSON lines would differ between runs.
    this.telemetry = {
      log: (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
        if (level === 'error')
          this.current?.logs.push(
            fields?.error === undefined ? message : `${message}: ${JSON.stringify(fields.error)}`,
          );
      },
      count: (_metric: MetricName) => undefined,
      flush: () => undefined,
    };
  }

  /** One region's part of the run. */
  part(region: string): RegionPart {
    const part = this.parts.get(region);
    if (!part) throw new Error(`no region ${region} in this run`);
    return part;
  }

  async run(runtimes: ReadonlyMap<string, WatchdogRuntime>, jobs: readonly RegionJob[]): Promise<void> {
    this.runtimes = new Map(runtimes);
    for (const entry of this.scenario.timeline) this.clock.schedule(entry.atMs, () => this.apply(entry));
    for (const job of jobs) this.scheduleJob(job, this.scenario.startMs + job.everyMs);
    await this.clock.runUntil(this.scenario.untilMs);
  }

  /**
   * Attaches decisions and rejections from the audit log to the invocations that made them: by request id
   * and time (Lambda's retries reuse the request id), else the latest attempt before the entry.
   */
  async attachAudit(stores: ReadonlyMap<string, DynamoDbStateStore>): Promise<void> {
    const attempts = new Map<string, InvocationTrace[]>();
    for (const record of this.trace) {
      if (record.kind === 'invocation')
        attempts.set(record.requestId, [...(attempts.get(record.requestId) ?? []), record]);
    }
    const invocationOf = (requestId: string, at: number): InvocationTrace | undefined => {
      const candidates = attempts.get(requestId) ?? [];
      const found = candidates.find((r) => r.at === at) ?? candidates.filter((r) => r.at <= at).at(-1);
      if (!found) {
        this.trace.push({
          kind: 'problem',
          at,
          source: 'audit',
          message: `an audit entry names request ${requestId}, which no invocation had`,
        });
      }
      return found;
    };
    for (const region of this.regions) {
      const store = stores.get(region);
      if (store) await this.attachRegionAudit(store, region, invocationOf);
    }
  }

  private async attachRegionAudit(
    store: DynamoDbStateStore,
    region: string,
    invocationOf: (requestId: string, at: number) => InvocationTrace | undefined,
  ): Promise<void> {
    const scopes = [...this.part(region).config.targets.map((t) => t.id), UNKNOWN_SCOPE, REJECTED_SCOPE];
    for (const scope of scopes) {
      const entries: AuditEntry[] = await store.listAudit(scope);
      for (const entry of entries) {
        switch (entry.type) {
          case 'decision': {
            const d = entry.decision;
            invocationOf(entry.requestId, entry.at)?.decisions.push({
              at: iso(d.at),
              target: d.target,
              trigger: d.trigger,
              outcome: d.outcome,
              reason: d.reason,
              ...(d.from === undefined ? {} : { from: d.from }),
              ...(d.to === undefined ? {} : { to: d.to }),
              ...(d.by === undefined ? {} : { by: d.by }),
              ...(d.group === undefined ? {} : { group: d.group }),
              ...(d.incident === undefined ? {} : { incident: d.incident }),
              ...(this.multiRegion ? { region } : {}),
              ...(d.drill === undefined
                ? {}
                : {
                    drill: {
                      id: d.drill.id,
                      live: d.drill.live,
                      alarmToDecisionMs: d.drill.alarmToDecisionMs,
                    },
                  }),
            });
            break;
          }
          case 'rejected':
            invocationOf(entry.requestId, entry.at)?.rejections.push(
              `${entry.reason}: ${entry.problems.join('; ')}`,
            );
            break;
          case 'rollback-result':
            // Announced by its notification; the audit copy adds nothing to the timeline.
            break;
          case 'operator':
            // The command's own line in the timeline says what it did, and `commands` has its answer.
            break;
        }
      }
    }
  }

  result(ledger: readonly LedgerOut[]): SimulationRun {
    const final: Record<string, string> = {};
    const alarms: Record<string, string> = {};
    const history: WorldHistory[] = [];
    // One region: keys as they are. Several: `name@region`, each region's world in turn.
    const key = (name: string, region: string) => (this.multiRegion ? `${name}@${region}` : name);
    for (const region of this.regions) {
      const { world, config } = this.part(region);
      for (const [id, v] of Object.entries(world.versions(config.targets.map((t) => t.id))))
        final[key(id, region)] = v;
      for (const [name, v] of Object.entries(world.cloudwatch.states())) alarms[key(name, region)] = v;
      history.push(
        ...world.history.map((h) =>
          h.kind === 'serving'
            ? { ...h, target: key(h.target, region) }
            : { ...h, alarm: key(h.alarm, region) },
        ),
      );
    }
    return {
      scenario: this.scenario,
      trace: this.trace,
      final,
      alarms,
      stats: { ...this.stats },
      history: history.sort((a, b) => a.at - b.at),
      ledger,
    };
  }

  private apply(entry: TimelineEntry): Promise<void> | void {
    const action = entry.action;
    switch (action.kind) {
      case 'deploy':
        this.part(action.region ?? this.home).world.deploy(action.target, action.version, action.by);
        return;
      case 'alarm':
        this.part(action.region ?? this.home).world.cloudwatch.set(
          action.name,
          action.state,
          action.reason,
          action.deliveries,
        );
        return;
      case 'event':
        this.trace.push({
          kind: 'entry',
          at: this.clock.now(),
          index: entry.index,
          text: `raw event (${describeEvent(action.event)})`,
        });
        // A raw event reaches the watchdog of the region it names (the home region's if it names none known).
        this.publish(action.event, 1, entryOrigin(entry.index), this.regionNamed(action.event));
        return;
      case 'command':
        return this.runCommand(entry.index, action);
    }
  }

  /**
   * A timeline `command`: the request the CLI makes of its arguments, sent to the operator entry point as an
   * authorised operator. The Function URL invokes synchronously, so a failure is not retried: the caller gets
   * the `unavailable` answer the operator handler gives for an unexpected error.
   */
  private async runCommand(
    index: number,
    action: Extract<TimelineAction, { kind: 'command' }>,
  ): Promise<void> {
    const command: CommandTrace = { index, args: action.args };
    const region = action.region ?? this.home;
    await this.invoke(
      'onOperator',
      displayArgs(action.args),
      async (ctx) => {
        command.response = await this.requireRuntime(region).onOperator(
          action.request,
          SIMULATED_OPERATOR_ARN,
          ctx,
        );
      },
      { attempt: 1, command, ...this.regionField(region) },
    );
  }

  private scheduleJob(job: RegionJob, at: number): void {
    if (at > this.scenario.untilMs) return;
    this.clock.schedule(at, async () => {
      this.scheduleJob(job, at + job.everyMs);
      const event = job.event(at);
      await this.invoke(job.name, job.subject, (ctx) => job.run(event, ctx), {
        attempt: 1,
        ...this.regionField(job.region),
      });
    });
  }

  /** An event leaves the world: delivered after the task at hand, or after the running invocation. */
  private emit(source: string, event: EventBridgeEvent, deliveries: number, region: string): void {
    if (this.current) this.current.pending.push({ source, event, deliveries, region });
    else this.publish(event, deliveries, source, region);
  }

  /**
   * The version bus's rules (lib/rollback-watchdog.ts): a check goes to this region's acting handler; a
   * quarantine or receipt put here goes to every other region's bus after `world.crossRegion.delaySeconds`,
   * `deliveries` times, unless either region is in an outage then (`world.outages`), when it is lost (as a
   * dead-lettered event would be: the origin's retries get it through later).
   */
  private route(region: string, event: EventBridgeEvent): void {
    const from = typeof event.detail.from === 'string' ? event.detail.from : undefined;
    if (from !== region) return;
    if (event['detail-type'] === QUARANTINE_DETAIL_TYPE.check) {
      this.emit(`events:${region}`, event, 1, region);
      return;
    }
    const { delaySeconds, deliveries } = this.scenario.world.crossRegion;
    const now = this.clock.now();
    const down = (r: string, at: number) =>
      this.scenario.world.outages.some((o) => o.region === r && at >= o.fromMs && at < o.untilMs);
    for (const to of this.regions) {
      if (to === region) continue;
      const at = now + delaySeconds * 1000;
      if (down(region, now) || down(to, at)) {
        const record: WorldNote = {
          kind: 'note',
          at: now,
          source: `events:${region}`,
          note: 'lost',
          text: `${describeEvent(event)} to ${to} lost: ${down(region, now) ? region : to} cannot be reached`,
        };
        if (this.current) this.current.effects.push(record);
        else this.trace.push(record);
        continue;
      }
      this.clock.schedule(at, () => {
        this.publish(event, deliveries, `events:${region}`, to);
      });
    }
  }

  private publish(event: unknown, deliveries: number, origin: string, region: string = this.home): void {
    const handler = handlerFor(event);
    const subject = describeEvent(event);
    for (let n = 1; n <= deliveries; n++) {
      this.clock.schedule(this.clock.now(), () => {
        this.stats.events += 1;
        const invoke: Invoke = (ctx) => this.requireRuntime(region)[handler](event, ctx);
        return this.invoke(handler, subject, invoke, {
          attempt: 1,
          ...(deliveries > 1 ? { delivery: { n, of: deliveries } } : {}),
          origin,
          ...this.regionField(region),
        });
      });
    }
  }

  /** The region a raw event names, when it is one of the run's; else the home region. */
  private regionNamed(event: unknown): string {
    const r =
      typeof event === 'object' && event !== null ? (event as Record<string, unknown>).region : undefined;
    return typeof r === 'string' && this.regions.includes(r) ? r : this.home;
  }

  /** `{ region }` for the trace when the run has several regions, else nothing (output as before). */
  private regionField(region: string): { region?: string } {
    return this.multiRegion ? { region } : {};
  }

  private inRegion(source: string, region: string): string {
    return this.multiRegion ? `${source}@${region}` : source;
  }

  /**
   * One asynchronous Lambda invocation. A failure is retried with the same request id, as Lambda does, and
   * after the last retry the event goes to the failure destination: recorded, never a crash of the run.
   */
  private async invoke(
    handler: string,
    subject: string,
    run: Invoke,
    how: {
      attempt: number;
      delivery?: { n: number; of: number };
      origin?: string;
      command?: CommandTrace;
      region?: string;
    },
    requestId = stableUuid('lambda-request', this.next('lambda-request')),
  ): Promise<void> {
    const record: InvocationTrace & { pending: PendingEvent[] } = {
      kind: 'invocation',
      at: this.clock.now(),
      requestId,
      handler,
      subject,
      ...how,
      calls: [],
      notifications: [],
      effects: [],
      logs: [],
      decisions: [],
      rejections: [],
      pending: [],
    };
    this.trace.push(record);
    this.current = record;
    try {
      await run({ awsRequestId: requestId });
    } catch (error) {
      record.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    } finally {
      this.current = undefined;
    }
    this.settle(record);
    if (record.error === undefined) return;
    if (how.command) {
      how.command.response = {
        ok: false,
        error: {
          code: 'unavailable',
          message: `the operator function failed unexpectedly (${record.error})`,
        },
      };
      return;
    }
    const delay = ASYNC_RETRY_DELAYS_MS[how.attempt - 1];
    if (delay !== undefined) {
      this.clock.after(delay, () =>
        this.invoke(handler, subject, run, { ...how, attempt: how.attempt + 1 }, requestId),
      );
    } else {
      this.trace.push({
        kind: 'failure-destination',
        at: this.clock.now(),
        handler,
        subject,
        attempts: how.attempt,
        error: record.error,
      });
    }
  }

  /**
   * Puts what one invocation did in a fixed order: concurrent work on several targets finishes in whatever
   * order the dynalite round trips complete, so calls, notifications and world changes are ordered by target
   * and resource (each keeping its own sequence), and the events they emitted are scheduled in that order.
   */
  private settle(record: InvocationTrace & { pending: PendingEvent[] }): void {
    const byTarget = (t: string | undefined) =>
      t === undefined ? Number.MAX_SAFE_INTEGER : (this.targetRank.get(t) ?? Number.MAX_SAFE_INTEGER - 1);
    const bySource = (s: string) => this.sourceRank.get(s) ?? Number.MAX_SAFE_INTEGER;
    stableSort(record.calls, (c) => byTarget(c.target));
    stableSort(record.notifications, (n) => byTarget(n.target));
    stableSort(record.effects, (e) => bySource(e.source));
    stableSort(record.pending, (p) => bySource(p.source));
    for (const p of record.pending.splice(0)) this.publish(p.event, p.deliveries, p.source, p.region);
  }

  /**
   * An AWS write after the invocation that made it had returned: work the watchdog did not await, which a
   * real Lambda might freeze or drop. It fails the run rather than be attributed to the wrong invocation.
   */
  private strayWork(api: string): void {
    this.trace.push({
      kind: 'problem',
      at: this.clock.now(),
      source: api,
      message:
        'called while no invocation of the watchdog was running (work left unawaited after a handler returned)',
    });
  }

  private requireRuntime(region: string): WatchdogRuntime {
    const runtime = this.runtimes.get(region);
    if (!runtime) throw new Error(`the runtime of ${region} is not started`);
    return runtime;
  }

  private next(counter: string): number {
    const n = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, n);
    return n;
  }

  private rank(ranks: Map<string, number>, key: string): void {
    if (!ranks.has(key)) ranks.set(key, ranks.size);
  }
}

interface PendingEvent {
  readonly source: string;
  readonly event: EventBridgeEvent;
  readonly deliveries: number;
  readonly region: string;
}

/**
 * One region's view of a scenario: its part of the config (regionalConfig) and the world entries in it (those
 * naming it, and in the home region those naming none). One region: the scenario as it is.
 */
function regionalScenario(scenario: Scenario, region: string, home: string, multi: boolean): Scenario {
  if (!multi) return scenario;
  const here = (r: string | undefined) => (r ?? home) === region;
  const { world } = scenario;
  return {
    ...scenario,
    config: regionalConfig(scenario.config, region),
    world: {
      ...world,
      ecsServices: world.ecsServices.filter((s) => here(s.region)),
      codeDeployGroups: world.codeDeployGroups.filter((g) => here(g.region)),
      alarms: world.alarms.filter((a) => here(a.region)),
      // Kinds' own worlds and pipelines name no region: they are in the home region.
      kinds: region === home ? world.kinds : {},
      pipelines: region === home ? world.pipelines : [],
    },
  };
}

/** A command line as a shell would take it: arguments with spaces or quotes are quoted. */
export function displayArgs(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

/** The origin of a raw event: its timeline entry, as its JSON path. */
export function entryOrigin(index: number): string {
  return `$.timeline[${index}]`;
}

/** Sorts in place by `key`, keeping the existing order of equal keys. */
function stableSort<T>(items: T[], key: (item: T) => number): void {
  const sorted = items.map((item, i) => ({ item, i, k: key(item) })).sort((a, b) => a.k - b.k || a.i - b.i);
  sorted.forEach(({ item }, i) => (items[i] = item));
}

/** A few words on an event, whatever its shape (raw timeline events may be anything). */
export function describeEvent(event: unknown): string {
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return `not an object (${JSON.stringify(event) ?? String(event)})`.slice(0, 80);
  const e = event as Record<string, unknown>;
  const detail =
    typeof e.detail === 'object' && e.detail !== null ? (e.detail as Record<string, unknown>) : {};
  const type = typeof e['detail-type'] === 'string' ? e['detail-type'] : 'no detail-type';
  const state = (s: unknown): string => {
    const value = typeof s === 'object' && s !== null ? (s as Record<string, unknown>).value : undefined;
    return typeof value === 'string' ? value : '?';
  };
  if (typeof detail.alarmName === 'string') {
    return `alarm ${detail.alarmName} ${state(detail.previousState)} → ${state(detail.state)}`;
  }
  if (e['detail-type'] === DETAIL_TYPE.cloudTrailApiCall) {
    const identity =
      typeof detail.userIdentity === 'object' && detail.userIdentity !== null
        ? (detail.userIdentity as Record<string, unknown>)
        : {};
    const caller = [identity.arn, identity.principalId].find((x): x is string => typeof x === 'string');
    return `CloudTrail ${String(detail.eventName)} by ${caller ?? '?'}`;
  }
  if (e.source === EVENT_SOURCE.codedeploy && typeof detail.state === 'string') {
    return `CodeDeploy ${String(detail.application)}/${String(detail.deploymentGroup)} ${detail.state} ${String(detail.deploymentId)}`;
  }
  if (typeof detail.eventName === 'string') {
    const resource =
      Array.isArray(e.resources) && typeof e.resources[0] === 'string'
        ? e.resources[0].split('/').slice(1).join('/')
        : '?';
    return `ECS ${resource} ${detail.eventName} ${String(detail.deploymentId)}`;
  }
  return type;
}
