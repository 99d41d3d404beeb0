import { SLACK_ACTIONS_BLOCK_ID } from '../contract';

/**
 * What the Slack interaction endpoint answers through a press's `response_url`, and Slack's mrkdwn escaping,
 * apart from the Block Kit renderer (slack.ts) so that the endpoint's bundle carries only these.
 */

/** Slack's mrkdwn needs exactly these three escaped; everything else is shown as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack's limits for the answers (Block Kit: a section's text, a message's fallback text). */
const SECTION_TEXT_MAX = 3000;
const FALLBACK_TEXT_MAX = 3000;

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The answer only the presser sees (Slack's `response_url`, `ephemeral`): the text escaped, nothing parsed. */
export function slackEphemeral(text: string): Readonly<Record<string, unknown>> {
  return {
    response_type: 'ephemeral',
    replace_original: false,
    text: cut(escapeMrkdwn(text), FALLBACK_TEXT_MAX),
  };
}

/** Most blocks of the original message kept when it is updated (Slack allows 50). */
const UPDATED_BLOCKS_MAX = 45;

/**
 * The message the button was on, updated in place: its buttons removed (they did their work), a line saying
 * who did what added. `line` is mrkdwn the caller built (its dynamic parts escaped).
 */
export function slackUpdatedMessage(
  original: { readonly blocks: readonly unknown[]; readonly text?: string } | undefined,
  line: string,
): Readonly<Record<string, unknown>> {
  const kept = (original?.blocks ?? []).filter(
    (b) =>
      !(
        typeof b === 'object' &&
        b !== null &&
        (b as { block_id?: unknown }).block_id === SLACK_ACTIONS_BLOCK_ID
      ),
  );
  return {
    replace_original: true,
    text: cut(original?.text ?? line, FALLBACK_TEXT_MAX),
    blocks: [
      ...kept.slice(0, UPDATED_BLOCKS_MAX),
      { type: 'section', text: { type: 'mrkdwn', text: cut(line, SECTION_TEXT_MAX) } },
    ],
  };
}
