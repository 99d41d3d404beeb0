import { METRIC, type ParsedForwarderEvent } from '../contract';
import { WatchdogError } from './errors';
import type { Telemetry, WebhookPoster } from './ports';
import { describe } from './report';
import type { WebhookChannel, WebhookRenderOptions } from '../channels/registry';
import { ALARM_SEVERITY } from '../channels/slack';

/** The channel to render for, where to post and where to log. */
export interface ForwardToWebhookDeps {
  /** Its renderer and label (lambda/channels/registry.ts). */
  readonly channel: Pick<WebhookChannel, 'label' | 'render'>;
  readonly poster: WebhookPoster;
  readonly telemetry: Telemetry;
  /**
   * The watchdog's stack, for the CLI hint in health-alarm messages.
   * @default - no CLI hint
   */
  readonly stackName?: string;
  /**
   * Who a high-severity message pages, in the channel's syntax (`notifications.slack.mention` for Slack).
   * @default - no mention
   */
  readonly mention?: string;
  /** The channel's buttons go to the watchdog's interaction endpoint (`slack.interactive`). @default false */
  readonly interactive?: boolean;
}

/** What one invocation did, for tests and the handler's return value. */
export interface ForwardResult {
  readonly posted: number;
  /**
   * Records that were neither the watchdog's notifications nor alarm notifications: logged and counted, never
   * posted.
   */
  readonly rejected: number;
}

/**
 * At least one message could not be posted. Thrown after every record was tried, so Lambda's asynchronous
 * retry (and then the on-failure destination) takes over. It names counts only: never a URL or message text.
 * Its name is the channel's (`SlackDeliveryError`).
 */
export class WebhookDeliveryError extends WatchdogError {
  constructor(message: string, label: string) {
    super(message);
    this.name = `${label.replace(/[^A-Za-z0-9]/g, '')}DeliveryError`;
  }
}

/**
 * SNS → a webhook channel: posts each record's notification, rendered by the channel: the watchdog's own
 * notifications, and the CloudWatch alarm notifications its health alarms (and any alarm pointed at the
 * topic) publish. A record that is neither is logged and counted but never posted (retrying cannot fix it). A
 * failed post throws once all records were tried, so Lambda retries the delivery; this runs apart from the
 * rollback path, so a channel's outage never delays or repeats a rollback. Logs name kind, target (or alarm)
 * and outcome only.
 */
export async function forwardToWebhook(
  deps: ForwardToWebhookDeps,
  event: ParsedForwarderEvent,
): Promise<ForwardResult> {
  const { channel, poster, telemetry } = deps;
  if (!event.ok) {
    reject(telemetry, undefined, event.problems);
    return { posted: 0, rejected: 1 };
  }
  const options: WebhookRenderOptions = {
    ...(deps.mention !== undefined ? { mention: deps.mention } : {}),
    ...(deps.stackName !== undefined ? { stackName: deps.stackName } : {}),
    ...(deps.interactive === true ? { interactive: true } : {}),
  };
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
      await poster.post(
        'alarm' in record
          ? channel.render.alarm(record.alarm, options)
          : record.notification !== undefined
            ? channel.render.notification(record.notification, options)
            : channel.render.card(record.message, record.severity, options),
      );
      telemetry.log('info', `posted to ${channel.label}`, fields);
      posted++;
    } catch (error) {
      telemetry.log('error', `${channel.label} post failed`, { ...fields, error: describe(error) });
      // Without a dimension: the one metric the NotificationFailures alarm watches (the log line names the
      // channel).
      telemetry.count(METRIC.notificationFailures, 1);
      failed++;
    }
  }
  if (failed > 0) {
    throw new WebhookDeliveryError(
      `${failed} of ${event.records.length} notification(s) could not be posted to ${channel.label}`,
      channel.label,
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
