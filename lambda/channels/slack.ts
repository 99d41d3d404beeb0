import {
  METRIC,
  METRICS_NAMESPACE,
  NOTIFICATION_KINDS,
  type AlarmMetric,
  type AlarmStateValue,
  type AlarmTrigger,
  type ChatbotNotification,
  type CloudWatchAlarmNotification,
  type CompositeAlarmRule,
  type NextStep,
  type NotificationKind,
  type NotificationLink,
  type Severity,
  type WatchdogNotification,
  SLACK_ACTION,
  SLACK_ACTIONS_BLOCK_ID,
} from '../contract';
import { formatNumber, formatPeriod } from './text';
import { escapeMrkdwn, SLACK_LIMITS } from './slack-answers';

export { escapeMrkdwn, SLACK_LIMITS, slackEphemeral, slackUpdatedMessage } from './slack-answers';

/**
 * The Slack channel (docs/architecture.md, "Notification messages"): Block Kit messages for an incoming
 * webhook, rendered from the typed notification (or, for a message on the topic without one, from the card's
 * fields as they are) and from CloudWatch alarm notifications. Pure. Every piece of text that came from a
 * notification is escaped, so an alarm reason or version string can neither mention a channel nor forge a
 * link; only the configured mention is written unescaped.
 */

/** A Slack `plain_text` text object: shown verbatim, never parsed. */
export interface SlackPlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

/** A Slack `mrkdwn` text object: formatting and `<…>` links are parsed, so its text must be escaped. */
export interface SlackMrkdwn {
  readonly type: 'mrkdwn';
  readonly text: string;
}

/** A link button (Block Kit `button` element with a `url`). */
export interface SlackButton {
  readonly type: 'button';
  readonly text: SlackPlainText;
  readonly url: string;
}

/**
 * An interactive button (Block Kit `button` with an `action_id` and a `value`): pressing it sends a signed
 * request to the Slack app's Request URL, the watchdog's interaction endpoint.
 */
export interface SlackActionButton {
  readonly type: 'button';
  readonly text: SlackPlainText;
  readonly action_id: string;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  /** Slack asks "are you sure?" before sending the press. */
  readonly confirm?: {
    readonly title: SlackPlainText;
    readonly text: SlackPlainText;
    readonly confirm: SlackPlainText;
    readonly deny: SlackPlainText;
  };
}

/** The Block Kit blocks the formatter uses. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackPlainText }
  | { readonly type: 'section'; readonly text: SlackMrkdwn }
  | { readonly type: 'actions'; readonly elements: readonly SlackButton[] }
  | { readonly type: 'actions'; readonly block_id: string; readonly elements: readonly SlackActionButton[] }
  | { readonly type: 'context'; readonly elements: readonly SlackMrkdwn[] };

/** An incoming-webhook payload: `text` is the fallback Slack shows in notifications and old clients. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  high: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
};

/** What the Slack channel adds to every message it renders. */
export interface SlackMessageOptions {
  /**
   * Who to page on a high-severity message: Slack's own mention syntax (`<!subteam^S0123ABCD>` for a user
   * group, `<@U0123ABCD>` for a person, `<!here>`, `<!channel>`), checked at synth.
   * @default - no mention
   */
  readonly mention?: string;
  /**
   * The Slack app has interactivity pointed at the watchdog (`slack.interactive`): approval requests carry
   * Approve rollback and Hold, automatic rollbacks Hold (lambda/contract/slack-interaction.ts).
   * @default false
   */
  readonly interactive?: boolean;
}

/**
 * The Block Kit message for one notification: a header with the severity emoji and the title, the mention
 * for a high-severity message, what fired / changed / did with the section labels in bold, the links as
 * buttons, the next steps with their commands as code, and a context line with target, kind, severity,
 * decision id, account and region.
 */
