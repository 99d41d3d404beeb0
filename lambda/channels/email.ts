import { nextStepLine, type WatchdogNotification } from '../contract';
import { describeNotification } from './chatbot';
import { truncate } from './text';

/**
 * The e-mail channel (docs/architecture.md, "Notification messages"): the `email` member of every SNS message
 * and its subject. Plain text, no markup: mail clients show it as it is.
 */

/** SNS rejects a message over 256 KB; the text is cut well below, leaving room for the JSON around it. */
export const EMAIL_TEXT_MAX_LENGTH = 60_000;

/** SNS: "less than 100 characters", ASCII for email subscribers, no line breaks or control characters. */
export const SUBJECT_MAX_LENGTH = 99;

/**
 * The plain-text e-mail: the title, the description as on-call reads it (what fired, what changed, what the
 * watchdog did, what to do next, the links), every next step as a command to paste, and the facts a filter or
 * an auditor looks for.
 */
export function renderEmailText(n: WatchdogNotification): string {
  const facts = Object.entries({ ...n.context, kind: n.kind, target: n.target, severity: n.severity })
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}: ${value}`);
  const text = [
    n.title,
    '='.repeat(Math.min(n.title.length, 72)),
    '',
    describeNotification(n),
    '',
    'Next steps:',
    ...n.nextSteps.map((step, i) => `${i + 1}. ${nextStepLine(step)}`),
    '',
    '--',
    ...facts,
    '',
    'Sent by Rollback Watchdog. Every decision is in the audit log: npx rollback-watchdog history',
  ].join('\n');
  return truncate(text, EMAIL_TEXT_MAX_LENGTH, '\n[cut: the full text is in the audit log]');
}

/** The email subject: the title in printable ASCII, cut to SNS's limit. */
export function renderSubject(n: Pick<WatchdogNotification, 'title' | 'kind' | 'target'>): string {
  const ascii = toAscii(n.title);
  const subject = ascii.length > 0 ? ascii : `Rollback watchdog: ${n.kind} ${toAscii(n.target)}`;
  return truncate(subject, SUBJECT_MAX_LENGTH, '...');
}

const ASCII_EQUIVALENTS: Readonly<Record<string, string>> = {
  '→': '->',
  '←': '<-',
  '—': '-',
  '–': '-',
  '‘': "'",
  '’': "'",
  '“': '"',
  '”': '"',
  '…': '...',
  '×': 'x',
};

function toAscii(text: string): string {
  return (
    text
      // Decomposes accented letters so that the base letter survives the filter below.
      .normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, (c) => ASCII_EQUIVALENTS[c] ?? (/\s/.test(c) ? ' ' : ''))
      .replace(/\s+/g, ' ')
      .trim()
  );
}
