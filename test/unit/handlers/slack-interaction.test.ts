import { SLACK_ACTION, type OperatorRequest, type OperatorResponse } from '../../../lambda/contract';
import { DynamoDbOnceGuard } from '../../../lambda/adapters/dynamodb-once-guard';
import {
  createSlackInteractionHandler,
  type SlackInteractionDeps,
  type SlackWork,
} from '../../../lambda/handlers/slack-interaction';
import type { AuditEntry } from '../../../lambda/use-cases/ports';
import { startDynalite, type TestDynalite } from '../../support/dynalite';
import { NOW, pressBody, SECRET, signed } from '../../support/slack-requests';

/**
 * The Slack interaction endpoint end to end but for AWS: the Function URL event → signature, age and replay
 * checks (the replay guard on a real DynamoDB, dynalite) → the asynchronous work → the operator use cases,
 * faked at the runtime's `onOperator`, and Slack's response_url, recorded.
 */
let db: TestDynalite;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.stop();
});

const context = { awsRequestId: 'req-slack' };

async function setup(
  options: { approvers?: string[]; answer?: (r: OperatorRequest) => OperatorResponse } = {},
) {
  // A table per test: the replay guard and the refusal audit's once-a-minute marks start empty.
  const tableName = await db.createTable();
  const counts: string[] = [];
  const audit: AuditEntry[] = [];
  const operated: { request: OperatorRequest; principal: string }[] = [];
  const answers: { url: string; body: Record<string, unknown> }[] = [];
  const work: SlackWork[] = [];
  const deps: SlackInteractionDeps = {
    runtime: {
      onOperator: async (request, principal) => {
        operated.push({ request: request as OperatorRequest, principal });
        return (
          options.answer?.(request as OperatorRequest) ?? {
            ok: true,
            result: {
              target: 'payments',
              done: true,
              message: 'Rolling payments back from payments@r8 to payments@r7.',
            },
          }
        );
      },
      audit: async (entry) => {
        audit.push(entry);
        return true;
      },
    },
    signingSecret: { read: async () => SECRET },
    once: new DynamoDbOnceGuard({ client: db.client, tableName }),
    responder: { respond: async (url, body) => void answers.push({ url, body: { ...body } }) },
    invokeSelf: async (w) => void work.push(w),
    approvers: new Set(options.approvers ?? ['U0APPROVER']),
    region: 'us-east-1',
    telemetry: {
      log: () => undefined,
      count: (metric, _value, dims) => void counts.push(`${metric}:${dims?.['reason'] ?? ''}`),
      flush: () => undefined,
    },
    now: () => NOW * 1000,
  };
  const handler = createSlackInteractionHandler(deps);
  const post = (request: { headers: Record<string, string>; body: string }, base64 = false) =>
    handler(
      {
        requestContext: { http: { method: 'POST', sourceIp: '203.0.113.9', userAgent: 'Slackbot 1.0' } },
        headers: request.headers,
        body: base64 ? Buffer.from(request.body).toString('base64') : request.body,
        isBase64Encoded: base64,
      },
      context,
    );
  /** Runs the asynchronous work the acknowledgement started, as Lambda would. */
  const drain = async () => {
    for (const w of work.splice(0)) await handler(w, context);
  };
  return { audit, operated, answers, work, post, drain, handler, counts };
}

let trigger = 0;
/** A fresh press each time: Slack gives every interaction its own trigger_id. */
const press = (action: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) =>
  pressBody({ trigger_id: `trigger-${(trigger += 1)}`, ...overrides }, action);