export function toSlackMessage(n: WatchdogNotification, options: SlackMessageOptions = {}): SlackMessage {
  const emoji = SEVERITY_EMOJI[n.severity];
  const mention = n.severity === 'high' ? options.mention : undefined;
  const [changeHead, ...changeDetails] = n.changed;
  const lines = [
    `*What fired:* ${escapeMrkdwn(n.fired)}`,
    ...(changeHead !== undefined ? [`*What changed:* ${escapeMrkdwn(changeHead)}`] : []),
    ...changeDetails.map(escapeMrkdwn),
    `*What the watchdog did:* ${escapeMrkdwn(n.did)}`,
  ];
  const blocks = opening(`${emoji} ${n.title}`, mention, lines);
  const links = n.links.filter((l) => l.url.startsWith('https://') && l.url.length <= SLACK_LIMITS.buttonUrl);
  if (links.length > 0) blocks.push(buttons(links));
  if (n.nextSteps.length > 0) {
    blocks.push(
      section(
        cut(
          ['*Next steps*', ...n.nextSteps.map((s) => `• ${stepText(s)}`)].join('\n'),
          SLACK_LIMITS.sectionText,
        ),
      ),
    );
  }
  const ctx = n.context;
  const actions = options.interactive === true ? actionButtons(n) : undefined;
  if (actions) blocks.push(actions);
  blocks.push(
    contextLine([
      ['Target', n.target],
      ['Kind', n.kind],
      ['Severity', n.severity],
      ['Decision', ctx['decisionId']],
      ['Account', ctx['account']],
      ['Region', ctx['region']],
    ]),
  );
  return { text: fallbackText(`${emoji} ${n.title}`, mention), blocks };
}

/** Rollback reasons whose rollback nobody asked for by hand: on-call may want to hold further automation. */
const AUTOMATIC_REASONS = new Set(['alarm', 'group', 'region', 'approval-timeout']);

/**
 * Approve rollback and Hold on an approval request; Hold on an automatic rollback. Nothing on any other
 * message, or when the message names no decision (a button must say which proposal it approves).
 */
function actionButtons(n: WatchdogNotification): SlackBlock | undefined {
  const decision = n.context['decisionId'];
  if (decision === undefined) return undefined;
  const approval = n.kind === 'approval-requested';
  if (!approval && !(n.kind === 'rollback-started' && AUTOMATIC_REASONS.has(n.context['reason'] ?? ''))) {
    return undefined;
  }
  const region = n.context['region'];
  const value = JSON.stringify({ target: n.target, decision, ...(region !== undefined ? { region } : {}) });
  const plain = (text: string): SlackPlainText => ({
    type: 'plain_text',
    text: cut(text, SLACK_LIMITS.buttonText),
  });
  const hold: SlackActionButton = {
    type: 'button',
    text: plain('Hold'),
    action_id: SLACK_ACTION.hold,
    value,
    style: 'danger',
    confirm: {
      title: plain('Hold automation?'),
      text: {
        type: 'plain_text',
        text: cut(
          `Pause ${n.target}: no automatic rollback until someone resumes it.`,
          SLACK_LIMITS.sectionText,
        ),
      },
      confirm: plain('Hold'),
      deny: plain('Cancel'),
    },
  };
  const approve: SlackActionButton = {
    type: 'button',
    text: plain('Approve rollback'),
    action_id: SLACK_ACTION.approve,
    value,
    style: 'primary',
    confirm: {
      title: plain('Approve the rollback?'),
      text: {
        type: 'plain_text',
        text: cut(
          `Roll ${n.target} back${n.context['from'] && n.context['to'] ? ` from ${n.context['from']} to ${n.context['to']}` : ''}, as the watchdog proposed.`,
          SLACK_LIMITS.sectionText,
        ),
      },
      confirm: plain('Approve'),
      deny: plain('Cancel'),
    },
  };
  return { type: 'actions', block_id: SLACK_ACTIONS_BLOCK_ID, elements: approval ? [approve, hold] : [hold] };
}

/**
 * The header, the mention and the body sections every message starts with. A mention in a header (plain text)
 * pings nobody: it gets a section of its own, first.
 */
function opening(title: string, mention: string | undefined, lines: readonly string[]): SlackBlock[] {
  return [
    { type: 'header', text: { type: 'plain_text', text: cut(title, SLACK_LIMITS.headerText), emoji: true } },
    ...(mention !== undefined ? [section(mention)] : []),
    ...chunkLines(lines, SLACK_LIMITS.sectionText).slice(0, SLACK_LIMITS.descriptionSections).map(section),
  ];
}

