import { QUARANTINE_DETAIL_TYPE, QUARANTINE_SOURCE } from '../../../lambda/contract';
import { isVersionEvent, parseVersionEvent } from '../../../lambda/boundary/version-events';

const envelope = {
  version: '0',
  id: 'e-1',
  source: QUARANTINE_SOURCE,
  account: '123456789012',
  time: '2026-03-01T10:05:02Z',
  region: 'us-east-1',
  resources: [],
};
const quarantine = {
  ...envelope,
  'detail-type': QUARANTINE_DETAIL_TYPE.quarantine,
  detail: {
    from: 'us-east-1',
    target: 'checkout',
    version: 'checkout:42',
    decisionId: 'd-1',
    cause: 'alarm',
    at: '2026-03-01T10:05:00.000Z',
    why: 'checkout rolled back in us-east-1',
  },
};
const now = Date.parse('2026-03-01T10:06:00Z');

describe('parseVersionEvent', () => {
  it('parses a quarantine, a receipt and a check', () => {
    expect(parseVersionEvent(quarantine, { now })).toMatchObject({
      ok: true,
      envelope: { region: 'us-east-1' },
      value: { kind: 'quarantine', version: 'checkout:42', at: Date.parse('2026-03-01T10:05:00Z') },
    });
    const receipt = {
      ...envelope,
      'detail-type': QUARANTINE_DETAIL_TYPE.receipt,
      detail: {
        from: 'eu-west-1',
        to: 'us-east-1',
        target: 'checkout',
        version: 'checkout:42',
        decisionId: 'd-1',
        at: '2026-03-01T10:05:03Z',
      },
    };
    expect(parseVersionEvent(receipt, { now })).toMatchObject({
      ok: true,
      value: { kind: 'receipt', to: 'us-east-1' },
    });
    const check = {
      ...envelope,
      'detail-type': QUARANTINE_DETAIL_TYPE.check,
      detail: {
        from: 'us-east-1',
        target: 'checkout',
        version: 'checkout:42',
        deploymentId: 'ecs-svc/9',
        at: '2026-03-01T10:05:03Z',
      },
    };
    expect(parseVersionEvent(check, { now })).toMatchObject({
      ok: true,
      value: { kind: 'check', deploymentId: 'ecs-svc/9' },
    });
  });

  it('rejects every problem by JSON path: a bad region, an unknown cause, a missing version', () => {
    const bad = {
      ...quarantine,
      detail: { ...quarantine.detail, from: 'Mars', cause: 'vibes', version: undefined },
    };
    const parsed = parseVersionEvent(bad, { now });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toBe('malformed');
    expect(parsed.problems.join('\n')).toMatch(/\$\.detail\.from/);
    expect(parsed.problems.join('\n')).toMatch(/\$\.detail\.cause/);
    expect(parsed.problems.join('\n')).toMatch(/\$\.detail\.version/);
  });

  it('rejects an unknown detail-type and a timestamp from the future', () => {
    expect(parseVersionEvent({ ...quarantine, 'detail-type': 'Something Else' }, { now })).toMatchObject({
      ok: false,
      reason: 'unsupported-detail-type',
    });
    const future = { ...quarantine, detail: { ...quarantine.detail, at: '2026-03-01T11:00:00Z' } };
    expect(parseVersionEvent(future, { now })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('routes by source: only the watchdog source is a version event', () => {
    expect(isVersionEvent(quarantine)).toBe(true);
    expect(isVersionEvent({ ...quarantine, source: 'aws.cloudwatch' })).toBe(false);
    expect(isVersionEvent('x')).toBe(false);
  });
});
