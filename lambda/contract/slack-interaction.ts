/**
 * Slack interactive approvals (README "Approve from Slack"): the buttons the Slack notifier adds to a message,
 * and what the interaction endpoint (a Function URL with AuthType NONE, only with `slack.interactive`) accepts.
 * A button can approve a rollback the watchdog itself proposed, or hold (pause) a target; it can never start a
 * rollback of its own. Shared by the Slack channel, the endpoint and the construct.
 */

/** The buttons' `action_id`s: fixed, the same on every press (Slack's `action_id` is no replay guard). */
export const SLACK_ACTION = {
  approve: 'rollback-watchdog.approve',
  hold: 'rollback-watchdog.hold',
} as const;
export type SlackActionKind = keyof typeof SLACK_ACTION;

/** The `block_id` of the actions block holding the buttons: removed when the message is updated. */
export const SLACK_ACTIONS_BLOCK_ID = 'rollback-watchdog.actions';

/** One button press, as a verified payload says it. */
export interface SlackAction {
  readonly kind: SlackActionKind;
  readonly target: string;
  /** The decision whose message carried the button (the approval request, or the rollback). */
  readonly decision: string;
  /** The region whose watchdog posted the message, when it said. */
  readonly region?: string;
  readonly userId: string;
  readonly teamId: string;
  /** Slack's id of this interaction: unique per press, the replay guard's key. */
  readonly triggerId?: string;
  /** Where to answer: checked to be Slack's (SLACK_RESPONSE_URL_PREFIX). */
  readonly responseUrl: string;
  /** The message the button was on, to update it in place. */
  readonly message?: { readonly blocks: readonly unknown[]; readonly text?: string };
}

/** What a button's `value` carries (JSON): which target, which decision proposed it, which region's watchdog. */
export interface SlackButtonValue {
  readonly target: string;
  readonly decision: string;
  readonly region?: string;
}

/**
 * How old a request may be (its X-Slack-Request-Timestamp against the endpoint's clock), either way: Slack's own
 * guidance, five minutes.
 */
export const SLACK_REQUEST_MAX_AGE_SECONDS = 300;

/** The most a request body may be: a block_actions payload with a whole message is a few KB. */
export const SLACK_REQUEST_BODY_MAX = 64 * 1024;

/** The principal the audit records for a Slack user: `slack:<team id>/<user id>`. */
export function slackPrincipal(teamId: string, userId: string): string {
  return `slack:${teamId}/${userId}`;
}

/**
 * Slack member ids as the approvers list takes them: `U…` (or `W…` on Enterprise Grid), upper-case letters and
 * digits. User groups (`S…`) are not accepted: resolving their members needs a bot token, which an incoming
 * webhook does not have.
 */
export const SLACK_USER_ID_PATTERN = /^[UW][A-Z0-9]{2,20}$/;

/** At most this many approvers: they travel in an environment variable. */
export const SLACK_APPROVERS_MAX = 100;

/** Why an approvers list is unusable, or undefined when it is fine. */
export function slackApproversProblem(approvers: readonly string[]): string | undefined {
  if (approvers.length === 0)
    return 'must list at least one Slack member id (U…): only listed users may press Approve or Hold';
  if (approvers.length > SLACK_APPROVERS_MAX)
    return `must list at most ${SLACK_APPROVERS_MAX} Slack member ids`;
  const bad = approvers.filter((a) => !SLACK_USER_ID_PATTERN.test(a));
  if (bad.length > 0)
    return (
      `must be Slack member ids like "U0123ABCD" (the profile's "Copy member ID"); not ${bad.map((b) => JSON.stringify(b)).join(', ')}` +
      (bad.some((b) => b.startsWith('S') || b.startsWith('<'))
        ? ' (user groups cannot be resolved without a bot token: list the people)'
        : '')
    );
  if (new Set(approvers).size !== approvers.length) return 'lists a member id twice';
  return undefined;
}

/** Where Slack's `response_url`s point: the endpoint posts nowhere else (no request can aim it at another host). */
export const SLACK_RESPONSE_URL_PREFIX = 'https://hooks.slack.com/';
