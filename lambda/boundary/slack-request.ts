import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  SLACK_ACTION,
  SLACK_REQUEST_BODY_MAX,
  SLACK_REQUEST_MAX_AGE_SECONDS,
  SLACK_RESPONSE_URL_PREFIX,
  TARGET_ID_PATTERN,
  type SlackAction,
  type SlackActionKind,
} from '../contract';
import { isRecord } from './json-path';

/**
 * The Slack interaction endpoint's boundary (README "Approve from Slack"): the signature check every request
 * must pass before anything else is read, and the parse of a verified `block_actions` payload. Pure.
 */

/** What the endpoint needs of one HTTP request: its headers (any case), the raw body as received. */
export interface SlackHttpRequest {
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as Slack sent it (base64-decoded when the Function URL encoded it). */
  readonly body: string;
}

export type SlackVerification =
  | {
      readonly ok: true;
      /** The replay-guard key of the request: a hash of its signature and timestamp. */
      readonly signatureKey: string;
      readonly timestamp: number;
    }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks that `request` comes from Slack: `X-Slack-Signature` is `v0=` + hex HMAC-SHA256 of
 * `v0:<X-Slack-Request-Timestamp>:<raw body>` under `signingSecret`, compared in constant time, and the
 * timestamp is within SLACK_REQUEST_MAX_AGE_SECONDS of `nowSeconds`. The problem never quotes the body.
 */
export function verifySlackRequest(
  request: SlackHttpRequest,
  signingSecret: string,
  nowSeconds: number,
): SlackVerification {
  const header = (name: string) => {
    for (const [key, value] of Object.entries(request.headers)) if (key.toLowerCase() === name) return value;
    return undefined;
  };
  const signature = header('x-slack-signature');
  const stamp = header('x-slack-request-timestamp');
  if (signature === undefined || signature === '')
    return { ok: false, problem: 'no X-Slack-Signature header' };
  if (stamp === undefined || stamp === '')
    return { ok: false, problem: 'no X-Slack-Request-Timestamp header' };
  if (!/^\d{1,12}$/.test(stamp))
    return { ok: false, problem: 'X-Slack-Request-Timestamp is not a time in epoch seconds' };
  const timestamp = Number(stamp);
  if (Math.abs(nowSeconds - timestamp) > SLACK_REQUEST_MAX_AGE_SECONDS)
    return {
      ok: false,
      problem: `X-Slack-Request-Timestamp is ${Math.round(nowSeconds - timestamp)} s away from now (at most ${SLACK_REQUEST_MAX_AGE_SECONDS} s): stale or replayed`,
    };
  if (Buffer.byteLength(request.body, 'utf8') > SLACK_REQUEST_BODY_MAX)
    return { ok: false, problem: `the body is over ${SLACK_REQUEST_BODY_MAX} bytes` };
  if (signingSecret.length === 0) return { ok: false, problem: 'no signing secret to check against' };
  const expected = `v0=${createHmac('sha256', signingSecret).update(`v0:${stamp}:${request.body}`).digest('hex')}`;
  const given = Buffer.from(signature, 'utf8');
  const wanted = Buffer.from(expected, 'utf8');
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { ok: false, problem: 'X-Slack-Signature does not match the body under the signing secret' };
  return {
    ok: true,
    signatureKey: createHash('sha256').update(`${signature}|${stamp}`).digest('hex'),
    timestamp,
  };
}

export type SlackActionParse =
  { readonly ok: true; readonly action: SlackAction } | { readonly ok: false; readonly problem: string };

const ID = /^[A-Z0-9]{2,30}$/;
const DECISION = /^[A-Za-z0-9:._-]{1,200}$/;

/**
 * Reads the one button press of a verified `block_actions` request (form-encoded `payload=<json>`). Anything
 * else (another interaction type, a button that is not ours, a value we did not write) is a problem.
 */
export function parseSlackAction(body: string): SlackActionParse {
  const raw = new URLSearchParams(body).get('payload');
  if (raw === null) return { ok: false, problem: 'the body has no payload field' };
  let payload: unknown;
  try {
    payload = JSON.parse(raw);
  } catch {
    return { ok: false, problem: 'the payload is not JSON' };
  }
  if (!isRecord(payload)) return { ok: false, problem: 'the payload is not an object' };
  if (payload.type !== 'block_actions')
    return { ok: false, problem: `the interaction is ${JSON.stringify(payload.type)}, not block_actions` };
  const user = isRecord(payload.user) ? payload.user : undefined;
  const team = isRecord(payload.team) ? payload.team : undefined;
  const userId = typeof user?.id === 'string' ? user.id : undefined;
  const teamId =
    typeof team?.id === 'string' ? team.id : typeof user?.team_id === 'string' ? user.team_id : undefined;
  if (userId === undefined || !ID.test(userId))
    return { ok: false, problem: 'the payload names no Slack user' };
  if (teamId === undefined || !ID.test(teamId))
    return { ok: false, problem: 'the payload names no Slack team' };
  const responseUrl = payload.response_url;
  if (typeof responseUrl !== 'string' || !responseUrl.startsWith(SLACK_RESPONSE_URL_PREFIX))
    return { ok: false, problem: `the payload's response_url is not under ${SLACK_RESPONSE_URL_PREFIX}` };
  const actions = Array.isArray(payload.actions) ? payload.actions : [];
  if (actions.length !== 1 || !isRecord(actions[0]))
    return { ok: false, problem: `the payload carries ${actions.length} actions, not one` };
  const action = actions[0];
  const kind = (Object.keys(SLACK_ACTION) as SlackActionKind[]).find(
    (k) => SLACK_ACTION[k] === action.action_id,
  );
  if (kind === undefined)
    return {
      ok: false,
      problem: `action_id ${JSON.stringify(action.action_id)} is not a Rollback Watchdog button`,
    };
  let value: unknown;
  try {
    value = typeof action.value === 'string' ? JSON.parse(action.value) : undefined;
  } catch {
    value = undefined;
  }
  if (
    !isRecord(value) ||
    typeof value.target !== 'string' ||
    !TARGET_ID_PATTERN.test(value.target) ||
    typeof value.decision !== 'string' ||
    !DECISION.test(value.decision) ||
    (value.region !== undefined &&
      (typeof value.region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value.region)))
  )
    return { ok: false, problem: "the button's value is not one the watchdog wrote" };
  const message =
    isRecord(payload.message) && Array.isArray(payload.message.blocks) ? payload.message : undefined;
  return {
    ok: true,
    action: {
      kind,
      target: value.target,
      decision: value.decision,
      ...(typeof value.region === 'string' ? { region: value.region } : {}),
      userId,
      teamId,
      ...(typeof payload.trigger_id === 'string' && payload.trigger_id.length <= 200
        ? { triggerId: payload.trigger_id }
        : {}),
      responseUrl,
      ...(message
        ? {
            message: {
              blocks: message.blocks as unknown[],
              ...(typeof message.text === 'string' ? { text: message.text } : {}),
            },
          }
        : {}),
    },
  };
}
