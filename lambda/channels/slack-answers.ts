import { SLACK_ACTIONS_BLOCK_ID } from '../contract';
import { truncate } from './text';

/**
 * What the Slack interaction endpoint answers through a press's `response_url`, and Slack's mrkdwn escaping,
 * apart from the Block Kit renderer (slack.ts) so that the endpoint's bundle carries only these.
 */

/** Slack's mrkdwn needs exactly these three escaped; everything else is shown as typed. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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

const cut = (text: string, max: number): string => truncate(text, max, '…');

/** The answer only the presser sees (Slack's `response_url`, `ephemeral`): the text escaped, nothing parsed. */
export function slackEphemeral(text: string): Readonly<Record<string, unknown>> {
  return {
    response_type: 'ephemeral',
    replace_original: false,
    text: cut(escapeMrkdwn(text), SLACK_LIMITS.fallbackText),
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
    text: cut(original?.text ?? line, SLACK_LIMITS.fallbackText),
    blocks: [
      ...kept.slice(0, UPDATED_BLOCKS_MAX),
      { type: 'section', text: { type: 'mrkdwn', text: cut(line, SLACK_LIMITS.sectionText) } },
    ],
  };
}
