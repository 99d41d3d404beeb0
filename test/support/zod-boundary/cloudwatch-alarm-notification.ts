/**
 * ORACLE, test only: lambda/boundary/cloudwatch-alarm-notification.ts as it was with zod (commit 511f49f), before the runtime parsers moved
 * to lambda/boundary/lean-schema.ts. test/unit/boundary/lean-schema.test.ts checks that both give the same
 * results and messages. Nothing under lambda/ may import this.
 */
import * as z from 'zod/mini';
import {
  ALARM_STATE,
  LIMITS,
  type AlarmMetric,
  type AlarmMetricQuery,
  type AlarmTrigger,
  type CloudWatchAlarmNotification,
  type CompositeAlarmRule,
  type ForwarderRecord,
  type ParsedForwarderEvent,
  type TriggeringChild,
} from '../../../lambda/contract';
import { capProblems, parseIsoTimestamp } from './events';
import { isRecord, jsonPath, valueAt } from '../../../lambda/boundary/json-path';
import { parseSnsChatbotEvent } from './sns-event';

/**
 * Boundary parsing of the notification CloudWatch publishes to SNS when an alarm with the topic as an action
 * changes state: the watchdog's own health alarms (dead-letter queue, each function's errors, throttles and
 * dropped events, each rule's failed invocations, audit and notification failures) and any alarm an operator
 * points at the topic. What names the alarm and its state (name, ARN, account, states, time) is checked
 * strictly, so a message that only resembles one is rejected with every problem named. The metric details are
 * descriptive and CloudWatch writes several shapes of them (single metric, metric math, composite rule):
 * they are read where they have the expected type and left out where not, never guessed, and every string is
 * cut to a bound, so a health alarm is never dropped for a detail it only describes.
 */

/** Bounds on an alarm notification, CloudWatch's own where it has them. */
export const ALARM_NOTIFICATION_LIMITS = {
  /** SNS's largest message (256 KiB): a bigger body never came from CloudWatch through SNS. */
  messageBytes: 262_144,
  /** PutMetricAlarm's AlarmDescription: at most 1,024 characters. */
  descriptionMax: 1024,
  /** PutCompositeAlarm's AlarmRule: at most 10,240 characters. */
  alarmRuleMax: 10_240,
  /** Names and values inside the trigger (namespace, metric, dimensions, expressions), cut to this. */
  detailMax: 1024,
  /** CloudWatch allows 30 dimensions per metric. */
  dimensionsMax: 30,
  /** Metric-math queries kept (PutMetricAlarm allows 20 by default). */
  metricsMax: 20,
  /** Triggering children kept for a composite alarm (its rule may name 100 alarms). */
  childrenMax: 100,
  /** The display region name ("US East (N. Virginia)"). */
  regionNameMax: 64,
} as const;

/** The result of parsing one SNS message body as an alarm notification. */
export type ParsedAlarmNotification =
  | { readonly ok: true; readonly notification: CloudWatchAlarmNotification }
  | {
      readonly ok: false;
      /**
       * Whether these problems explain the rejection better than the Chatbot reading's: the body names an
       * alarm, or is too large to be any notification.
       */
      readonly relevant: boolean;
      readonly problems: readonly string[];
    };

// eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
// eslint-disable-next-line no-control-regex -- and what this replaces in descriptive text
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
/** `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`. */
const ALARM_ARN = /^arn:(aws(?:-[a-z]+)*):cloudwatch:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):(\d{12}):alarm:(.+)$/s;
const ARN_HELP = 'must be an alarm ARN arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>';
const TIMESTAMP_HELP = 'must be an ISO-8601 timestamp with a zone, such as 2026-03-01T10:01:00.000+0000';

const stateValue = z.enum([ALARM_STATE.ok, ALARM_STATE.alarm, ALARM_STATE.insufficientData], {
  error: `must be one of ${ALARM_STATE.ok}, ${ALARM_STATE.alarm}, ${ALARM_STATE.insufficientData}`,
});