/** The text a phone's push notification shows: the mention must be in it to page. */
function fallbackText(title: string, mention: string | undefined): string {
  const escaped = escapeMrkdwn(title);
  return cut(mention !== undefined ? `${mention} ${escaped}` : escaped, SLACK_LIMITS.fallbackText);
}

/**
 * A card on the topic without the typed notification (published by an older watchdog, or by hand): shown as
 * it is, the description as escaped text and the next steps as a list. Nothing is parsed out of the text.
 */
export function cardToSlackMessage(
  card: ChatbotNotification,
  severity?: Severity,
  options: SlackMessageOptions = {},
): SlackMessage {
  const ctx = card.metadata.additionalContext;
  const kind = ctx['kind'];
  const level = severity ?? severityOfKind(kind);
  const emoji = SEVERITY_EMOJI[level];
  const mention = level === 'high' ? options.mention : undefined;
  const blocks = opening(
    `${emoji} ${card.content.title}`,
    mention,
    card.content.description.trim().split('\n').map(escapeMrkdwn),
  );
  const steps = card.content.nextSteps.filter((s) => s.trim().length > 0);
  if (steps.length > 0) {
    blocks.push(
      section(
        cut(
          ['*Next steps*', ...steps.map((s) => `• ${escapeMrkdwn(s)}`)].join('\n'),
          SLACK_LIMITS.sectionText,
        ),
      ),
    );
  }
  blocks.push(
    contextLine([
      ['Target', ctx['target'] ?? card.metadata.threadId],
      ['Kind', kind],
      ['Severity', level],
      ['Decision', ctx['decisionId']],
      ['Account', ctx['account']],
      ['Region', ctx['region']],
    ]),
  );
  return { text: fallbackText(`${emoji} ${card.content.title}`, mention), blocks };
}

