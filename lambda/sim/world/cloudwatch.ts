import {
  ResourceNotFound,
  type DescribeAlarmsCommandInput,
  type MetricAlarm,
  type SetAlarmStateCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { ALARM_STATE, type AlarmStateValue } from '../../contract';
import type { AlarmSpec } from '../scenario';
import { simCommand, type SimCommands } from '../sim-commands';
import { cloudWatchTimestamp } from '../time';
import { alarmArn, alarmStateChangeEvent, stableUuid, type AlarmStateSnapshot } from './account';
import { SimulatorGapError, alarmSource, type WorldContext } from './world-context';

const DAY_MS = 86_400_000;
const PERIOD_SECONDS = 60;
const PERIOD_MS = PERIOD_SECONDS * 1_000;
const THRESHOLD = 1;

interface AlarmState {
  readonly spec: AlarmSpec;
  value: AlarmStateValue;
  /**
   * What the alarm's own evaluation yields: the world's health verdict, or the timeline's last direct
   * transition. `value` differs from it only while SetAlarmState holds a forced state.
   */
  evaluated: AlarmStateValue;
  reason: string;
  reasonData: string | undefined;
  updatedAt: number;
}

/** What a target serves, and a counter that changes whenever that version changes. */
interface Serving {
  version: string;
  epoch: number;
}

/**
 * The CloudWatch part of the simulated account. An alarm that `watches` a target behaves like a metric
 * alarm on that target's health: ALARM `delaySeconds` after a bad version starts serving (if it is still
 * serving then), OK `delaySeconds` after the target finished moving to a good version (if it still runs
 * it). Every real transition emits a `CloudWatch Alarm State Change` event. A state forced by SetAlarmState
 * (a drill) lasts until the alarm's next evaluation, at the next period boundary, when it goes back to what
 * its evaluation says, as CloudWatch does.
 */
export class CloudWatchWorld {
  private readonly alarms = new Map<string, AlarmState>();
  private readonly serving = new Map<string, Serving>();

  constructor(
    private readonly ctx: WorldContext,
    specs: readonly AlarmSpec[],
    private readonly badVersions: ReadonlySet<string>,
    private readonly onTransition: (alarm: string, value: AlarmStateValue) => void,
  ) {
    const since = ctx.clock.now() - DAY_MS;
    for (const spec of specs) {
      this.alarms.set(spec.name, {
        spec,
        value: spec.state,
        evaluated: spec.state,
        reason: `Initial state of the simulated alarm.`,
        reasonData: undefined,
        updatedAt: since,
      });
    }
  }

  /** Final state of every alarm, in scenario order. */
  states(): Record<string, AlarmStateValue> {
    return Object.fromEntries([...this.alarms].map(([name, a]) => [name, a.value]));
  }

  /** Names of the alarms that watch `targetId`. */
  watching(targetId: string): string[] {
    return [...this.alarms.values()].filter((a) => a.spec.watches === targetId).map((a) => a.spec.name);
  }

  /** The metric behind the watching alarms follows what the target serves (see the class comment). */
  servingChanged(targetId: string, version: string, settled: boolean): void {
    const current = this.serving.get(targetId);
    const changed = current === undefined || current.version !== version;
    const serving: Serving = changed ? { version, epoch: (current?.epoch ?? 0) + 1 } : current;
    this.serving.set(targetId, serving);
    const bad = this.badVersions.has(version);
    const epoch = serving.epoch;
    for (const alarm of this.alarms.values()) {
      if (alarm.spec.watches !== targetId) continue;
      const stillServing = () => this.serving.get(targetId)?.epoch === epoch;
      if (bad && changed) {
        this.ctx.clock.after(alarm.spec.delaySeconds * 1_000, () => {
          if (stillServing())
            this.evaluate(
              alarm,
              ALARM_STATE.alarm,
              `Threshold Crossed: ${targetId} serves ${version}, a bad version.`,
              1,
            );
        });
      } else if (!bad && settled) {
        this.ctx.clock.after(alarm.spec.delaySeconds * 1_000, () => {
          if (stillServing())
            this.evaluate(
              alarm,
              ALARM_STATE.ok,
              `Threshold Crossed: ${targetId} serves ${version} and is healthy.`,
              0,
            );
        });
      }
    }
  }

  /** A direct transition (the timeline's `alarm`); false when the alarm is already in that state. */
  set(
    name: string,
    value: AlarmStateValue,
    reason: string | undefined,
    deliveries: number | undefined,
  ): boolean {
    const alarm = this.alarms.get(name);
    if (!alarm) throw new Error(`no alarm ${name} in the world`);
    alarm.evaluated = value;
    if (alarm.value === value) {
      this.ctx.note(alarmSource(name), 'alarm', `${name} is already ${value}: no transition`);
      return false;
    }
    this.transition(alarm, value, reason ?? `Set to ${value} by the scenario.`, undefined, deliveries);
    return true;
  }

  commands(): SimCommands {
    return {
      DescribeAlarms: simCommand<DescribeAlarmsCommandInput>({ run: (input) => this.describeAlarms(input) }),
      SetAlarmState: simCommand<SetAlarmStateCommandInput>({
        target: (input) => this.alarms.get(input.AlarmName ?? '')?.spec.watches ?? input.AlarmName,
        run: (input) => this.setAlarmState(input),
      }),
    };
  }

  private describeAlarms(input: DescribeAlarmsCommandInput): Record<string, unknown> {
    const unmodelled = (['ChildrenOfAlarmName', 'ParentsOfAlarmName', 'ActionPrefix'] as const).filter(
      (k) => input[k] !== undefined,
    );
    if (unmodelled.length > 0)
      throw new SimulatorGapError(
        `cloudwatch:DescribeAlarms filters ${unmodelled.join(', ')} are not modelled`,
      );
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    const metricAlarms: MetricAlarm[] = types.includes('MetricAlarm')
      ? [...this.alarms.values()]
          .filter((a) => input.AlarmNames === undefined || input.AlarmNames.includes(a.spec.name))
          .filter((a) => input.AlarmNamePrefix === undefined || a.spec.name.startsWith(input.AlarmNamePrefix))
          .filter((a) => input.StateValue === undefined || a.value === input.StateValue)
          .sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0))
          .map((a) => this.describe(a))
      : [];
    // CloudWatch lists composite alarms only when asked for them; the world has none.
    return {
      MetricAlarms: metricAlarms,
      ...(types.includes('CompositeAlarm') ? { CompositeAlarms: [] } : {}),
    };
  }

  private setAlarmState(input: SetAlarmStateCommandInput): Record<string, unknown> {
    const alarm = this.alarms.get(input.AlarmName ?? '');
    if (!alarm) {
      throw new ResourceNotFound({
        message: `Alarm ${String(input.AlarmName)} does not exist.`,
        $metadata: {},
      });
    }
    const value = input.StateValue as AlarmStateValue;
    if (alarm.value !== value) {
      this.transition(alarm, value, input.StateReason ?? '', undefined, undefined, input.StateReasonData);
      const nextEvaluation = (Math.floor(this.ctx.clock.now() / PERIOD_MS) + 1) * PERIOD_MS;
      this.ctx.clock.schedule(nextEvaluation, () => {
        if (alarm.value !== alarm.evaluated)
          this.transition(
            alarm,
            alarm.evaluated,
            `Evaluated after SetAlarmState: the alarm's metric says ${alarm.evaluated}.`,
            datapointOf(alarm.evaluated),
          );
      });
    }
    return {};
  }

  /** The alarm's evaluation says `value`: it transitions unless it is already there. */
  private evaluate(alarm: AlarmState, value: AlarmStateValue, reason: string, datapoint: number): void {
    alarm.evaluated = value;
    this.transition(alarm, value, reason, datapoint);
  }

  private describe(a: AlarmState): MetricAlarm {
    return {
      AlarmName: a.spec.name,
      AlarmArn: alarmArn(a.spec.name, this.ctx.region),
      AlarmDescription: description(a.spec),
      ActionsEnabled: true,
      OKActions: [],
      AlarmActions: [],
      InsufficientDataActions: [],
      StateValue: a.value,
      StateReason: a.reason,
      ...(a.reasonData === undefined ? {} : { StateReasonData: a.reasonData }),
      StateUpdatedTimestamp: new Date(a.updatedAt),
      StateTransitionedTimestamp: new Date(a.updatedAt),
      MetricName: a.spec.name,
      Namespace: 'Simulated',
      Statistic: 'Average',
      Dimensions: a.spec.watches === undefined ? [] : [{ Name: 'Target', Value: a.spec.watches }],
      Period: PERIOD_SECONDS,
      EvaluationPeriods: 1,
      Threshold: THRESHOLD,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
    };
  }

  /**
   * Moves the alarm to `value` and emits the state-change event. `datapoint` is the metric value behind a
   * world-driven transition (its reasonData, as CloudWatch writes it); direct transitions carry none.
   */
  private transition(
    alarm: AlarmState,
    value: AlarmStateValue,
    reason: string,
    datapoint: number | undefined,
    deliveries?: number,
    reasonData?: string,
  ): void {
    if (alarm.value === value) return;
    const now = this.ctx.clock.now();
    const previous = snapshot(alarm);
    alarm.value = value;
    alarm.reason = reason;
    alarm.reasonData =
      reasonData ??
      (datapoint === undefined
        ? undefined
        : JSON.stringify({
            version: '1.0',
            queryDate: cloudWatchTimestamp(now),
            statistic: 'Average',
            period: PERIOD_SECONDS,
            recentDatapoints: [datapoint],
            threshold: THRESHOLD,
          }));
    alarm.updatedAt = now;
    this.onTransition(alarm.spec.name, value);
    const source = alarmSource(alarm.spec.name);
    this.ctx.note(source, 'alarm', `${alarm.spec.name} ${previous.value} → ${value}`);
    this.ctx.emit(
      source,
      alarmStateChangeEvent({
        id: stableUuid(`event:${source}`, this.ctx.next(`event:${source}`)),
        at: now,
        alarmName: alarm.spec.name,
        description: description(alarm.spec),
        watches: alarm.spec.watches,
        state: snapshot(alarm),
        previousState: previous,
        region: this.ctx.region,
      }),
      deliveries ?? alarm.spec.deliveries,
    );
  }
}

/** The metric value behind an evaluated state: breaching, healthy, or none at all. */
function datapointOf(value: AlarmStateValue): number | undefined {
  if (value === ALARM_STATE.alarm) return THRESHOLD;
  return value === ALARM_STATE.ok ? 0 : undefined;
}

function snapshot(a: AlarmState): AlarmStateSnapshot {
  return {
    value: a.value,
    reason: a.reason,
    ...(a.reasonData === undefined ? {} : { reasonData: a.reasonData }),
    timestamp: cloudWatchTimestamp(a.updatedAt),
  };
}

function description(spec: AlarmSpec): string {
  return spec.watches === undefined ? 'Simulated alarm.' : `Simulated health alarm of ${spec.watches}.`;
}