const alarmSchema = z
  .looseObject({
    AlarmName: z
      .string('must be the alarm name (a string)')
      .check(
        z.minLength(1, 'must be a non-empty alarm name'),
        z.maxLength(
          LIMITS.alarmNameMax,
          `must be an alarm name of at most ${LIMITS.alarmNameMax} characters`,
        ),
        z.regex(NO_CONTROL, 'must be an alarm name without control characters'),
      ),
    AlarmArn: z
      .string(ARN_HELP)
      .check(
        z.maxLength(LIMITS.arnMax, `must be an ARN of at most ${LIMITS.arnMax} characters`),
        z.regex(ALARM_ARN, ARN_HELP),
      ),
    AWSAccountId: z
      .string('must be a 12-digit account id')
      .check(z.regex(/^\d{12}$/, 'must be a 12-digit account id')),
    NewStateValue: stateValue,
    OldStateValue: z.optional(stateValue),
    NewStateReason: z.string('must be the reason for the state change (a string)'),
    StateChangeTime: z.string(TIMESTAMP_HELP).check(
      z.maxLength(64, TIMESTAMP_HELP),
      z.refine((s) => !Number.isNaN(parseIsoTimestamp(s)), TIMESTAMP_HELP),
    ),
    AlarmDescription: z.nullish(z.string('must be a string or null')),
    Region: z.nullish(z.string('must be a string or null')),
  })
  .check(
    z.superRefine((n, ctx) => {
      const m = ALARM_ARN.exec(n.AlarmArn);
      if (!m) return;
      if (m[4] !== n.AlarmName) {
        ctx.issues.push({
          code: 'custom',
          input: n.AlarmArn,
          path: ['AlarmArn'],
          message: `must be the ARN of the alarm named in AlarmName (its name part is ${JSON.stringify(cut(m[4] ?? '', 60))})`,
        });
      }
      // Zod runs this even when a field failed: compare only with a valid account id.
      if (/^\d{12}$/.test(n.AWSAccountId) && m[3] !== n.AWSAccountId) {
        ctx.issues.push({
          code: 'custom',
          input: n.AlarmArn,
          path: ['AlarmArn'],
          message: `must be in account AWSAccountId (${n.AWSAccountId}), not ${m[3] ?? ''}`,
        });
      }
    }),
  );

/** Whether a parsed body says it is an alarm notification: it names an alarm and is not a Chatbot message. */
function claimsToBeAlarm(json: unknown): boolean {
  return (
    isRecord(json) &&
    !('content' in json) &&
    ('AlarmName' in json || 'AlarmArn' in json || 'NewStateValue' in json)
  );
}

/**
 * Parses one SNS message body (the string CloudWatch published) as an alarm notification. `at` is the body's
 * JSON path in the event, so problems name the field as `$.Records[0].Sns.Message.AWSAccountId`.
 */
export function parseCloudWatchAlarmNotification(
  body: string,
  at: readonly PropertyKey[] = [],
): ParsedAlarmNotification {
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > ALARM_NOTIFICATION_LIMITS.messageBytes) {
    return {
      ok: false,
      relevant: true,
      problems: [
        `${jsonPath(at)}: is ${bytes} bytes, more than SNS's ${ALARM_NOTIFICATION_LIMITS.messageBytes}-byte message limit; no CloudWatch alarm notification is that large`,
      ],
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return {
      ok: false,
      relevant: false,
      problems: [`${jsonPath(at)}: must be JSON (a CloudWatch alarm notification)`],
    };
  }
  const parsed = alarmSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      relevant: claimsToBeAlarm(json),
      problems: capProblems(
        parsed.error.issues.map((i) => `${jsonPath([...at, ...i.path])}: ${cut(i.message, 300)}`),
      ),
    };
  }
  const n = parsed.data;
  const [, partition = '', region = ''] = ALARM_ARN.exec(n.AlarmArn) ?? [];
  const description = n.AlarmDescription
    ? text(n.AlarmDescription, ALARM_NOTIFICATION_LIMITS.descriptionMax)
    : '';
  const regionName = n.Region ? text(n.Region, ALARM_NOTIFICATION_LIMITS.regionNameMax).trim() : '';
  const trigger = isRecord(n['Trigger']) ? readTrigger(n['Trigger']) : undefined;
  const composite = readComposite(n);
  return {
    ok: true,
    notification: {
      alarmName: n.AlarmName,
      alarmArn: n.AlarmArn,
      partition,
      region,
      ...(regionName ? { regionName } : {}),
      account: n.AWSAccountId,
      ...(description.trim() ? { description } : {}),
      newState: n.NewStateValue,
      ...(n.OldStateValue !== undefined ? { oldState: n.OldStateValue } : {}),
      reason: text(n.NewStateReason, LIMITS.stateReasonMax),
      stateChangeTime: n.StateChangeTime,
      ...(trigger !== undefined ? { trigger } : {}),
      ...(composite !== undefined ? { composite } : {}),
    },
  };
}

