import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { ChatbotSlackChannelOptions } from './rollback-watchdog';

/** Options of {@link NotificationChannel.slackWebhook}. */
export interface SlackWebhookChannelOptions {
  /**
   * Who every high-severity post pages, in Slack's syntax: `<!subteam^S0123ABCD>` (a user group),
   * `<@U0123ABCD>` (a person), `<!here>` or `<!channel>`.
   *
   * @default - no mention
   */
  readonly mention?: string;
}

/** What a channel delivers to, as the watchdog wires it. */
export type NotificationChannelSpec =
  | { readonly kind: 'email'; readonly address: string }
  | { readonly kind: 'chatbot-slack'; readonly options: ChatbotSlackChannelOptions }
  | {
      readonly kind: 'slack-webhook';
      readonly secret: secretsmanager.ISecret;
      readonly mention: string | undefined;
    };

/**
 * Where the watchdog's notifications go, one factory per channel (the watchdog's `notificationChannels`):
 *
 * ```ts
 * notificationChannels: [
 *   NotificationChannel.email('oncall@example.com'),
 *   NotificationChannel.chatbotSlack({ slackWorkspaceId: 'T0123', slackChannelId: 'C0123' }),
 *   NotificationChannel.slackWebhook(secret, { mention: '<!subteam^S0123ABCD>' }),
 * ]
 * ```
 *
 * Every channel renders the same typed notification (see the README, "Notifications").
 */
export class NotificationChannel {
  /** An e-mail subscription to the topic: plain text, the title as subject. */
  public static email(address: string): NotificationChannel {
    return new NotificationChannel({ kind: 'email', address });
  }

  /** An AWS Chatbot Slack channel subscribed to the topic, notification-only. */
  public static chatbotSlack(options: ChatbotSlackChannelOptions): NotificationChannel {
    return new NotificationChannel({ kind: 'chatbot-slack', options });
  }

  /** A Slack incoming webhook whose URL is in `secret`; a forwarder Lambda posts Block Kit messages to it. */
  public static slackWebhook(
    secret: secretsmanager.ISecret,
    options: SlackWebhookChannelOptions = {},
  ): NotificationChannel {
    return new NotificationChannel({ kind: 'slack-webhook', secret, mention: options.mention });
  }

  private constructor(
    /** What the channel delivers to. */
    public readonly spec: NotificationChannelSpec,
  ) {}
}

/** The channels of a watchdog, from its `notificationChannels` and the older single-channel props. */
export interface ResolvedChannels {
  readonly emails: readonly string[];
  readonly chatbotSlack: ChatbotSlackChannelOptions | undefined;
  readonly slackWebhookSecret: secretsmanager.ISecret | undefined;
  readonly slackMention: string | undefined;
  /** Channels that cannot be combined, named for synth's validation. */
  readonly problems: readonly string[];
}

/**
 * Merges `notificationChannels` with `notificationEmails`, `chatbotSlack`, `slackWebhookSecret` and
 * `slackMention`: e-mails add up; one Chatbot channel and one Slack webhook at most, from either place.
 */
export function resolveChannels(props: {
  readonly notificationChannels?: readonly NotificationChannel[];
  readonly notificationEmails?: readonly string[];
  readonly chatbotSlack?: ChatbotSlackChannelOptions;
  readonly slackWebhookSecret?: secretsmanager.ISecret;
  readonly slackMention?: string;
}): ResolvedChannels {
  const channels = props.notificationChannels ?? [];
  const problems: string[] = [];
  const emails = [
    ...(props.notificationEmails ?? []),
    ...channels.flatMap((c) => (c.spec.kind === 'email' ? [c.spec.address] : [])),
  ];
  const chatbots = [
    ...(props.chatbotSlack ? [props.chatbotSlack] : []),
    ...channels.flatMap((c) => (c.spec.kind === 'chatbot-slack' ? [c.spec.options] : [])),
  ];
  if (chatbots.length > 1)
    problems.push(
      'notificationChannels: at most one Chatbot Slack channel (chatbotSlack or NotificationChannel.chatbotSlack); keep one',
    );
  const webhooks = [
    ...(props.slackWebhookSecret ? [{ secret: props.slackWebhookSecret, mention: props.slackMention }] : []),
    ...channels.flatMap((c) =>
      c.spec.kind === 'slack-webhook' ? [{ secret: c.spec.secret, mention: c.spec.mention }] : [],
    ),
  ];
  if (webhooks.length > 1)
    problems.push(
      'notificationChannels: at most one Slack webhook (slackWebhookSecret or NotificationChannel.slackWebhook); keep one',
    );
  const webhook = webhooks[0];
  return {
    emails,
    chatbotSlack: chatbots[0],
    slackWebhookSecret: webhook?.secret,
    // A mention without any webhook is kept, so that validation names it.
    slackMention: webhook?.mention ?? props.slackMention,
    problems,
  };
}
