import { REJECTED_SCOPE, UNKNOWN_SCOPE, WATCHDOG_SCOPE } from '../../lambda/contract';
import { emptyTargetState, MINUTE, type Decision, type TargetState } from '../../lambda/domain';
import type { AuditEntry, StateStore } from '../../lambda/use-cases/ports';

const T0 = Date.parse('2026-03-01T10:00:00Z');

const decision = (id: string, at: number, overrides: Partial<Decision> = {}): Decision => ({
  id,
  at,
  target: 'checkout',
  trigger: 'checkout-5xx',
  outcome: 'skip',
  reason: 'cooldown',
  detail: 'in cooldown',
  escalate: false,
  ...overrides,
});

const audited = (d: Decision): AuditEntry => ({
  type: 'decision',
  at: d.at,
  decision: d,
  requestId: `req-${d.id}`,
});

const operator = (target: string, at: number, requestId: string): AuditEntry => ({
  type: 'operator',
  at,
  target,
  command: 'pause',
  by: 'arn:aws:iam::123456789012:user/alice',
  detail: 'paused',
  requestId,
});

/**
 * The StateStore port as every use case relies on it, run against each implementation (the in-memory fake of
 * the unit tests and the DynamoDB store on dynalite), so the fake cannot drift from the real store: a use-case
 * test that passes on the fake holds on DynamoDB too. DynamoDB-specific details (item layout, TTL) are in
 * state-store-contract.ts.
 */
export function describeStateStorePort(name: string, make: () => Promise<StateStore>): void {
  describe(`StateStore port contract: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await make();
    });

    it('writes from revision 0 only once, then only from the stored revision', async () => {
      const first = await store.saveTarget({ ...emptyTargetState('checkout'), seeded: true }, 0);
      expect(first).toMatchObject({ targetId: 'checkout', revision: 1 });
      expect(await store.saveTarget({ ...emptyTargetState('checkout'), seeded: true }, 0)).toBe('conflict');
      expect(await store.saveTarget(first as TargetState, 2)).toBe('conflict');
      expect(await store.saveTarget({ ...(first as TargetState), lastRollbackAt: T0 }, 1)).toMatchObject({
        revision: 2,
        lastRollbackAt: T0,
      });
    });

    it('lets exactly one of 20 concurrent writes from one revision win', async () => {
      await store.saveTarget({ ...emptyTargetState('checkout'), seeded: true }, 0);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.saveTarget({ ...emptyTargetState('checkout'), seeded: true, lastRollbackAt: i }, 1),
        ),
      );
      const winners = results.filter((r) => r !== 'conflict');
      expect(winners).toHaveLength(1);
      const stored = (await store.loadTargets(['checkout'])).targets.get('checkout');
      expect(stored).toEqual(winners[0]);
    });

    it('loads what was saved, only the targets asked for, and copies that do not alias the store', async () => {
      await store.saveTarget({ ...emptyTargetState('a'), seeded: true }, 0);
      await store.saveTarget({ ...emptyTargetState('b'), seeded: true }, 0);
      const loaded = await store.loadTargets(['a', 'missing']);
      expect([...loaded.targets.keys()]).toEqual(['a']);
      const a = loaded.targets.get('a') as unknown as { ledger: unknown[] };
      a.ledger.push({ version: 'mutated' });
      expect((await store.loadTargets(['a'])).targets.get('a')?.ledger).toEqual([]);
    });

    it('sets and clears the global pause', async () => {
      const pause = { at: T0, by: 'arn:aws:iam::123456789012:user/alice', reason: 'freeze' };
      await store.setGlobalPause(pause);
      expect((await store.loadTargets([])).globalPause).toEqual(pause);
      await store.setGlobalPause(undefined);
      expect((await store.loadTargets([])).globalPause).toBeUndefined();
    });

    it('keeps an entry appended twice once (a retried write is not a second decision)', async () => {
      const entry = audited(decision('d-1', T0));
      await store.appendAudit(entry);
      await store.appendAudit(entry);
      await store.appendAudit(operator('checkout', T0 + 1, 'req-op'));
      await store.appendAudit(operator('checkout', T0 + 1, 'req-op'));
      expect(await store.listAudit('checkout')).toEqual([entry, operator('checkout', T0 + 1, 'req-op')]);
    });

    it('files entries by scope: the target, unknown alarms, rejected events, the whole watchdog', async () => {
      const known = audited(decision('d-1', T0));
      const unknown = audited(decision('d-2', T0, { target: 'checkout', reason: 'unknown-alarm' }));
      const rejected: AuditEntry = {
        type: 'rejected',
        at: T0,
        reason: 'malformed',
        problems: ['$.detail: Required'],
        requestId: 'req-r',
        eventId: 'evt-1',
        source: 'aws.cloudwatch',
        detailType: 'CloudWatch Alarm State Change',
        excerpt: '{}',
      };
      const global = operator(WATCHDOG_SCOPE, T0, 'req-g');
      for (const e of [known, unknown, rejected, global]) await store.appendAudit(e);
      expect(await store.listAudit('checkout')).toEqual([known]);
      expect(await store.listAudit(UNKNOWN_SCOPE)).toEqual([unknown]);
      expect(await store.listAudit(REJECTED_SCOPE)).toEqual([rejected]);
      expect(await store.listAudit(WATCHDOG_SCOPE)).toEqual([global]);
      expect(await store.listAudit('payments')).toEqual([]);
    });

    it('lists oldest first, from sinceMs inclusive, at most limit, or newest first', async () => {
      for (let i = 0; i < 6; i++) await store.appendAudit(audited(decision(`d-${i}`, T0 + i * MINUTE)));
      const ids = (entries: AuditEntry[]) =>
        entries.map((e) => (e.type === 'decision' ? e.decision.id : e.type));
      expect(ids(await store.listAudit('checkout'))).toEqual(['d-0', 'd-1', 'd-2', 'd-3', 'd-4', 'd-5']);
      expect(ids(await store.listAudit('checkout', { sinceMs: T0 + 3 * MINUTE }))).toEqual([
        'd-3',
        'd-4',
        'd-5',
      ]);
      expect(ids(await store.listAudit('checkout', { sinceMs: T0 + 3 * MINUTE + 1 }))).toEqual([
        'd-4',
        'd-5',
      ]);
      expect(ids(await store.listAudit('checkout', { sinceMs: T0 + MINUTE, limit: 2 }))).toEqual([
        'd-1',
        'd-2',
      ]);
      expect(ids(await store.listAudit('checkout', { newestFirst: true, limit: 2 }))).toEqual(['d-5', 'd-4']);
      expect(ids(await store.listAudit('checkout', { newestFirst: true, sinceMs: T0 + 4 * MINUTE }))).toEqual(
        ['d-5', 'd-4'],
      );
      expect(await store.listAudit('checkout', { limit: 0 })).toEqual([]);
      expect(await store.listAudit('checkout', { sinceMs: T0 + 10 * MINUTE })).toEqual([]);
    });
  });
}