/**
 * Parses the SNS event the Slack forwarder receives. Each record is first read as the watchdog's Chatbot
 * notification, exactly as parseSnsChatbotEvent does; one that is not is read as a CloudWatch alarm
 * notification. A record that is neither keeps the problems of the reading it claims to be (the alarm's when
 * it names an alarm, the Chatbot notification's otherwise).
 */
export function parseSnsForwarderEvent(raw: unknown): ParsedForwarderEvent {
  const parsed = parseSnsChatbotEvent(raw);
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    records: parsed.records.map((record, i): ForwarderRecord => {
      if (record.ok) return record;
      const at = ['Records', i, 'Sns', 'Message'];
      const body = valueAt(raw, at);
      if (typeof body !== 'string' || record.messageId === undefined) return record;
      const alarm = parseCloudWatchAlarmNotification(body, at);
      if (alarm.ok) return { ok: true, messageId: record.messageId, alarm: alarm.notification };
      return alarm.relevant ? { ok: false, messageId: record.messageId, problems: alarm.problems } : record;
    }),
  };
}

function readTrigger(t: Record<string, unknown>): AlarmTrigger {
  const max = ALARM_NOTIFICATION_LIMITS.detailMax;
  const metric = readMetric(t);
  const statistic = str(t['ExtendedStatistic'], max) ?? str(t['Statistic'], max);
  const unit = str(t['Unit'], max);
  const period = count(t['Period']);
  const evaluationPeriods = count(t['EvaluationPeriods']);
  const datapointsToAlarm = count(t['DatapointsToAlarm']);
  const comparisonOperator = str(t['ComparisonOperator'], max);
  const threshold = num(t['Threshold']);
  const thresholdMetricId = str(t['ThresholdMetricId'], max);
  // Older notifications write "- TreatMissingData:   missing", newer ones the bare value.
  const treatMissingData = str(t['TreatMissingData'], max)
    ?.replace(/^-?\s*TreatMissingData:\s*/, '')
    .trim();
  const metrics = Array.isArray(t['Metrics'])
    ? t['Metrics']
        .slice(0, ALARM_NOTIFICATION_LIMITS.metricsMax)
        .flatMap((q: unknown) => (isRecord(q) ? readQuery(q) : []))
    : [];
  return {
    ...(metric !== undefined ? { metric } : {}),
    ...(statistic !== undefined ? { statistic } : {}),
    ...(unit !== undefined ? { unit } : {}),
    ...(period !== undefined ? { period } : {}),
    ...(evaluationPeriods !== undefined ? { evaluationPeriods } : {}),
    ...(datapointsToAlarm !== undefined ? { datapointsToAlarm } : {}),
    ...(comparisonOperator !== undefined ? { comparisonOperator } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(thresholdMetricId !== undefined ? { thresholdMetricId } : {}),
    ...(treatMissingData ? { treatMissingData } : {}),
    metrics,
  };
}

/** A metric from `{ Namespace, MetricName, Dimensions }`; undefined when it names neither. */
function readMetric(m: Record<string, unknown>): AlarmMetric | undefined {
  const max = ALARM_NOTIFICATION_LIMITS.detailMax;
  const namespace = str(m['Namespace'], max);
  const metricName = str(m['MetricName'], max);
  if (namespace === undefined && metricName === undefined) return undefined;
  const dimensions = Array.isArray(m['Dimensions'])
    ? m['Dimensions'].slice(0, ALARM_NOTIFICATION_LIMITS.dimensionsMax).flatMap((d: unknown) => {
        if (!isRecord(d)) return [];
        // The trigger writes lower-case keys; metric-math queries upper-case ones.
        const name = str(d['name'] ?? d['Name'], max);
        const value = str(d['value'] ?? d['Value'], max);
        return name !== undefined && value !== undefined ? [{ name, value }] : [];
      })
    : [];
  return {
    ...(namespace !== undefined ? { namespace } : {}),
    ...(metricName !== undefined ? { metricName } : {}),
    dimensions,
  };
}

function readQuery(q: Record<string, unknown>): AlarmMetricQuery[] {
  const max = ALARM_NOTIFICATION_LIMITS.detailMax;
  const id = str(q['Id'], max);
  if (id === undefined) return [];
  const expression = str(q['Expression'], max);
  const label = str(q['Label'], max);
  const returnData = typeof q['ReturnData'] === 'boolean' ? q['ReturnData'] : undefined;
  const stat = isRecord(q['MetricStat']) ? q['MetricStat'] : undefined;
  const metric = stat && isRecord(stat['Metric']) ? readMetric(stat['Metric']) : undefined;
  const statistic = stat ? str(stat['Stat'], max) : undefined;
  const period = stat ? count(stat['Period']) : undefined;
  return [
    {
      id,
      ...(expression !== undefined ? { expression } : {}),
      ...(label !== undefined ? { label } : {}),
      ...(returnData !== undefined ? { returnData } : {}),
      ...(metric !== undefined ? { metric } : {}),
      ...(statistic !== undefined ? { stat: statistic } : {}),
      ...(period !== undefined ? { period } : {}),
    },
  ];
}

function readComposite(n: Record<string, unknown>): CompositeAlarmRule | undefined {
  const rule = str(n['AlarmRule'], ALARM_NOTIFICATION_LIMITS.alarmRuleMax);
  const children = Array.isArray(n['TriggeringChildren']) ? n['TriggeringChildren'] : undefined;
  if (rule === undefined && children === undefined) return undefined;
  const triggeringChildren = (children ?? [])
    .slice(0, ALARM_NOTIFICATION_LIMITS.childrenMax)
    .flatMap((c: unknown): TriggeringChild[] => {
      if (!isRecord(c) || typeof c['Arn'] !== 'string' || c['Arn'].length > LIMITS.arnMax) return [];
      const m = ALARM_ARN.exec(c['Arn']);
      const name = m?.[4];
      if (name === undefined || name.length > LIMITS.alarmNameMax || !NO_CONTROL.test(name)) return [];
      const state = isRecord(c['State']) ? stateValue.safeParse(c['State']['Value']) : undefined;
      return [{ alarmName: name, arn: c['Arn'], ...(state?.success ? { state: state.data } : {}) }];
    });
  return { ...(rule !== undefined ? { rule } : {}), triggeringChildren };
}

/** A non-empty string, control characters made spaces and cut to `max`; undefined for anything else. */
function str(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const t = text(value, max).trim();
  return t ? t : undefined;
}

/** Descriptive text: control characters other than newline and tab become spaces; cut to `max`. */
function text(value: string, max: number): string {
  return cut(value.replace(CONTROL, ' '), max);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A positive whole number (periods, evaluation periods). */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(value.charAt(end - 1))) end -= 1;
  return `${value.slice(0, end)}…`;
}
