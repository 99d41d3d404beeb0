import { NOTIFICATION_KINDS, type NotificationKind, type Severity } from '../contract';
import type { ChatbotNotification } from '../boundary/sns-event';
import { LINKS_HEADING } from './notifications';

/**
 * Turns the watchdog's Chatbot custom notification (CONTRACTS.md §3) into a Slack Block Kit message for an
 * incoming webhook. Pure. Every piece of text that came from the notification is escaped, so an alarm reason
 * or version string can neither mention a channel nor forge a link.
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

/** The Block Kit blocks the formatter uses. */
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackPlainText }
  | { readonly type: 'section'; readonly text: SlackMrkdwn }
  | { readonly type: 'actions'; readonly elements: readonly SlackButton[] }
  | { readonly type: 'context'; readonly elements: readonly SlackMrkdwn[] };

/** An incoming-webhook payload: `text` is the fallback Slack shows in notifications and old clients. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

/** Block Kit limits (api.slack.com/reference/block-kit); longer text is cut rather than rejected. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  buttonText: 75,
  buttonUrl: 3000,
  /** Of the 25 elements an actions block allows; a message needs only a few links. */
  buttons: 5,
  fallbackText: 3000,
  /** Of Slack's 50; a Chatbot description (8,000 characters at most) needs three sections. */
  descriptionSections: 5,
} as const;

const SEVERITY_EMOJI: Readonly<Record<Severity, string>> = {
  high: ':rotating_light:',
  warning: ':warning:',
  info: ':information_source:',
};

/**
 * The Block Kit message for one notification: a header with the severity emoji and the title, the
 * description (section labels in bold, commands as code), the console links as buttons, the next steps as a
 * list, and a context line with target, kind and decision id.
 */
export function toSlackMessage(message: ChatbotNotification, severity?: Severity): SlackMessage {
  const ctx = message.metadata.additionalContext;
  const kind = ctx['kind'];
  const level = severity ?? severityOfKind(kind);
  const emoji = SEVERITY_EMOJI[level];
  const { body, links } = splitLinks(message.content.description);

  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: cut(`${emoji} ${message.content.title}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
    ...chunkLines(body.split('\n').map(formatLine), SLACK_LIMITS.sectionText)
      .slice(0, SLACK_LIMITS.descriptionSections)
      .map((text): SlackBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
  ];
  if (links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: links.slice(0, SLACK_LIMITS.buttons).map((l) => ({
        type: 'button',
        text: { type: 'plain_text', text: cut(l.label, SLACK_LIMITS.buttonText) },
        url: l.url,
      })),
    });
  }
  const steps = message.content.nextSteps.filter((s) => s.trim().length > 0);
  if (steps.length > 0) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: cut(
          ['*Next steps*', ...steps.map((s) => `• ${formatLine(s)}`)].join('\n'),
          SLACK_LIMITS.sectionText,
        ),
      },
    });
  }
  const facts: [string, string | undefined][] = [
    ['Target', ctx['target'] ?? message.metadata.threadId],
    ['Kind', kind],
    ['Severity', level],
    ['Decision', ctx['decisionId']],
  ];
  blocks.push({
    type: 'context',
    elements: facts
      .filter((f): f is [string, string] => f[1] !== undefined && f[1] !== '')
      .map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}:* ${escapeMrkdwn(value)}` })),
  });
  return { text: cut(escapeMrkdwn(`${emoji} ${message.content.title}`), SLACK_LIMITS.fallbackText), blocks };
}

/** Slack's mrkdwn needs exactly these three escaped; everything else is shown as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Splits the links section (LINKS_HEADING, then `<label>: <url>` lines) off a description. Only https URLs
 * become buttons; a line that does not parse stays in the body, so nothing the notification said is lost.
 */
function splitLinks(description: string): { body: string; links: { label: string; url: string }[] } {
  const lines = description.split('\n');
  const at = lines.lastIndexOf(LINKS_HEADING);
  if (at < 0) return { body: description.trim(), links: [] };
  const links: { label: string; url: string }[] = [];
  const rest: string[] = [];
  for (const line of lines.slice(at + 1)) {
    const m = /^(.+?): (https:\/\/\S+)$/.exec(line.trim());
    if (m?.[1] && m[2] && m[2].length <= SLACK_LIMITS.buttonUrl) links.push({ label: m[1], url: m[2] });
    else if (line.trim()) rest.push(line);
  }
  const body = [...lines.slice(0, at), ...(rest.length > 0 ? [LINKS_HEADING, ...rest] : [])]
    .join('\n')
    .trim();
  return { body, links };
}

/** Escapes a line, puts its section label in bold and the `npx rollback-watchdog …` command in code. */
function formatLine(line: string): string {
  const escaped = escapeMrkdwn(line);
  const labelled = escaped.replace(/^(What [^:]{1,40}:)(?= )/, '*$1*');
  return labelled.replace(/(npx (?:rollback-)?watchdog [^`\n]*?)\s*$/, '`$1`');
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
};

function severityOfKind(kind: string | undefined): Severity {
  const known = NOTIFICATION_KINDS.find((k) => k === kind);
  return known ? KIND_SEVERITY[known] : 'info';
}
