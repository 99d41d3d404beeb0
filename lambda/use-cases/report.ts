import { METRIC } from '../contract';
import type { AlarmTransition, Decision } from '../domain';
import { decisionNotification } from './notifications';
import type { AuditEntry, Notification, Notifier, StateStore, Telemetry } from './ports';

/**
 * Records and announces what was decided. Runs after any rollback call, never before it, and never throws:
 * a failed audit write or notification is logged and counted, and never blocks or repeats a rollback.
 */
export class Reporter {
  constructor(private readonly deps: { store: StateStore; notifier: Notifier; telemetry: Telemetry }) {}

  async decision(decision: Decision, requestId: string, transition?: AlarmTransition): Promise<void> {
    const { telemetry } = this.deps;
    telemetry.log(
      decision.outcome === 'skip' ? 'info' : 'warn',
      `decision: ${decision.outcome} (${decision.reason})`,
      {
        decisionId: decision.id,
        target: decision.target,
        trigger: decision.trigger,
        outcome: decision.outcome,
        reason: decision.reason,
        from: decision.from,
        to: decision.to,
        detail: decision.detail,
      },
    );
    if (decision.outcome === 'skip')
      telemetry.count(METRIC.skips, 1, { target: decision.target, reason: decision.reason });
    const notification = decisionNotification(decision, transition);
    await Promise.all([
      this.audit({ type: 'decision', at: decision.at, decision, requestId }),
      notification ? this.notify(notification) : Promise.resolve(),
    ]);
  }

  async audit(entry: AuditEntry): Promise<void> {
    try {
      await this.deps.store.appendAudit(entry);
    } catch (error) {
      this.deps.telemetry.log('error', 'audit write failed', { type: entry.type, error: describe(error) });
      this.deps.telemetry.count(METRIC.auditFailures);
    }
  }

  async notify(notification: Notification): Promise<void> {
    try {
      await this.deps.notifier.publish(notification);
    } catch (error) {
      this.deps.telemetry.log('error', 'notification failed', {
        kind: notification.kind,
        target: notification.target,
        error: describe(error),
      });
      this.deps.telemetry.count(METRIC.notificationFailures, 1, { target: notification.target });
    }
  }
}

/** Name and message only: SDK errors can carry request details that have no place in logs. */
export function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Unknown', message: String(error) };
}