/** A next step: its text escaped, its command as code (a backtick in it would end the code span: dropped). */
function stepText(step: NextStep): string {
  const text = escapeMrkdwn(step.text);
  return step.command !== undefined ? `${text}: \`${escapeMrkdwn(step.command).replace(/`/g, "'")}\`` : text;
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function contextLine(facts: readonly (readonly [string, string | undefined])[]): SlackBlock {
  return {
    type: 'context',
    elements: facts
      .filter((f): f is readonly [string, string] => f[1] !== undefined && f[1] !== '')
      .map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}:* ${escapeMrkdwn(value)}` })),
  };
}

/** Joins lines into chunks of at most `max` characters, cutting a single over-long line. */
function chunkLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = cut(raw, max);
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current.trim()) chunks.push(current);
  return chunks;
}

/** Console links as a row of buttons, as many as Slack allows. */
function buttons(links: readonly NotificationLink[]): SlackBlock {
  return {
    type: 'actions',
    elements: links.slice(0, SLACK_LIMITS.buttons).map((l) => ({
      type: 'button',
      text: { type: 'plain_text', text: cut(l.label, SLACK_LIMITS.buttonText) },
      url: l.url,
    })),
  };
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** For messages whose severity attribute is missing: the severity the watchdog gives each kind by default. */
const KIND_SEVERITY: Readonly<Record<NotificationKind, Severity>> = {
  'rollback-started': 'warning',
  'rollback-succeeded': 'info',
  'rollback-failed': 'high',
  'rollback-skipped': 'warning',
  'approval-requested': 'high',
  escalation: 'high',
  drill: 'info',
  paused: 'warning',
  resumed: 'info',
  warning: 'warning',
  'group-rollback': 'warning',
};

function severityOfKind(kind: string | undefined): Severity {
  const known = NOTIFICATION_KINDS.find((k) => k === kind);
  return known ? KIND_SEVERITY[known] : 'info';
}

/**
 * The stack's own alarms all have descriptions that start with this (lib/private/monitoring.ts and the
 * dead-letter alarm in lib/rollback-watchdog.ts); an alarm an operator pointed at the topic usually does not.
 */
export const WATCHDOG_ALARM_PREFIX = 'Rollback Watchdog:';

/** What an alarm message may add beyond the notification itself. */
export interface AlarmMessageOptions extends SlackMessageOptions {
  /**
   * The watchdog's CloudFormation stack, for the `npx rollback-watchdog status` hint.
   * @default - no CLI hint
   */
  readonly stackName?: string;
}

/** The severity of an alarm notification: a health alarm firing pages, its recovery informs. */
export const ALARM_SEVERITY: Readonly<Record<AlarmStateValue, Severity>> = {
  ALARM: 'high',
  INSUFFICIENT_DATA: 'warning',
  OK: 'info',
};

/**
 * The Block Kit message for a CloudWatch alarm notification on the topic: a header with the alarm and its new
 * state, what fired (states, time, CloudWatch's reason), the alarm's description, the metric and threshold
 * (or a composite alarm's rule and the children that triggered it), console links as buttons, what to look
 * at next, and a context line with account and region. Every piece of text from the notification is escaped;
 * the links are built from the ARN's partition and region and from names checked against AWS's naming rules,
 * never taken from the message.
 */
export function alarmToSlackMessage(
  alarm: CloudWatchAlarmNotification,
  options: AlarmMessageOptions = {},
): SlackMessage {
  const severity = ALARM_SEVERITY[alarm.newState];
  const emoji = SEVERITY_EMOJI[severity];
  const mention = severity === 'high' ? options.mention : undefined;
  const own = alarm.description?.startsWith(WATCHDOG_ALARM_PREFIX) ?? false;
  const title = `${own ? 'Watchdog health' : 'CloudWatch alarm'}: ${alarm.alarmName} is ${alarm.newState}`;
  const moved =
    alarm.oldState !== undefined ? `from ${alarm.oldState} to ${alarm.newState}` : `to ${alarm.newState}`;
  const lines = [
    `*What fired:* ${escapeMrkdwn(`${alarm.alarmName} went ${moved} at ${alarm.stateChangeTime}: ${alarm.reason}`)}`,
    ...(alarm.description !== undefined ? [`*Alarm:* ${escapeMrkdwn(alarm.description)}`] : []),
    ...(alarm.trigger !== undefined ? triggerLines(alarm.trigger) : []),
    ...(alarm.composite !== undefined ? compositeLines(alarm.composite) : []),
  ];
  const blocks = opening(`${emoji} ${title}`, mention, lines);
  const links = alarmLinks(alarm, own);
  if (links.length > 0) {
    blocks.push(buttons(links));
  }
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: cut(
        ['*Next steps*', ...alarmNextSteps(alarm, own, options).map((s) => `• ${s}`)].join('\n'),
        SLACK_LIMITS.sectionText,
      ),
    },
  });
  const region = alarm.regionName ? `${alarm.region} (${alarm.regionName})` : alarm.region;
  blocks.push({
    type: 'context',
    elements: [
      ['Kind', 'cloudwatch-alarm'],
      ['Severity', severity],
      ['Account', alarm.account],
      ['Region', region],
    ].map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}:* ${escapeMrkdwn(value ?? '')}` })),
  });
  return { text: fallbackText(`${emoji} ${title}`, mention), blocks };
}

const COMPARISON: Readonly<Record<string, string>> = {
  GreaterThanOrEqualToThreshold: '≥',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '≤',
};

const BAND: Readonly<Record<string, string>> = {
  LessThanLowerOrGreaterThanUpperThreshold: 'outside the band',
  LessThanLowerThreshold: 'below the band',
  GreaterThanUpperThreshold: 'above the band',
};

/** CloudWatch writes `Statistic` in capitals (`SAMPLE_COUNT`); the console and the API spell it this way. */
const STATISTIC: Readonly<Record<string, string>> = {
  SAMPLE_COUNT: 'SampleCount',
  AVERAGE: 'Average',
  SUM: 'Sum',
  MINIMUM: 'Minimum',
  MAXIMUM: 'Maximum',
};

