import { Token } from 'aws-cdk-lib';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { slackMentionProblem, WEBHOOK_CHANNEL_NAME } from '../lambda/contract';
import type { ChatbotSlackChannelOptions } from './rollback-watchdog';

/** Options of a webhook channel ({@link NotificationChannel.webhook}). */
export interface WebhookChannelOptions {
  /**
   * Who every high-severity post pages, in the channel's own mention syntax (checked at synth).
   *
   * @default - no mention
   */
  readonly mention?: string;
}

/** Options of {@link NotificationChannel.slackWebhook}. */
export interface SlackWebhookChannelOptions extends WebhookChannelOptions {
  /**
   * Who every high-severity post pages, in Slack's syntax: `<!subteam^S0123ABCD>` (a user group),
   * `<@U0123ABCD>` (a person), `<!here>` or `<!channel>`.
   *
   * @default - no mention
   */
  readonly mention?: string;
}

/**
 * What the construct knows about a webhook channel. The channel's renderer is in the forwarder's registry
 * (lambda/channels/registry.ts) under the same name; the construct creates one forwarder function per
 * configured channel, which reads the name from its environment.
 */
export interface WebhookChannelDefinition {
  /** How problems, the dashboard and the health alarms name it (`Slack`, `Slack notifier`). */
  readonly label: string;
  /** Where it is configured, for the problem about configuring it twice. */
  readonly configuredBy: string;
  /**
   * Why a mention is not in the channel's syntax (undefined when it is), checked at synth.
   * @default - the channel takes no mention
   */
  readonly mentionProblem?: (mention: string) => string | undefined;
}

/**
 * The webhook channels, by name: the names of the forwarder's registry (lambda/channels/registry.ts), which
 * test/unit/channels/registry.test.ts holds equal to these. A name is {@link WEBHOOK_CHANNEL_NAME}-shaped: it
 * names the forwarder's environment variables (`webhookChannelEnv`) and construct ids (`SlackNotifier`).
 */
export const WEBHOOK_CHANNEL_DEFINITIONS = {
  slack: {
    label: 'Slack',
    configuredBy: 'slackWebhookSecret or NotificationChannel.slackWebhook',
    mentionProblem: slackMentionProblem,
  },
} as const satisfies Readonly<Record<string, WebhookChannelDefinition>>;

/** The name of a webhook channel the construct can deploy a forwarder for. */
export type WebhookChannelName = keyof typeof WEBHOOK_CHANNEL_DEFINITIONS;

/** What a channel delivers to, as the watchdog wires it. */
export type NotificationChannelSpec =
  | { readonly kind: 'email'; readonly address: string }
  | { readonly kind: 'chatbot-slack'; readonly options: ChatbotSlackChannelOptions }
  | {
      readonly kind: 'webhook';
      /** The channel's name in WEBHOOK_CHANNEL_DEFINITIONS. */
      readonly channel: WebhookChannelName;
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

  /**
   * A webhook channel (one of WEBHOOK_CHANNEL_DEFINITIONS) whose URL is in `secret`: a forwarder Lambda
   * subscribed to the topic renders every message for the channel and posts it there. It may read this one
   * secret (and decrypt it with the secret's key, if the secret carries one).
   */
  public static webhook(
    channel: WebhookChannelName,
    secret: secretsmanager.ISecret,
    options: WebhookChannelOptions = {},
  ): NotificationChannel {
    return new NotificationChannel({ kind: 'webhook', channel, secret, mention: options.mention });
  }

  /** A Slack incoming webhook whose URL is in `secret`; a forwarder Lambda posts Block Kit messages to it. */
  public static slackWebhook(
    secret: secretsmanager.ISecret,
    options: SlackWebhookChannelOptions = {},
  ): NotificationChannel {
    return NotificationChannel.webhook('slack', secret, options);
  }

  private constructor(
    /** What the channel delivers to. */
    public readonly spec: NotificationChannelSpec,
  ) {}
}

