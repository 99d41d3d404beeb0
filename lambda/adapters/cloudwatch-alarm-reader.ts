import {
  DescribeAlarmsCommand,
  type CloudWatchClient,
  type CompositeAlarm,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import { RetryableError, WatchdogError } from '../use-cases/errors';
import type { AlarmReader, AlarmSnapshot } from '../use-cases/ports';
import { classifyAwsError, describeError } from './aws-errors';

/** DescribeAlarms accepts at most 100 alarm names per call, and returns at most 100 records per page. */
const MAX_NAMES_PER_CALL = 100;

export interface CloudWatchAlarmReaderOptions {
  readonly client: CloudWatchClient;
}

/**
 * DescribeAlarms was refused for a reason that retrying cannot fix: the function may not call it, or the
 * request is invalid. Deliberately not a RetryableError: the caller can tell a configuration problem (log it,
 * alert, carry on with the work that does not need alarm states) from a transient failure worth a retry.
 */
export class AlarmsUnreadableError extends WatchdogError {}

/**
 * Reads the current state of metric and composite alarms for the reconcile sweep. Composite alarms are only
 * returned when `cloudwatch:DescribeAlarms` is granted on `*`; with a narrower grant they are
 * silently absent rather than refused, which is why the stack grants it that way.
 */
export class CloudWatchAlarmReader implements AlarmReader {
  private readonly client: CloudWatchClient;

  constructor(options: CloudWatchAlarmReaderOptions) {
    this.client = options.client;
  }

  /**
   * One DescribeAlarms per 100 names, all in parallel, each following NextToken to the end. Names are
   * deduplicated; alarms come back in the order of their first mention, and missing ones are absent.
   */
  async describe(names: readonly string[]): Promise<AlarmSnapshot[]> {
    const wanted = [...new Set(names)];
    const chunks: string[][] = [];
    for (let i = 0; i < wanted.length; i += MAX_NAMES_PER_CALL) {
      chunks.push(wanted.slice(i, i + MAX_NAMES_PER_CALL));
    }
    const found = (await Promise.all(chunks.map((chunk) => this.describeChunk(chunk)))).flat();
    const byName = new Map(found.map((alarm) => [alarm.name, alarm]));
    return wanted.map((name) => byName.get(name)).filter((alarm) => alarm !== undefined);
  }

  private async describeChunk(names: readonly string[]): Promise<AlarmSnapshot[]> {
    const snapshots: AlarmSnapshot[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.page(names, nextToken);
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        const snapshot = toSnapshot(alarm);
        if (snapshot) snapshots.push(snapshot);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return snapshots;
  }

  private async page(names: readonly string[], nextToken: string | undefined) {
    try {
      return await this.client.send(
        new DescribeAlarmsCommand({
          AlarmNames: [...names],
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: MAX_NAMES_PER_CALL,
          ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
        }),
      );
    } catch (err) {
      switch (classifyAwsError(err)) {
        case 'retryable':
          throw new RetryableError(`DescribeAlarms failed: ${describeError(err)}`, { cause: err });
        case 'terminal':
          throw new AlarmsUnreadableError(`DescribeAlarms was refused: ${describeError(err)}`, {
            cause: err,
          });
        case 'conflict':
        case 'unknown':
          throw err;
      }
    }
  }
}

/** An alarm without name, ARN, state or state time is not something the sweep can act on: left out. */
function toSnapshot(alarm: MetricAlarm | CompositeAlarm): AlarmSnapshot | undefined {
  const { AlarmName, AlarmArn, StateValue, StateReason, StateReasonData } = alarm;
  // StateUpdatedTimestamp also moves when only EvaluationState changes; StateTransitionedTimestamp is when
  // StateValue last changed, i.e. since when the alarm has been in this state.
  const since = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp;
  if (!AlarmName || !AlarmArn || !StateValue || !since) return undefined;
  return {
    name: AlarmName,
    arn: AlarmArn,
    value: StateValue,
    since: since.getTime(),
    reason: StateReason ?? '',
    reasonData: StateReasonData,
  };
}
