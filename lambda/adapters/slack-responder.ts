import { SLACK_RESPONSE_URL_PREFIX } from '../contract';
import type { SlackResponder } from '../use-cases/ports';

/** How long one answer to Slack may take: Slack's response_url is quick, and the press is already done. */
export const SLACK_RESPONSE_TIMEOUT_MS = 3_000;

/**
 * Posts an answer to a press's `response_url` (update the message in place, or tell the presser alone). Only to
 * Slack's host: the URL came in a signed request, and is checked again here so that nothing else can reach
 * this function's network. The URL carries a token: errors never quote it.
 */
export class FetchSlackResponder implements SlackResponder {
  constructor(
    private readonly options: {
      readonly fetch?: typeof fetch;
      readonly timeoutMs?: number;
      /** Tests point it at a local server. Never set in a deployment. @default false */
      readonly allowAnyUrlForTests?: boolean;
    } = {},
  ) {}

  async respond(responseUrl: string, body: Readonly<Record<string, unknown>>): Promise<void> {
    if (!this.options.allowAnyUrlForTests && !responseUrl.startsWith(SLACK_RESPONSE_URL_PREFIX)) {
      throw new Error(`refusing to answer a response_url outside ${SLACK_RESPONSE_URL_PREFIX}`);
    }
    const send = this.options.fetch ?? fetch;
    const response = await send(responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? SLACK_RESPONSE_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`Slack answered the response_url post with HTTP ${response.status}`);
  }
}
