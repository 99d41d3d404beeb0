import type { HistoryItem } from '../../../lambda/contract';
import {
  asCommandResult,
  asHistoryItems,
  asStatusResult,
  describeDrillDecision,
  renderCommandResult,
  shortPrincipal,
} from '../../../lambda/cli/operator-output';

const item = (extra: Partial<HistoryItem>): HistoryItem => ({
  at: '2026-03-01T12:00:05Z',
  target: 'payments',
  kind: 'decision',
  detail: 'x',
  ...extra,
});

describe('describeDrillDecision', () => {
  it.each([
    [{ outcome: 'dry-run', from: 'v7', to: 'v6' }, false, 'would roll back payments from v7 to v6'],
    [{ outcome: 'rollback', from: 'v7', to: 'v6' }, false, 'would roll back payments from v7 to v6'],
    [{ outcome: 'rollback', from: 'v7', to: 'v6' }, true, 'rolled back payments from v7 to v6'],
    [{ outcome: 'dry-run', from: 'v7', to: 'v6' }, true, 'would roll back payments from v7 to v6'],
    [
      { outcome: 'approval-requested', from: 'v7', to: 'v6' },
      false,
      'would ask for approval to roll back payments from v7 to v6',
    ],
    [
      { outcome: 'approval-requested', to: 'v6' },
      true,
      'asked for approval to roll back payments from ? to v6',
    ],
    [{ outcome: 'skip', reason: 'no-known-good' }, false, 'would skip: no-known-good'],
    [{ outcome: 'skip', reason: 'paused' }, true, 'skipped: paused'],
    [{ outcome: 'skip' }, true, 'skipped: no reason given'],
    [{ outcome: 'something-new', reason: 'why' }, false, 'something-new (why)'],
    [{ kind: 'rejected' as const }, false, 'rejected'],
  ])('%j (live %s): %s', (extra, live, text) => {
    expect(describeDrillDecision(item(extra), live)).toBe(text);
  });
});

describe('result checks', () => {
  it('accept the protocol shapes and reject others as a bad response', () => {
    expect(asStatusResult({ targets: [] })).toEqual({ targets: [] });
    expect(asHistoryItems([])).toEqual([]);
    expect(asHistoryItems([item({})])).toHaveLength(1);
    expect(asCommandResult({ done: false, message: 'nothing to do' }).message).toBe('nothing to do');
    for (const check of [
      () => asStatusResult({ targets: [{ name: 'x' }] }),
      () => asStatusResult(null),
      () => asHistoryItems([{ at: 1 }]),
      () => asHistoryItems({ items: [] }),
      () => asHistoryItems('none'),
      () => asCommandResult({ message: 'no done flag' }),
    ])
      expect(check).toThrow(
        expect.objectContaining({ name: 'OperatorTransportError', kind: 'bad-response' }),
      );
  });
});

describe('rendering helpers', () => {
  it('shortens STS and IAM principals for tables and keeps anything else', () => {
    expect(shortPrincipal('arn:aws:sts::123456789012:assumed-role/OnCall/alice')).toBe(
      'assumed-role/OnCall/alice',
    );
    expect(shortPrincipal('arn:aws:iam::123456789012:user/bob')).toBe('user/bob');
    expect(shortPrincipal('AIDAEXAMPLE')).toBe('AIDAEXAMPLE');
  });

  it('prints a decision with only a target version', () => {
    expect(
      renderCommandResult({
        done: true,
        message: 'ok',
        decision: { outcome: 'rollback', reason: 'manual', to: 'v6' },
      }),
    ).toBe('ok\n  decision: rollback (manual), v6\n');
    expect(renderCommandResult({ done: false, message: 'not paused' })).toBe('not paused\n');
  });
});