function triggerLines(t: AlarmTrigger): string[] {
  const lines: string[] = [];
  const over = [
    t.statistic !== undefined ? (STATISTIC[t.statistic] ?? t.statistic) : undefined,
    t.period !== undefined ? `per ${formatPeriod(t.period)}` : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  if (t.metric !== undefined) {
    lines.push(
      `*Metric:* ${escapeMrkdwn(describeMetric(t.metric))}${over ? ` · ${escapeMrkdwn(over)}` : ''}`,
    );
  }
  if (t.metrics.length > 0) {
    lines.push('*Metrics:*');
    for (const q of t.metrics) {
      const what = q.expression ?? (q.metric !== undefined ? describeMetric(q.metric) : '(no metric)');
      const stat = [q.stat, q.period !== undefined ? `per ${formatPeriod(q.period)}` : undefined]
        .filter(Boolean)
        .join(' ');
      const notes = [q.label, q.returnData === true ? "the alarm's value" : undefined]
        .filter(Boolean)
        .join(', ');
      lines.push(
        `• ${escapeMrkdwn(`${q.id} = ${what}${stat ? ` · ${stat}` : ''}${notes ? ` (${notes})` : ''}`)}`,
      );
    }
  }
  const op = t.comparisonOperator;
  const band = op !== undefined ? BAND[op] : undefined;
  const compared =
    band !== undefined
      ? `${band}${t.thresholdMetricId !== undefined ? ` of ${t.thresholdMetricId}` : ''}`
      : t.threshold !== undefined
        ? `${op !== undefined ? (COMPARISON[op] ?? op) : ''} ${formatNumber(t.threshold)}${t.unit ? ` ${t.unit}` : ''}`.trim()
        : undefined;
  if (compared !== undefined) {
    const periods =
      t.evaluationPeriods !== undefined
        ? ` in ${t.datapointsToAlarm ?? t.evaluationPeriods} of ${t.evaluationPeriods} period${t.evaluationPeriods === 1 ? '' : 's'}`
        : '';
    const missing = t.treatMissingData !== undefined ? `; missing data: ${t.treatMissingData}` : '';
    lines.push(`*Threshold:* ${escapeMrkdwn(`${compared}${periods}${missing}`)}`);
  }
  return lines;
}

function compositeLines(c: CompositeAlarmRule): string[] {
  const lines: string[] = [];
  if (c.rule !== undefined) lines.push(`*Rule:* ${escapeMrkdwn(c.rule)}`);
  if (c.triggeringChildren.length > 0) {
    const children = c.triggeringChildren.map((ch) =>
      ch.state ? `${ch.alarmName} (${ch.state})` : ch.alarmName,
    );
    lines.push(`*Triggered by:* ${escapeMrkdwn(children.join(', '))}`);
  }
  return lines;
}

/** `AWS/SQS ApproximateNumberOfMessagesVisible (QueueName=dlq)`. */
function describeMetric(m: AlarmMetric): string {
  const name = [m.namespace, m.metricName].filter(Boolean).join(' ');
  const dims = m.dimensions.map((d) => `${d.name}=${d.value}`).join(', ');
  return dims ? `${name} (${dims})` : name;
}

function dimension(t: AlarmTrigger | undefined, namespace: string, name: string): string | undefined {
  if (t?.metric?.namespace !== namespace) return undefined;
  return t.metric.dimensions.find((d) => d.name === name)?.value;
}

/** AWS's naming rules: a name that breaks them is shown, but no link is built from it. */
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/**
 * Console links: the alarm, its triggering children (composite), and the queue, function or rule its metric
 * names. Commercial partition only: the console hosts and paths of the other partitions were not checked.
 */
function alarmLinks(alarm: CloudWatchAlarmNotification, own: boolean): NotificationLink[] {
  if (alarm.partition !== 'aws') return [];
  const r = alarm.region;
  const host = `https://${r}.console.aws.amazon.com`;
  const alarmUrl = (name: string) =>
    `${host}/cloudwatch/home?region=${r}#alarmsV2:alarm/${encodeURIComponent(name)}`;
  const links: NotificationLink[] = [{ label: `Alarm ${alarm.alarmName}`, url: alarmUrl(alarm.alarmName) }];
  for (const child of alarm.composite?.triggeringChildren ?? []) {
    links.push({ label: `Alarm ${child.alarmName}`, url: alarmUrl(child.alarmName) });
  }
  const queue = dimension(alarm.trigger, 'AWS/SQS', 'QueueName');
  if (queue !== undefined && QUEUE_NAME.test(queue)) {
    const queueUrl = `https://sqs.${r}.amazonaws.com/${alarm.account}/${queue}`;
    links.push({
      label: own ? 'Dead-letter queue' : `Queue ${queue}`,
      url: `${host}/sqs/v3/home?region=${r}#/queues/${encodeURIComponent(queueUrl)}`,
    });
  }
  const fn = dimension(alarm.trigger, 'AWS/Lambda', 'FunctionName');
  if (fn !== undefined && FUNCTION_NAME.test(fn)) {
    links.push({
      label: `Function ${fn}`,
      url: `${host}/lambda/home?region=${r}#/functions/${encodeURIComponent(fn)}?tab=monitoring`,
    });
  }
  const rule = dimension(alarm.trigger, 'AWS/Events', 'RuleName');
  if (rule !== undefined && RULE_NAME.test(rule)) {
    links.push({
      label: `Rule ${rule}`,
      url: `${host}/events/home?region=${r}#/eventbus/default/rules/${encodeURIComponent(rule)}`,
    });
  }
  return links.filter((l) => l.url.length <= SLACK_LIMITS.buttonUrl);
}

const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** Where to look next, from what lib/ wires to the topic; an alarm that is not the watchdog's gets the console. */
function alarmNextSteps(
  alarm: CloudWatchAlarmNotification,
  own: boolean,
  options: AlarmMessageOptions,
): string[] {
  const console = 'Open the alarm in the CloudWatch console for its history and graph.';
  if (alarm.newState === 'OK') return [`Nothing to do while it stays OK. ${console}`];
  if (alarm.newState === 'INSUFFICIENT_DATA') {
    return [
      `The alarm has too little data to evaluate: check that its metric is still published. ${console}`,
    ];
  }
  const children =
    (alarm.composite?.triggeringChildren.length ?? 0) > 0
      ? ['Look at the alarms that triggered it (linked above): each says what it watches.']
      : [];
  if (!own) return [...children, console];
  const t = alarm.trigger;
  const metric = t?.metric?.metricName;
  const code = (s: string) => `\`${escapeMrkdwn(s)}\``;
  const status =
    options.stackName !== undefined && STACK_NAME.test(options.stackName)
      ? [
          `An event the watchdog did not handle may be a rollback it did not start: check the targets with ${code(`npx rollback-watchdog status --stack ${options.stackName} --region ${alarm.region}`)}.`,
        ]
      : [];
  const dlq =
    'Events that still fail after the retries wait in the dead-letter queue: each message there is one the watchdog did not complete.';
  const queue = dimension(t, 'AWS/SQS', 'QueueName');
  if (queue !== undefined) {
    return [
      `Read the messages in the dead-letter queue ${code(queue)}: each is an EventBridge delivery, an asynchronous invocation or an SNS delivery that failed every retry.`,
      "The messages' contents and attributes show which function, rule or subscription each came from; that function's logs say why it failed.",
      ...status,
    ];
  }
  const fn = dimension(t, 'AWS/Lambda', 'FunctionName');
  if (fn !== undefined) {
    const first =
      metric === 'Throttles'
        ? `${code(fn)} was throttled: check the account's concurrent executions in ${escapeMrkdwn(alarm.region)} and any reserved concurrency on the function.`
        : metric === 'AsyncEventsDropped'
          ? `Lambda dropped asynchronous events for ${code(fn)} without running it: they were too old or out of retries.`
          : `Read the logs of ${code(fn)} (the function's Monitor tab) for the error.`;
    return [first, dlq, ...status];
  }
  const rule = dimension(t, 'AWS/Events', 'RuleName');
  if (rule !== undefined) {
    return [
      `EventBridge could not invoke the target of rule ${code(rule)}: check that the target function exists and that its resource policy allows the rule.`,
      dlq,
      ...status,
    ];
  }
  if (t?.metric?.namespace === METRICS_NAMESPACE && metric === METRIC.auditFailures) {
    return [
      `Search the watchdog functions' logs for ${code('audit write failed')}: the error says why the state table refused the write.`,
    ];
  }
  if (t?.metric?.namespace === METRICS_NAMESPACE && metric === METRIC.notificationFailures) {
    return [
      `Search the watchdog functions' logs for ${code('notification failed')}: the error says why the topic refused the message.`,
    ];
  }
  return [...children, console];
}