describe('RELIABILITY #29: the Slack interaction endpoint', () => {
  it('acknowledges a signed press at once, then approves as slack:<team>/<user> and updates the message', async () => {
    const s = await setup();
    const response = await s.post(signed(press()), true);
    expect(response).toMatchObject({ statusCode: 200 });
    expect(s.operated).toEqual([]); // acknowledged first: the work runs in its own invocation
    expect(s.work).toHaveLength(1);
    await s.drain();
    expect(s.operated).toEqual([
      {
        request: { command: 'approve', target: 'payments', decision: 'dec-1' },
        principal: 'slack:T0TEAM/U0APPROVER',
      },
    ]);
    expect(s.answers).toHaveLength(1);
    expect(s.answers[0]?.url).toBe('https://hooks.slack.com/actions/T0TEAM/1/abc');
    expect(s.answers[0]?.body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(s.answers[0]?.body)).toContain('<@U0APPROVER> approved at');
    expect(s.audit).toEqual([]);
  });

  it('holds: pauses the target, naming the decision whose message carried the button', async () => {
    const s = await setup();
    await s.post(signed(press({ action_id: SLACK_ACTION.hold })));
    await s.drain();
    expect(s.operated).toEqual([
      {
        request: {
          command: 'pause',
          target: 'payments',
          reason: 'Hold pressed in Slack on the message of decision dec-1',
        },
        principal: 'slack:T0TEAM/U0APPROVER',
      },
    ]);
  });

  it.each([
    ['a wrong secret', () => signed(press(), NOW, 'someone-elses-secret')],
    ['a stale timestamp', () => signed(press(), NOW - 301)],
    [
      'a tampered body',
      () => ({ ...signed(press()), body: press({}, { value: '{"target":"payments","decision":"dec-9"}' }) }),
    ],
    ['no signature header', () => ({ headers: { 'X-Slack-Request-Timestamp': String(NOW) }, body: press() })],
    [
      'no timestamp header',
      () => ({
        headers: { 'X-Slack-Signature': signed(press()).headers['X-Slack-Signature'] },
        body: press(),
      }),
    ],
  ])(
    'answers %s with 401, changes nothing and audits the attempt without its body',
    async (_what, request) => {
      const s = await setup();
      const response = await s.post(request());
      expect(response).toMatchObject({ statusCode: 401 });
      expect(s.work).toEqual([]);
      expect(s.operated).toEqual([]);
      expect(s.audit).toHaveLength(1);
      expect(s.audit[0]).toMatchObject({
        type: 'rejected',
        reason: 'unauthenticated',
        source: 'slack',
        excerpt: 'Slack interaction request from 203.0.113.9 (Slackbot 1.0); body not kept',
      });
      expect(JSON.stringify(s.audit)).not.toMatch(/payload|dec-1|hooks\.slack\.com/);
    },
  );

  it('answers a replay of a signed request with 401, and acts once', async () => {
    const s = await setup();
    const request = signed(press());
    expect(await s.post(request)).toMatchObject({ statusCode: 200 });
    expect(await s.post(request)).toMatchObject({ statusCode: 401 });
    expect(s.audit[0]).toMatchObject({
      reason: 'unauthenticated',
      problems: [expect.stringContaining('seen before'), expect.stringContaining('not audited')],
    });
    await s.drain();
    expect(s.operated).toHaveLength(1);
  });

  it('acts once when Lambda delivers the asynchronous work twice', async () => {
    const s = await setup();
    await s.post(signed(press()));
    const [work] = s.work;
    await s.handler(work, context);
    await s.handler(work, context);
    expect(s.operated).toHaveLength(1);
  });

  it('does nothing for work that does not carry a valid Slack signature', async () => {
    const s = await setup();
    const forged: SlackWork = {
      kind: 'rollback-watchdog.slack-work',
      body: press(),
      headers: signed(press(), NOW, 'forged').headers,
    };
    await s.handler(forged, context);
    expect(s.operated).toEqual([]);
    expect(s.answers).toEqual([]);
  });

  it('tells someone who is not an approver, alone, that they may not, and audits their Slack ids', async () => {
    const s = await setup({ approvers: ['U0SOMEONE'] });
    await s.post(signed(press()));
    await s.drain();
    expect(s.operated).toEqual([]);
    expect(s.answers).toEqual([
      {
        url: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
        body: expect.objectContaining({
          response_type: 'ephemeral',
          replace_original: false,
          text: expect.stringContaining('You are not allowed'),
        }),
      },
    ]);
    expect(s.audit).toEqual([
      expect.objectContaining({
        type: 'rejected',
        reason: 'not-authorized',
        problems: ['Slack user U0APPROVER of team T0TEAM is not a listed approver'],
        excerpt: 'Slack Approve rollback on payments (decision dec-1) by slack:T0TEAM/U0APPROVER',
      }),
    ]);
  });

  it('tells the presser why an approval was refused and leaves the message as it is', async () => {
    const s = await setup({
      answer: () => ({
        ok: false,
        error: { code: 'refused', message: 'the approval request dec-1 of payments is no longer pending' },
      }),
    });
    await s.post(signed(press()));
    await s.drain();
    expect(s.answers).toEqual([
      expect.objectContaining({
        body: expect.objectContaining({
          response_type: 'ephemeral',
          text: expect.stringContaining('no longer pending'),
        }),
      }),
    ]);
  });

  it("refuses a button another region's watchdog posted", async () => {
    const s = await setup();
    await s.post(
      signed(
        press({ value: JSON.stringify({ target: 'payments', decision: 'dec-1', region: 'eu-west-1' }) }),
      ),
    );
    await s.drain();
    expect(s.operated).toEqual([]);
    expect(s.audit[0]).toMatchObject({ reason: 'not-authorized' });
  });

  it('answers a GET with 405 and a signed request that is not a button press with 400, audited', async () => {
    const s = await setup();
    expect(await s.handler({ requestContext: { http: { method: 'GET' } } }, context)).toMatchObject({
      statusCode: 405,
    });
    expect(await s.post(signed(pressBody({ type: 'shortcut', trigger_id: 'x-1' })))).toMatchObject({
      statusCode: 400,
    });
    expect(s.audit[0]).toMatchObject({ reason: 'malformed' });
  });
});

describe('RELIABILITY #29: the Slack interaction endpoint when the operator use case fails', () => {
  it('tells the presser, with the request id, and fails the invocation so that it reaches the DLQ', async () => {
    const s = await setup({
      answer: () => {
        throw new Error('DynamoDB unavailable');
      },
    });
    await s.post(signed(press()));
    const [work] = s.work;
    await expect(s.handler(work, context)).rejects.toThrow('DynamoDB unavailable');
    expect(s.answers).toEqual([
      expect.objectContaining({
        body: expect.objectContaining({
          response_type: 'ephemeral',
          text: expect.stringContaining('failed before the watchdog could answer (request req-slack)'),
        }),
      }),
    ]);
  });
});

describe('RELIABILITY #29: a flood of refused requests', () => {
  it('is answered 401 every time, audited once a minute per reason, and counted every time', async () => {
    const s = await setup();
    for (let i = 0; i < 5; i += 1) {
      expect(await s.post(signed(press(), NOW, 'attacker'))).toMatchObject({ statusCode: 401 });
    }
    expect(s.audit).toHaveLength(1);
    expect(s.audit[0]).toMatchObject({
      reason: 'unauthenticated',
      problems: [
        'X-Slack-Signature does not match the body under the signing secret',
        'further unauthenticated requests this minute are counted in the RejectedEvents metric, not audited',
      ],
    });
    expect(s.counts).toEqual(Array(5).fill('RejectedEvents:unauthenticated'));
  });
});
