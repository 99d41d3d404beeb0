import { createHash } from 'node:crypto';
import { METRIC, SLACK_REQUEST_MAX_AGE_SECONDS, type RejectionReason } from '../contract';
import { isRecord } from '../boundary/json-path';
import { parseSlackAction, verifySlackRequest, type SlackHttpRequest } from '../boundary/slack-request';
import type { OnceGuard, Telemetry } from '../use-cases/ports';
import { handleSlackAction, type SlackResponder } from '../use-cases/slack-action';
import type { AuditingRuntime, InvocationContext } from './runtime';

/**
 * The Slack interaction endpoint (README "Approve from Slack"): a Function URL with AuthType NONE, so that
 * Slack can reach it, where nothing is trusted before the Slack signature is checked. A request is acknowledged
 * within Slack's 3 seconds only after its signature, age and novelty are proven; the press is then carried out
 * by an asynchronous invocation of this same function, which checks the signature again (an invocation that
 * did not come from a signed Slack request can do nothing) and acts once per request.
 */

/** What the function's asynchronous self-invocation carries: the signed request as Slack sent it. */
export interface SlackWork {
  readonly kind: typeof SLACK_WORK_KIND;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const SLACK_WORK_KIND = 'rollback-watchdog.slack-work';

/** How long a request's id is remembered: beyond its 5-minute validity, so no replay can outlive it. */
const SEEN_FOR_MS = 2 * SLACK_REQUEST_MAX_AGE_SECONDS * 1000;

/**
 * The endpoint is open to the internet: a flood of refused requests must not become a flood of audit items. The
 * first refusal of each reason in a minute is audited; the others are counted (RejectedEvents) and logged.
 */
const AUDITED_REFUSALS_EVERY_MS = 60_000;

export interface SlackInteractionDeps {
  readonly runtime: Pick<AuditingRuntime, 'onOperator' | 'audit'>;
  readonly signingSecret: { read(): Promise<string> };
  readonly once: OnceGuard;
  readonly responder: SlackResponder;
  /** Starts the asynchronous invocation that carries the press out (Lambda `Invoke`, `Event`). */
  readonly invokeSelf: (work: SlackWork) => Promise<void>;
  /** Slack member ids that may press. */
  readonly approvers: ReadonlySet<string>;
  readonly region?: string;
  readonly telemetry: Telemetry;
  readonly now: () => number;
}

/** The Function URL's answer (payload format 2.0). */
export interface SlackHttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const respond = (statusCode: number, body = ''): SlackHttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  body,
});

function isWork(event: unknown): event is SlackWork {
  return (
    isRecord(event) &&
    event.kind === SLACK_WORK_KIND &&
    typeof event.body === 'string' &&
    isRecord(event.headers)
  );
}

/** The headers the signature check reads, as strings; nothing else of the request is kept. */
function signedHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(headers)) return out;
  for (const [key, value] of Object.entries(headers)) {
    const name = key.toLowerCase();
    if ((name === 'x-slack-signature' || name === 'x-slack-request-timestamp') && typeof value === 'string')
      out[name] = value;
  }
  return out;
}

/** Who sent a request, for the audit of a refused one: never its body. */
function origin(event: unknown): string {
  const ctx = isRecord(event) && isRecord(event.requestContext) ? event.requestContext : undefined;
  const http = ctx && isRecord(ctx.http) ? ctx.http : undefined;
  const ip = typeof http?.sourceIp === 'string' ? http.sourceIp : 'unknown address';
  const agent = typeof http?.userAgent === 'string' ? http.userAgent.slice(0, 120) : 'no user agent';
  return `Slack interaction request from ${ip} (${agent}); body not kept`;
}

