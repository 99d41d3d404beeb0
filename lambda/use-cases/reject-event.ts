import { METRIC, type RejectionReason } from '../contract';
import type { Clock, StateStore, Telemetry } from './ports';

const EXCERPT_LIMIT = 4_000;

/**
 * Audits an event that failed validation or is not ours. Nothing else happens: no AWS write, no state change.
 * A failed audit write throws, so the event is retried and, failing that, kept by the failure destination.
 */
export async function rejectEvent(
  deps: { store: StateStore; clock: Clock; telemetry: Telemetry },
  raw: unknown,
  rejection: { reason: RejectionReason; problems: readonly string[] },
  ids: { eventId?: string; source?: string; detailType?: string },
  requestId: string,
): Promise<void> {
  deps.telemetry.log('warn', `event rejected: ${rejection.reason}`, { problems: rejection.problems, ...ids });
  deps.telemetry.count(METRIC.rejectedEvents, 1, { reason: rejection.reason });
  await deps.store.appendAudit({
    type: 'rejected',
    at: deps.clock.now(),
    reason: rejection.reason,
    problems: rejection.problems,
    requestId,
    ...ids,
    excerpt: excerpt(raw),
  });
}

function excerpt(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = String(raw);
  }
  return text.length > EXCERPT_LIMIT ? `${text.slice(0, EXCERPT_LIMIT)}…` : text;
}
