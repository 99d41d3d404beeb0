import { parseSnsForwarderEvent } from '../../../lambda/boundary/cloudwatch-alarm-notification';
import { renderChatbotCard } from '../../../lambda/channels/chatbot';
import {
  WEBHOOK_CHANNELS,
  webhookChannel,
  type WebhookChannel,
  type WebhookRenderOptions,
} from '../../../lambda/channels/registry';
import { alarmToSlackMessage, cardToSlackMessage, toSlackMessage } from '../../../lambda/channels/slack';
import {
  WEBHOOK_CHANNEL_NAME,
  type CloudWatchAlarmNotification,
  type WatchdogNotification,
} from '../../../lambda/contract';
import { WEBHOOK_CHANNEL_DEFINITIONS } from '../../../lib/notification-channel';
import { snsFixture } from '../../support/sns-fixtures';
import { TEST_HOOK, TEST_HOOK_NAME } from '../../support/test-webhook-channel';

/**
 * The webhook channel registry (docs/architecture.md, "A new notification channel"): every channel in it,
 * and a test-only one beside them, renders every kind of message on the topic to a JSON body, pages with
 * the mention exactly when the message is high-severity, and has its factory on the construct's side.
 */

const MENTION = '<!subteam^S0123ABCD>';

function notification(severity: WatchdogNotification['severity']): WatchdogNotification {
  return {
    kind: severity === 'high' ? 'rollback-failed' : 'rollback-succeeded',
    severity,
    target: 'checkout',
    title: `Rollback of checkout to checkout:41 (${severity})`,
    fired: 'checkout-5xx started this rollback (alarm) at 2026-03-01 10:00:00 UTC.',
    changed: ['checkout:42 → checkout:41'],
    did: 'The watchdog rolled back.',
    nextSteps: [{ text: 'Inspect the target', command: 'npx rollback-watchdog status checkout' }],
    links: [{ label: 'Runbook for checkout', url: 'https://wiki.example.com/runbooks/checkout' }],
    keywords: ['checkout'],
    context: { kind: 'rollback-failed', target: 'checkout', decisionId: 'dec-1' },
  };
}

function alarmOf(fixture: string): CloudWatchAlarmNotification {
  const parsed = parseSnsForwarderEvent(snsFixture(fixture));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const record = parsed.records[0];
  if (record === undefined || !record.ok || !('alarm' in record)) throw new Error(`${fixture}: not an alarm`);
  return record.alarm;
}

/** What each kind of message renders to, and whether it is high-severity (the mention must page). */
function renderings(
  channel: WebhookChannel,
  options: WebhookRenderOptions,
): [string, boolean, string, unknown][] {
  const high = notification('high');
  const info = notification('info');
  const firing = alarmOf('dead-letter-alarm');
  const recovered = alarmOf('dead-letter-alarm-ok');
  const composite = alarmOf('composite-alarm');
  return [
    ['a high-severity notification', true, high.title, channel.render.notification(high, options)],
    ['an info notification', false, info.title, channel.render.notification(info, options)],
    ['a high-severity card', true, high.title, channel.render.card(renderChatbotCard(high), 'high', options)],
    ['an info card', false, info.title, channel.render.card(renderChatbotCard(info), 'info', options)],
    ['a health alarm in ALARM', true, firing.alarmName, channel.render.alarm(firing, options)],
    ['a health alarm back to OK', false, recovered.alarmName, channel.render.alarm(recovered, options)],
    [
      'a composite alarm',
      composite.newState === 'ALARM',
      composite.alarmName,
      channel.render.alarm(composite, options),
    ],
  ];
}

const withTestHook: Readonly<Record<string, WebhookChannel>> = {
  ...WEBHOOK_CHANNELS,
  [TEST_HOOK_NAME]: TEST_HOOK,
};

describe.each(Object.entries(withTestHook))('webhook channel %s', (name, channel) => {
  it('has a name that can name environment variables and construct ids', () => {
    expect(name).toMatch(WEBHOOK_CHANNEL_NAME);
    expect(webhookChannel(name, withTestHook)).toBe(channel);
  });

  it.each(renderings(channel, { mention: MENTION, stackName: 'RollbackWatchdog' }))(
    'renders %s to a JSON body with its title, the mention only when it pages',
    (_what, pages, title, body) => {
      expect(typeof body).toBe('object');
      const json = JSON.stringify(body);
      expect(JSON.parse(json)).toEqual(body);
      expect(json).toContain(title);
      if (pages) expect(json).toContain(MENTION);
      else expect(json).not.toContain(MENTION);
    },
  );

  it('renders no mention when none is configured', () => {
    for (const [, , , body] of renderings(channel, {})) expect(JSON.stringify(body)).not.toContain(MENTION);
  });
});

describe('the registry', () => {
  it('has a construct-side definition with the same label for every channel, and no other', () => {
    expect(Object.keys(WEBHOOK_CHANNELS).sort()).toEqual(Object.keys(WEBHOOK_CHANNEL_DEFINITIONS).sort());
    for (const [name, definition] of Object.entries(WEBHOOK_CHANNEL_DEFINITIONS)) {
      expect(webhookChannel(name).label).toBe(definition.label);
    }
  });

  it.each(['no-such-channel', 'constructor', '__proto__', 'Slack'])(
    'refuses %s, naming the channels it has',
    (name) => {
      expect(() => webhookChannel(name)).toThrow(
        `no webhook channel is called ${JSON.stringify(name)}; this forwarder renders ${Object.keys(WEBHOOK_CHANNELS).join(', ')}`,
      );
    },
  );

  it('renders Slack exactly as the Slack channel does, the stack only in alarm messages', () => {
    const slack = webhookChannel('slack');
    const options = { mention: MENTION, stackName: 'RollbackWatchdog' };
    const high = notification('high');
    const card = renderChatbotCard(high);
    const alarm = alarmOf('dead-letter-alarm');
    expect(slack.render.notification(high, options)).toEqual(toSlackMessage(high, { mention: MENTION }));
    expect(slack.render.card(card, 'high', options)).toEqual(
      cardToSlackMessage(card, 'high', { mention: MENTION }),
    );
    expect(slack.render.card(card, undefined, {})).toEqual(cardToSlackMessage(card, undefined, {}));
    expect(slack.render.alarm(alarm, options)).toEqual(alarmToSlackMessage(alarm, options));
    expect(slack.render.alarm(alarm, {})).toEqual(alarmToSlackMessage(alarm, {}));
  });

  it.each([
    ['https://hooks.slack.com/services/T0000/B0000/token', true],
    ['https://hooks.slack.com.evil.example/services/T/B/x', false],
    ['https://evil.example/https://hooks.slack.com/', false],
    ['https://hooks.slack.com:443/services/T/B/x', false],
  ])("Slack's URL rule on %s: %s", (url, accepted) => {
    expect(webhookChannel('slack').url.accepts(url, new URL(url))).toBe(accepted);
  });
});
