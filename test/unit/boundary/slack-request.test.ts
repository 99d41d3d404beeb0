import { SLACK_ACTION } from '../../../lambda/contract';
import { parseSlackAction, verifySlackRequest } from '../../../lambda/boundary/slack-request';
import { NOW, pressBody, SECRET, signed } from '../../support/slack-requests';

describe('verifySlackRequest', () => {
  const body = pressBody();

  it('accepts a request signed with the signing secret, whatever the header case', () => {
    const ok = verifySlackRequest(signed(body), SECRET, NOW + 10);
    expect(ok).toMatchObject({ ok: true, timestamp: NOW });
    const lower = signed(body);
    expect(
      verifySlackRequest(
        {
          body,
          headers: {
            'x-slack-signature': lower.headers['X-Slack-Signature'],
            'x-slack-request-timestamp': lower.headers['X-Slack-Request-Timestamp'],
          },
        },
        SECRET,
        NOW,
      ).ok,
    ).toBe(true);
  });

  it('refuses a signature made with another secret', () => {
    expect(verifySlackRequest(signed(body, NOW, 'not-the-secret'), SECRET, NOW)).toEqual({
      ok: false,
      problem: 'X-Slack-Signature does not match the body under the signing secret',
    });
  });

  it('refuses a tampered body, one changed byte', () => {
    const request = signed(body);
    const tampered = { ...request, body: body.replace('dec-1', 'dec-2') };
    expect(verifySlackRequest(tampered, SECRET, NOW).ok).toBe(false);
  });

  it('refuses a timestamp more than 5 minutes old or ahead, even with a valid signature', () => {
    expect(verifySlackRequest(signed(body, NOW - 301), SECRET, NOW)).toMatchObject({
      ok: false,
      problem: expect.stringContaining('stale or replayed'),
    });
    expect(verifySlackRequest(signed(body, NOW + 301), SECRET, NOW).ok).toBe(false);
    expect(verifySlackRequest(signed(body, NOW - 300), SECRET, NOW).ok).toBe(true);
  });

  it('refuses a request without either header, or with a timestamp that is not a number', () => {
    const { headers } = signed(body);
    expect(
      verifySlackRequest(
        { body, headers: { 'X-Slack-Request-Timestamp': headers['X-Slack-Request-Timestamp'] } },
        SECRET,
        NOW,
      ),
    ).toEqual({
      ok: false,
      problem: 'no X-Slack-Signature header',
    });
    expect(
      verifySlackRequest(
        { body, headers: { 'X-Slack-Signature': headers['X-Slack-Signature'] } },
        SECRET,
        NOW,
      ),
    ).toEqual({
      ok: false,
      problem: 'no X-Slack-Request-Timestamp header',
    });
    expect(
      verifySlackRequest({ body, headers: { ...headers, 'X-Slack-Request-Timestamp': '17e8' } }, SECRET, NOW)
        .ok,
    ).toBe(false);
    expect(verifySlackRequest({ body, headers: {} }, SECRET, NOW).ok).toBe(false);
  });

  it('never quotes the body in a problem', () => {
    const result = verifySlackRequest(signed(body, NOW, 'wrong'), SECRET, NOW);
    expect(JSON.stringify(result)).not.toContain('dec-1');
  });

  it('gives the same replay key for the same signed request and another for another', () => {
    const a = verifySlackRequest(signed(body), SECRET, NOW);
    const b = verifySlackRequest(signed(body), SECRET, NOW);
    const c = verifySlackRequest(signed(body, NOW + 1), SECRET, NOW);
    expect(
      a.ok && b.ok && c.ok && a.signatureKey === b.signatureKey && a.signatureKey !== c.signatureKey,
    ).toBe(true);
  });
});

describe('parseSlackAction', () => {
  it('reads one press of a watchdog button', () => {
    expect(parseSlackAction(pressBody())).toEqual({
      ok: true,
      action: {
        kind: 'approve',
        target: 'payments',
        decision: 'dec-1',
        region: 'us-east-1',
        userId: 'U0APPROVER',
        teamId: 'T0TEAM',
        triggerId: '1234.5678.abcdef',
        responseUrl: 'https://hooks.slack.com/actions/T0TEAM/1/abc',
        message: {
          text: 'Approval needed',
          blocks: [{ type: 'header', text: { type: 'plain_text', text: 'x' } }],
        },
      },
    });
    expect(parseSlackAction(pressBody({}, { action_id: SLACK_ACTION.hold }))).toMatchObject({
      ok: true,
      action: { kind: 'hold' },
    });
  });

  it.each([
    ['another interaction type', pressBody({ type: 'view_submission' })],
    ['a button that is not ours', pressBody({}, { action_id: 'someone-else' })],
    ['a value we did not write', pressBody({}, { value: '{"target":"Payments!","decision":"x"}' })],
    ['a response_url elsewhere', pressBody({ response_url: 'https://attacker.example/hook' })],
    ['no user', pressBody({ user: {} })],
    ['two actions', pressBody({ actions: [{}, {}] })],
    ['no payload', 'token=x'],
    ['a payload that is not JSON', 'payload=%7Bnot'],
  ])('refuses %s', (_what, body) => {
    expect(parseSlackAction(body).ok).toBe(false);
  });
});
