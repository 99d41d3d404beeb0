import { METRIC, type ParsedForwarderEvent } from '../contract';
import { WatchdogError } from './errors';
import type { ChatNotifier, Telemetry } from './ports';
import { describe } from './report';
import {
  ALARM_SEVERITY,
  alarmToSlackMessage,
  cardToSlackMessage,
  toSlackMessage,
  type SlackMessageOptions,
} from '../channels/slack';

/** The Slack channel to post to and where to log. */
export interface ForwardToSlackDeps {
  readonly slack: ChatNotifier;
  readonly telemetry: Telemetry;
  /**
   * The watchdog's stack, for the CLI hint in health-alarm messages.
   * @default - no CLI hint
   */
  readonly stackName?: string;
  /**
   * Who a high-severity message pages (`notifications.slack.mention`).
   * @default - no mention
   */
  readonly mention?: string;
}

/** What one invocation did, for tests and the handler's return value. */
export interface ForwardResult {
  readonly posted: number;
  /** Records that were neither the watchdog's notifications nor alarm notifications: logged and counted, never posted. */
  readonly rejected: number;
}

/**
 * At least one message could not be posted. Thrown after every record was tried, so Lambda's asynchronous
 * retry (and then the on-failure destination) takes over. It names counts only: never a URL or message text.
 */
export class SlackDeliveryError extends WatchdogError {}

/**
 * SNS → Slack: posts each record's notification as a Block Kit message: the watchdog's own notifications, and
 * the CloudWatch alarm notifications its health alarms (and any alarm pointed at the topic) publish. A record
 * that is neither is logged and counted but never posted (retrying cannot fix it). A failed post throws once
 * all records were tried, so Lambda retries the delivery; this runs apart from the rollback path, so a Slack
 * outage never delays or repeats a rollback. Logs name kind, target (or alarm) and outcome only.
 */
export async function forwardToSlack(
  deps: ForwardToSlackDeps,
  event: ParsedForwarderEvent,
): Promise<ForwardResult> {
  const { slack, telemetry } = deps;
  if (!event.ok) {
    reject(telemetry, undefined, event.problems);
    return { posted: 0, rejected: 1 };
  }
  const slackOptions: SlackMessageOptions = deps.mention !== undefined ? { mention: deps.mention } : {};
  let posted = 0;
  let rejected = 0;
  let failed = 0;
  for (const record of event.records) {
    if (!record.ok) {
      reject(telemetry, record.messageId, record.problems);
      rejected++;
      continue;
    }
    const fields =
      'alarm' in record
        ? {
            messageId: record.messageId,
            kind: 'cloudwatch-alarm',
            alarm: record.alarm.alarmName,
            state: record.alarm.newState,
            severity: ALARM_SEVERITY[record.alarm.newState],
          }
        : {
            messageId: record.messageId,
            kind: record.kind ?? record.message.metadata.additionalContext['kind'],
            target: record.message.metadata.additionalContext['target'] ?? record.message.metadata.threadId,
          };
    try {
      await slack.post(
        'alarm' in record
          ? alarmToSlackMessage(record.alarm, {
              ...slackOptions,
              ...(deps.stackName !== undefined ? { stackName: deps.stackName } : {}),
            })
          : record.notification !== undefined
            ? toSlackMessage(record.notification, slackOptions)
            : cardToSlackMessage(record.message, record.severity, slackOptions),
      );
      telemetry.log('info', 'posted to Slack', fields);
      posted++;
    } catch (error) {
      telemetry.log('error', 'Slack post failed', { ...fields, error: describe(error) });
      // Without a dimension: the one metric the NotificationFailures alarm watches (the log line names Slack).
      telemetry.count(METRIC.notificationFailures, 1);
      failed++;
    }
  }
  if (failed > 0) {
    throw new SlackDeliveryError(
      `${failed} of ${event.records.length} notification(s) could not be posted to Slack`,
    );
  }
  return { posted, rejected };
}

function reject(telemetry: Telemetry, messageId: string | undefined, problems: readonly string[]): void {
  telemetry.log('warn', 'SNS message rejected: not a watchdog notification', {
    ...(messageId !== undefined ? { messageId } : {}),
    problems,
  });
  telemetry.count(METRIC.rejectedEvents, 1, { reason: 'malformed' });
}
