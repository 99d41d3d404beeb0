import type { WebhookChannel } from '../../lambda/channels/registry';
import type { WebhookChannelDefinition } from '../../lib/notification-channel';

/**
 * A webhook channel that exists only in the tests, registered through the same two places a real one is: the
 * forwarder's registry (lambda/channels/registry.ts) and the construct's definitions
 * (lib/notification-channel.ts). Its renderer keeps the fields that prove which message, options and
 * severity it was given.
 */
export const TEST_HOOK_NAME = 'test-hook';

export const TEST_HOOK_HOST = 'hooks.test.invalid';

export const TEST_HOOK: WebhookChannel = {
  label: 'Test hook',
  render: {
    notification: (n, options) => ({
      from: 'notification',
      title: n.title,
      severity: n.severity,
      ...(n.severity === 'high' && options.mention !== undefined ? { mention: options.mention } : {}),
    }),
    alarm: (alarm, options) => ({
      from: 'alarm',
      title: `${alarm.alarmName} is ${alarm.newState}`,
      stackName: options.stackName ?? null,
      ...(alarm.newState === 'ALARM' && options.mention !== undefined ? { mention: options.mention } : {}),
    }),
    card: (card, severity, options) => ({
      from: 'card',
      title: card.content.title,
      severity: severity ?? null,
      ...(severity === 'high' && options.mention !== undefined ? { mention: options.mention } : {}),
    }),
  },
  url: {
    description: 'a test-hook URL',
    expected: `https://${TEST_HOOK_HOST}/…`,
    accepts: (_url, parsed) => parsed.hostname === TEST_HOOK_HOST,
  },
};

/** Its mention syntax: `@@team`. */
export const TEST_HOOK_DEFINITION: WebhookChannelDefinition = {
  label: 'Test hook',
  configuredBy: "NotificationChannel.webhook('test-hook', …)",
  mentionProblem: (mention) => (/^@@[a-z]+$/.test(mention) ? undefined : 'must be "@@" and a team name'),
};
