import type { AlarmStateValue } from './events';
import type { WatchdogNotification } from './notification';
import type { NotificationKind, Severity } from './reasons';

/**
 * What the Slack forwarder reads from the notification topic, as lambda/boundary parses it: the watchdog's own
 * Chatbot custom notifications and the notifications CloudWatch publishes for the alarms that have the topic
 * as an action (the watchdog's health alarms among them). The parsers produce these and the use cases consume
 * them; the types live here so that neither has to import the other.
 */

/** A Chatbot custom notification as the Slack notifier needs it (the SNS notifier writes more). */
export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly content: {
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    readonly threadId?: string;
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/** One SNS record, parsed: the message to forward, or why it cannot be. */
export type SnsChatbotRecord =
  | {
      readonly ok: true;
      readonly messageId: string;
      readonly message: ChatbotNotification;
      /** From the `severity` message attribute; absent when the attribute is missing or unknown. */
      readonly severity?: Severity;
      readonly kind?: NotificationKind;
      /**
       * The typed notification from the `notification` message attribute, when it is there and of a format
       * version this reader knows; channels render from it instead of from the card.
       */
      readonly notification?: WatchdogNotification;
    }
  | {
      readonly ok: false;
      readonly messageId?: string;
      readonly problems: readonly string[];
    };

/** One metric dimension as the trigger names it. */
export interface AlarmDimension {
  readonly name: string;
  readonly value: string;
}

/** A metric as CloudWatch names it. */
export interface AlarmMetric {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions: readonly AlarmDimension[];
}

/** One query of a metric-math alarm: an expression, or a metric with its statistic and period. */
export interface AlarmMetricQuery {
  readonly id: string;
  readonly expression?: string;
  readonly label?: string;
  readonly returnData?: boolean;
  readonly metric?: AlarmMetric;
  readonly stat?: string;
  readonly period?: number;
}

/** What a metric alarm evaluates; every field is optional because CloudWatch writes several shapes. */
export interface AlarmTrigger {
  /** A single-metric alarm's metric; absent for metric math. */
  readonly metric?: AlarmMetric;
  /** `Statistic` (`SUM`, `MAXIMUM`, …) or `ExtendedStatistic` (`p99`). */
  readonly statistic?: string;
  readonly unit?: string;
  readonly period?: number;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
  readonly comparisonOperator?: string;
  readonly threshold?: number;
  /** Anomaly-detection alarms compare with a band from this query instead of a threshold. */
  readonly thresholdMetricId?: string;
  readonly treatMissingData?: string;
  /** A metric-math alarm's queries; empty for a single-metric alarm. */
  readonly metrics: readonly AlarmMetricQuery[];
}

/** A child alarm whose state change moved a composite alarm. */
export interface TriggeringChild {
  readonly alarmName: string;
  readonly arn: string;
  readonly state?: AlarmStateValue;
}

/** A composite alarm's rule and the children that triggered this change. */
export interface CompositeAlarmRule {
  readonly rule?: string;
  readonly triggeringChildren: readonly TriggeringChild[];
}

/** An alarm notification as the Slack forwarder needs it. */
export interface CloudWatchAlarmNotification {
  readonly alarmName: string;
  readonly alarmArn: string;
  /** From the ARN, like the region: the console links are built from these, never from text in the message. */
  readonly partition: string;
  readonly region: string;
  /** CloudWatch's display name of the region ("US East (N. Virginia)"), when it gave one. */
  readonly regionName?: string;
  readonly account: string;
  readonly description?: string;
  readonly newState: AlarmStateValue;
  readonly oldState?: AlarmStateValue;
  readonly reason: string;
  /** As CloudWatch wrote it (`2026-03-01T10:05:00.123+0000`); checked to be a real instant. */
  readonly stateChangeTime: string;
  /** A metric alarm's trigger; absent for a composite alarm. */
  readonly trigger?: AlarmTrigger;
  /** A composite alarm's rule; absent for a metric alarm. */
  readonly composite?: CompositeAlarmRule;
}

/** One SNS record for the Slack forwarder: a watchdog notification, an alarm notification, or why neither. */
export type ForwarderRecord =
  | SnsChatbotRecord
  | { readonly ok: true; readonly messageId: string; readonly alarm: CloudWatchAlarmNotification };

/** The SNS event for the Slack forwarder: its records, or why it is not an SNS event at all. */
export type ParsedForwarderEvent =
  | { readonly ok: true; readonly records: readonly ForwarderRecord[] }
  | { readonly ok: false; readonly problems: readonly string[] };