export function createSlackInteractionHandler(
  deps: SlackInteractionDeps,
): (event: unknown, context: InvocationContext) => Promise<SlackHttpResponse | undefined> {
  const reject = async (
    reason: RejectionReason,
    problem: string,
    event: unknown,
    context: InvocationContext,
  ): Promise<SlackHttpResponse> => {
    deps.telemetry.log('warn', 'slack request refused', { reason, problem });
    deps.telemetry.count(METRIC.rejectedEvents, 1, { reason });
    const minute = Math.floor(deps.now() / AUDITED_REFUSALS_EVERY_MS);
    const audited = await deps.once
      .claimOnce(`slack-refused#${reason}#${minute}`, deps.now() + 2 * AUDITED_REFUSALS_EVERY_MS)
      .catch(() => true);
    if (audited) {
      await deps.runtime.audit({
        type: 'rejected',
        at: deps.now(),
        reason,
        problems: [
          problem,
          `further ${reason} requests this minute are counted in the ${METRIC.rejectedEvents} metric, not audited`,
        ],
        requestId: context.awsRequestId,
        source: 'slack',
        excerpt: origin(event),
      });
    }
    return respond(
      reason === 'unauthenticated' ? 401 : 400,
      reason === 'unauthenticated' ? 'unauthorized' : 'bad request',
    );
  };

  const verify = async (request: SlackHttpRequest) =>
    verifySlackRequest(request, await deps.signingSecret.read(), Math.floor(deps.now() / 1000));

  async function acknowledge(event: unknown, context: InvocationContext): Promise<SlackHttpResponse> {
    const e = isRecord(event) ? event : {};
    const http = isRecord(e.requestContext) && isRecord(e.requestContext.http) ? e.requestContext.http : {};
    if (http.method !== 'POST') return respond(405, 'POST only');
    const raw = typeof e.body === 'string' ? e.body : '';
    const body = e.isBase64Encoded === true ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const headers = signedHeaders(e.headers);
    let verified;
    try {
      verified = await verify({ headers, body });
    } catch (error) {
      // The secret could not be read: not the caller's fault, and nothing was checked. Slack shows an error.
      deps.telemetry.log('error', 'slack signing secret unreadable', {
        error: error instanceof Error ? error.message : String(error),
      });
      return respond(503, 'unavailable');
    }
    if (!verified.ok) return reject('unauthenticated', verified.problem, event, context);
    const parsed = parseSlackAction(body);
    if (!parsed.ok) return reject('malformed', parsed.problem, event, context);
    const id = parsed.action.triggerId ?? verified.signatureKey;
    const first = await deps.once.claimOnce(`slack-request#${hash(id)}`, deps.now() + SEEN_FOR_MS);
    if (!first)
      return reject(
        'unauthenticated',
        'the request was seen before (a replay of a signed request)',
        event,
        context,
      );
    deps.telemetry.log('info', 'slack press accepted', {
      action: parsed.action.kind,
      target: parsed.action.target,
      user: parsed.action.userId,
    });
    await deps.invokeSelf({ kind: SLACK_WORK_KIND, body, headers });
    return respond(200);
  }

  async function work(event: SlackWork, context: InvocationContext): Promise<void> {
    const verified = await verify({ headers: event.headers, body: event.body });
    if (!verified.ok) {
      // Only this function's own acknowledgement starts work, and it verified first: something else did.
      deps.telemetry.log('error', 'slack work without a valid signature ignored', {
        problem: verified.problem,
      });
      return;
    }
    const parsed = parseSlackAction(event.body);
    if (!parsed.ok) return;
    const id = parsed.action.triggerId ?? verified.signatureKey;
    // Lambda delivers an asynchronous event at least once: the press is carried out once.
    if (!(await deps.once.claimOnce(`slack-action#${hash(id)}`, deps.now() + SEEN_FOR_MS))) return;
    await handleSlackAction(
      {
        operate: (request, principal) => deps.runtime.onOperator(request, principal, context),
        responder: deps.responder,
        audit: (entry) => deps.runtime.audit(entry),
        telemetry: deps.telemetry,
        approvers: deps.approvers,
        ...(deps.region !== undefined ? { region: deps.region } : {}),
        now: deps.now,
      },
      parsed.action,
      context.awsRequestId,
    );
  }

  return async (event, context) => {
    try {
      if (isWork(event)) {
        await work(event, context);
        return undefined;
      }
      return await acknowledge(event, context);
    } finally {
      deps.telemetry.flush();
    }
  };
}

function hash(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 40);
}
