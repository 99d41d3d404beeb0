import type { NotificationKind, Severity } from './reasons';

/**
 * The on-call message as a typed value (docs/architecture.md, "Notification messages"): built once, by the use
 * case that decided, and rendered by each channel (lambda/channels): the Chatbot card, the plain-text e-mail,
 * Slack Block Kit. It travels on the notification topic beside the rendered forms (the `notification` message
 * attribute), so that a channel downstream of the topic renders from it and never parses text back.
 */
export interface WatchdogNotification {
  readonly kind: NotificationKind;
  readonly severity: Severity;
  /** The target id, or `watchdog` for a message about the whole watchdog. */
  readonly target: string;
  readonly title: string;
  /** What fired: the alarm and its reason, or who asked. One or more sentences. */
  readonly fired: string;
  /** What changed: the first line is the change itself, the rest are details (one container each, …). */
  readonly changed: readonly string[];
  /** What the watchdog did. One or more sentences. */
  readonly did: string;
  /** What to do next, most useful first; the first one is repeated in the description. */
  readonly nextSteps: readonly NextStep[];
  /** Console links, the runbook first when the target has one. */
  readonly links: readonly NotificationLink[];
  readonly keywords: readonly string[];
  /**
   * Flat facts for filters and readers (Chatbot's `metadata.additionalContext`): always `kind` and `target`;
   * `decisionId`, `from`, `to`, `trigger`, `reason`, `region`, `stack`, `account` and others when known.
   */
  readonly context: Readonly<Record<string, string>>;
}

/** One next step: what to do, and the exact command to paste when there is one. */
export interface NextStep {
  readonly text: string;
  /** A command line (`npx rollback-watchdog status checkout --stack … --region …`, or an `aws` command). */
  readonly command?: string;
}

/** A console or runbook link: a label and an https URL. */
export interface NotificationLink {
  readonly label: string;
  readonly url: string;
}

/** The SNS message attribute that carries the WatchdogNotification as JSON. */
export const NOTIFICATION_ATTRIBUTE = 'notification';

/** The version of the attribute's JSON; a reader that does not know it falls back to the card. */
export const NOTIFICATION_FORMAT_VERSION = 1;

/** A next step as one line of text: `<text>: <command>`, or the text alone. */
export function nextStepLine(step: NextStep): string {
  return step.command !== undefined ? `${step.text}: ${step.command}` : step.text;
}