/** One webhook channel to deploy a forwarder for. */
export interface ResolvedWebhook {
  /** Its name in WEBHOOK_CHANNEL_DEFINITIONS, the forwarder's WATCHDOG_WEBHOOK_CHANNEL. */
  readonly channel: string;
  /** How the dashboard and the health alarms name its forwarder: `Slack notifier`. */
  readonly label: string;
  /** Construct id of its forwarder, stable as long as the name is: `SlackNotifier`. */
  readonly id: string;
  readonly secret: secretsmanager.ISecret;
  readonly mention: string | undefined;
}

/** The channels of a watchdog, from its `notificationChannels` and the older single-channel props. */
export interface ResolvedChannels {
  readonly emails: readonly string[];
  readonly chatbotSlack: ChatbotSlackChannelOptions | undefined;
  /** One per channel, in the order they were configured. */
  readonly webhooks: readonly ResolvedWebhook[];
  readonly slackWebhookSecret: secretsmanager.ISecret | undefined;
  readonly slackMention: string | undefined;
  /** Channels that cannot be combined, or are not valid, named for synth's validation. */
  readonly problems: readonly string[];
}

/**
 * Merges `notificationChannels` with `notificationEmails`, `chatbotSlack`, `slackWebhookSecret` and
 * `slackMention`: e-mails add up; one Chatbot channel and one webhook per channel at most (one Slack
 * webhook), from either place.
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
  const configured: { channel: string; secret: secretsmanager.ISecret; mention: string | undefined }[] = [
    ...(props.slackWebhookSecret
      ? [{ channel: 'slack', secret: props.slackWebhookSecret, mention: props.slackMention }]
      : []),
    ...channels.flatMap((c) => (c.spec.kind === 'webhook' ? [c.spec] : [])),
  ];
  const webhooks: ResolvedWebhook[] = [];
  for (const name of new Set(configured.map((w) => w.channel))) {
    const definition = webhookDefinition(name);
    if (definition === undefined) {
      problems.push(
        `notificationChannels: no webhook channel is called ${JSON.stringify(name)}; ` +
          `there are ${Object.keys(WEBHOOK_CHANNEL_DEFINITIONS).join(', ')}`,
      );
      continue;
    }
    const all = configured.filter((w) => w.channel === name);
    if (all.length > 1)
      problems.push(
        `notificationChannels: at most one ${definition.label} webhook (${definition.configuredBy}); keep one`,
      );
    const { secret, mention } = all[0];
    // Slack's mention is checked as `slackMention`, the name it has in the props (lib/private/validate.ts).
    if (name !== 'slack') problems.push(...mentionProblems(definition, mention));
    webhooks.push({
      channel: name,
      label: definition.label,
      id: name.replace(/(?:^|-)([a-z0-9])/g, (_m, c: string) => c.toUpperCase()),
      secret,
      mention,
    });
  }
  const slack = webhooks.find((w) => w.channel === 'slack');
  return {
    emails,
    chatbotSlack: chatbots[0],
    webhooks,
    slackWebhookSecret: slack?.secret,
    // A mention without any webhook is kept, so that validation names it.
    slackMention: slack?.mention ?? props.slackMention,
    problems,
  };
}

/**
 * The definition of the channel `name`; undefined for a name WEBHOOK_CHANNEL_DEFINITIONS lacks, or a
 * malformed one.
 */
function webhookDefinition(name: string): WebhookChannelDefinition | undefined {
  const channels: Readonly<Record<string, WebhookChannelDefinition>> = WEBHOOK_CHANNEL_DEFINITIONS;
  return WEBHOOK_CHANNEL_NAME.test(name) && Object.hasOwn(channels, name) ? channels[name] : undefined;
}

/** The mention goes into the forwarder's environment, so it must be literal, and the channel's syntax. */
function mentionProblems(definition: WebhookChannelDefinition, mention: string | undefined): string[] {
  if (mention === undefined) return [];
  const what = `notificationChannels: the ${definition.label} webhook's mention`;
  if (Token.isUnresolved(mention)) return [`${what} must be a literal string, not a token`];
  if (definition.mentionProblem === undefined)
    return [`${what}: ${definition.label} takes no mention; remove it`];
  const problem = definition.mentionProblem(mention);
  return problem ? [`${what} ${problem} (got ${JSON.stringify(mention)})`] : [];
}
