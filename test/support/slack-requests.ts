import { createHmac } from 'node:crypto';
import { SLACK_ACTION } from '../../lambda/contract';

/** Slack interaction requests as Slack signs them, for the endpoint's tests. */

export const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const NOW = 1_764_000_000;

/** A request as Slack signs it: `v0=` + HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function signed(body: string, timestamp = NOW, secret = SECRET) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    headers: { 'X-Slack-Signature': signature, 'X-Slack-Request-Timestamp': String(timestamp) },
    body,
  };
}

export function pressBody(
  overrides: Record<string, unknown> = {},
  action: Record<string, unknown> = {},
): string {
  const payload = {
    type: 'block_actions',
    user: { id: 'U0APPROVER', team_id: 'T0TEAM' },
    team: { id: 'T0TEAM' },
    trigger_id: '1234.5678.abcdef',
    response_url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
    actions: [
      {
        action_id: SLACK_ACTION.approve,
        value: JSON.stringify({ target: 'payments', decision: 'dec-1', region: 'us-east-1' }),
        ...action,
      },
    ],
    message: {
      text: 'Approval needed',
      blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x' } }],
    },
    ...overrides,
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
