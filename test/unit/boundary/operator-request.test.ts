import { OPERATOR_COMMANDS } from '../../../lambda/contract';
import {
  MAX_HISTORY_LIMIT,
  MAX_REASON_LENGTH,
  parseOperatorRequest,
} from '../../../lambda/boundary/operator-request';

describe('parseOperatorRequest', () => {
  it.each([
    { command: 'status' },
    { command: 'status', target: 'checkout' },
    { command: 'history' },
    { command: 'history', target: 'checkout', sinceMs: 1_772_359_200_000, limit: 50 },
    { command: 'pause', reason: 'game day' },
    { command: 'pause', target: 'checkout', reason: 'db migration' },
    { command: 'resume' },
    { command: 'resume', target: 'checkout' },
    { command: 'approve', target: 'payments' },
    { command: 'rollback', target: 'checkout', reason: 'leaks connections' },
    { command: 'rollback', target: 'checkout', to: 'checkout:40', reason: 'x', force: true },
    { command: 'drill', target: 'checkout' },
    { command: 'drill', target: 'checkout', live: true, alarm: 'checkout-p99' },
  ])('accepts %j as it is', (input) => {
    expect(parseOperatorRequest(input)).toEqual({ ok: true, request: input });
  });

  it('accepts every command of the protocol', () => {
    const minimal: Record<string, object> = {
      pause: { reason: 'r' },
      approve: { target: 't' },
      rollback: { target: 't', reason: 'r' },
      drill: { target: 't' },
      report: { target: 't' },
    };
    for (const command of OPERATOR_COMMANDS)
      expect(parseOperatorRequest({ command, ...minimal[command] }).ok).toBe(true);
  });

  it('rejects what is not an object with a known command', () => {
    expect(parseOperatorRequest('pause')).toEqual({
      ok: false,
      problems: [
        '$: must be a JSON object with a "command" (one of "status", "history", "pause", "resume", "approve", "rollback", "drill", "report") (got "pause")',
      ],
    });
    expect(parseOperatorRequest([{ command: 'status' }]).ok).toBe(false);
    expect(parseOperatorRequest(null).ok).toBe(false);
    expect(parseOperatorRequest({ command: 'deploy', target: 'checkout' })).toEqual({
      ok: false,
      problems: [
        '$.command: must be one of "status", "history", "pause", "resume", "approve", "rollback", "drill", "report" (got "deploy")',
      ],
    });
    expect(parseOperatorRequest({})).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^\$\.command: must be one of .* \(missing\)$/)],
    });
  });

  it('rejects a self-reported principal: unknown keys are errors, listed with the valid ones', () => {
    expect(
      parseOperatorRequest({
        command: 'pause',
        target: 'checkout',
        reason: 'r',
        by: 'alice',
        principal: 'root',
      }),
    ).toEqual({
      ok: false,
      problems: [
        '$.by: unknown key; valid keys for "pause" are "command", "target", "reason", "forMinutes"',
        '$.principal: unknown key; valid keys for "pause" are "command", "target", "reason", "forMinutes"',
      ],
    });
  });

  it('requires a reason for pause and rollback, non-blank and at most 500 characters', () => {
    const why = `must be a non-empty reason of at most ${MAX_REASON_LENGTH} characters (it goes into the audit and the notification)`;
    expect(parseOperatorRequest({ command: 'pause', target: 'checkout' })).toEqual({
      ok: false,
      problems: [`$.reason: ${why} (missing)`],
    });
    expect(parseOperatorRequest({ command: 'rollback', target: 'checkout', reason: '   ' })).toEqual({
      ok: false,
      problems: [`$.reason: ${why} (got "   ")`],
    });
    expect(parseOperatorRequest({ command: 'pause', reason: '' })).toEqual({
      ok: false,
      problems: [`$.reason: ${why} (got "")`],
    });
    expect(parseOperatorRequest({ command: 'pause', reason: 42 })).toEqual({
      ok: false,
      problems: [`$.reason: ${why} (got 42)`],
    });
    expect(parseOperatorRequest({ command: 'pause', reason: 'x'.repeat(MAX_REASON_LENGTH) }).ok).toBe(true);
    const long = parseOperatorRequest({ command: 'pause', reason: 'x'.repeat(MAX_REASON_LENGTH + 1) });
    expect(long).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^\$\.reason: must be a non-empty reason/)],
    });
  });

  it('reports every problem of a request at once, by JSON path', () => {
    expect(
      parseOperatorRequest({
        command: 'rollback',
        target: 'Checkout',
        to: '',
        force: 'yes',
        extra: 1,
      }),
    ).toEqual({
      ok: false,
      problems: [
        '$.target: must be a target id: lowercase letters, digits and "-" only ([a-z0-9-]+) (got "Checkout")',
        expect.stringMatching(/^\$\.to: must be a non-empty version .* \(got ""\)$/),
        expect.stringMatching(/^\$\.reason: must be a non-empty reason .* \(missing\)$/),
        '$.force: must be true or false (allow a version outside the known-good ledger) (got "yes")',
        '$.extra: unknown key; valid keys for "rollback" are "command", "target", "to", "reason", "force"',
      ],
    });
  });

  it('requires a target where the command acts on one', () => {
    for (const command of ['approve', 'rollback', 'drill']) {
      const result = parseOperatorRequest({ command, reason: 'r' });
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.problems).toContain(
          `$.target: must be a target id: lowercase letters, digits and "-" only ([a-z0-9-]+) (missing)`,
        );
    }
  });

  it('checks history bounds and drill fields', () => {
    expect(parseOperatorRequest({ command: 'history', sinceMs: -1, limit: 0 })).toEqual({
      ok: false,
      problems: [
        '$.sinceMs: must be a time in epoch milliseconds (a whole number from 0 to 8640000000000000, the latest a date can be) (got -1)',
        `$.limit: must be a whole number from 1 to ${MAX_HISTORY_LIMIT} (got 0)`,
      ],
    });
    expect(parseOperatorRequest({ command: 'history', sinceMs: 1.5, limit: MAX_HISTORY_LIMIT + 1 }).ok).toBe(
      false,
    );
    expect(parseOperatorRequest({ command: 'history', limit: '10' }).ok).toBe(false);
    expect(parseOperatorRequest({ command: 'drill', target: 'checkout', live: 1, alarm: '' })).toEqual({
      ok: false,
      problems: [
        '$.live: must be true or false (act for real instead of a dry run) (got 1)',
        '$.alarm: must be a CloudWatch alarm name of 1 to 255 characters (got "")',
      ],
    });
  });
});
