import { METRIC, type RuntimeTarget } from '../contract';
import type { ActiveRollback, AlarmTransition, Decision, Millis, Verification } from '../domain';
import {
  decisionNotification,
  rollbackResultNotification,
  rollbackResultSummary,
  verificationFailedNotification,
  type NotificationContext,
} from './notifications';
import type {
  AuditedAlarm,
  AuditEntry,
  Deployer,
  Notification,
  Notifier,
  StateStore,
  Telemetry,
} from './ports';

/**
 * How long a notification may wait for the description of what a rollback changes (two reads of the
 * platform). The rollback call has already been made; past this the message goes out without the lines.
 */
export const DESCRIBE_CHANGE_TIMEOUT_MS = 2_000;

/** The ports the Reporter writes through, and what it may read to enrich a message. */
export interface ReporterDeps {
  readonly store: StateStore;
  readonly notifier: Notifier;
  readonly telemetry: Telemetry;
  /**
   * Asked what a rollback changes beyond the version names (`Deployer.describeChange`, ECS: the container
   * images), for rollback-started and rollback-succeeded messages.
   * @default - messages name the versions only
   */
  readonly deployerFor?: (target: RuntimeTarget) => Deployer;
  /** @default DESCRIBE_CHANGE_TIMEOUT_MS */
  readonly describeChangeTimeoutMs?: number;
}

/**
 * The target a message is about and, for console links, the region. Without it a decision's message has no
 * links, no change lines and no approval expiry time.
 */
export type ReportContext = Omit<NotificationContext, 'changes'>;

/** Which parts of a decision's report reached the audit log and the topic. */
export interface Delivery {
  readonly audited: boolean;
  readonly announced: boolean;
}

/** A finished rollback of the watchdog's own, as the deployment events (or the sweep) established it. */
export interface RollbackResult {
  readonly kind: 'rollback-succeeded' | 'rollback-failed';
  readonly rollback: ActiveRollback;
  /** When the rollback finished. */
  readonly at: Millis;
  /** Why it failed (rollback-failed). */
  readonly why?: string;
}

/**
 * Records and announces what was decided. Runs after any rollback call, never before it, and never throws:
 * a failed audit write or notification is logged and counted, and never blocks or repeats a rollback.
 */
export class Reporter {
  private readonly describeChangeTimeoutMs: number;

  constructor(private readonly deps: ReporterDeps) {
    this.describeChangeTimeoutMs = deps.describeChangeTimeoutMs ?? DESCRIBE_CHANGE_TIMEOUT_MS;
  }

  /**
   * Logs, audits and announces one decision. With `context` the message carries console links and, for a
   * started rollback, what it changes; the audit write does not wait for either.
   */
  async decision(
    decision: Decision,
    requestId: string,
    transition?: AlarmTransition,
    context?: ReportContext,
  ): Promise<Delivery> {
    const { telemetry } = this.deps;
    telemetry.log(
      decision.outcome === 'skip' ? 'info' : 'warn',
      `decision: ${decision.outcome} (${decision.reason})`,
      {
        // Every log line about a decision carries its id as the correlation id, as do its audit item and messages.
        correlation_id: decision.id,
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
    return this.deliver(decision, requestId, transition, context, { audit: true, announce: true });
  }

  /**
   * Logs nothing and counts nothing: writes the parts of a decision's report that are asked for. The outbox
   * relay uses it to finish a report that an earlier invocation could not.
   */
  async deliver(
    decision: Decision,
    requestId: string,
    transition: AlarmTransition | undefined,
    context: ReportContext | undefined,
    parts: { readonly audit: boolean; readonly announce: boolean },
  ): Promise<Delivery> {
    const [audited, announced] = await Promise.all([
      parts.audit
        ? this.audit({
            type: 'decision',
            at: decision.at,
            decision,
            requestId,
            // Only CloudWatch's transitions: a quarantine's synthetic one (`quarantine:<id>`) is no alarm.
            ...(transition?.alarmArn.startsWith('arn:') ? { alarm: auditedAlarm(transition) } : {}),
          })
        : true,
      parts.announce ? this.announce(decision, transition, context) : true,
    ]);
    return { audited, announced };
  }

  /**
   * Audits and announces a finished rollback. A successful one says what it changed back (the platform is
   * read once more, within the describe-change timeout); a failed one does not wait for that.
   */
  async rollbackResult(result: RollbackResult, now: Millis, context: ReportContext): Promise<void> {
    const { kind, rollback, at, why } = result;
    const target = context.target.id;
    await Promise.all([
      this.audit({
        type: 'rollback-result',
        at: now,
        target,
        result: kind,
        decisionId: rollback.decisionId,
        from: rollback.from,
        to: rollback.to,
        detail: rollbackResultSummary(target, kind, rollback, at, why),
      }),
      (async () => {
        const changes =
          kind === 'rollback-succeeded' ? await this.changes(context.target, rollback.from, rollback.to) : [];
        await this.notify(
          rollbackResultNotification(target, kind, rollback, at, why, { ...context, changes }),
        );
      })(),
    ]);
  }

  /**
   * Audits and escalates a rollback that completed but is unverified (the verification deadline passed with
   * a trigger alarm in ALARM, in INSUFFICIENT_DATA or not found).
   */
  async verificationFailed(
    failure: { readonly verification: Verification; readonly why: string },
    now: Millis,
    context: ReportContext,
    stillInAlarm: readonly string[] = [],
  ): Promise<void> {
    const { verification: v, why } = failure;
    const target = context.target.id;
    await Promise.all([
      this.audit({
        type: 'rollback-result',
        at: now,
        target,
        result: 'rollback-failed',
        decisionId: v.decisionId,
        from: v.from,
        to: v.to,
        detail: `The rollback of ${target} from ${v.from} to ${v.to} completed, but ${why}.`,
      }),
      this.notify(verificationFailedNotification(target, v, why, context, stillInAlarm)),
    ]);
  }

  /**
   * Audits that a rollback is verified: every trigger alarm was OK again at `at` (the end of its time to
   * recover, docs/architecture.md "Incident reports"). Not announced: the rollback's own message said it.
   */
  async verified(verification: Verification, at: Millis, target: string): Promise<boolean> {
    return this.audit({
      type: 'rollback-result',
      at,
      target,
      result: 'rollback-verified',
      decisionId: verification.decisionId,
      from: verification.from,
      to: verification.to,
      detail: `The rollback of ${target} from ${verification.from} to ${verification.to} is verified: every trigger alarm is OK again.`,
    });
  }

  /** Never throws: false when the write failed (logged and counted; an alarm watches the count). */
  async audit(entry: AuditEntry): Promise<boolean> {
    try {
      await this.deps.store.appendAudit(entry);
      return true;
    } catch (error) {
      this.deps.telemetry.log('error', 'audit write failed', { type: entry.type, error: describe(error) });
      this.deps.telemetry.count(METRIC.auditFailures);
      return false;
    }
  }

  /** Never throws: false when the publish failed (logged and counted; an alarm watches the count). */
  async notify(notification: Notification): Promise<boolean> {
    try {
      await this.deps.notifier.publish(notification);
      return true;
    } catch (error) {
      this.deps.telemetry.log('error', 'notification failed', {
        kind: notification.kind,
        target: notification.target,
        error: describe(error),
      });
      // Without a target dimension: one metric for the whole watchdog, which an alarm watches.
      this.deps.telemetry.count(METRIC.notificationFailures);
      return false;
    }
  }

  private async announce(
    decision: Decision,
    transition: AlarmTransition | undefined,
    context: ReportContext | undefined,
  ): Promise<boolean> {
    if (!decision.notify) return true;
    const changes =
      context && decision.notify === 'rollback-started' && decision.from && decision.to
        ? await this.changes(context.target, decision.from, decision.to)
        : [];
    const notification = decisionNotification(decision, transition, context && { ...context, changes });
    return notification ? this.notify(notification) : true;
  }

  /**
   * What the rollback changes, or nothing if the deployer cannot say within the timeout. Never throws: the
   * message matters more than its detail.
   */
  private async changes(target: RuntimeTarget, from: string, to: string): Promise<readonly string[]> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const deployer = this.deps.deployerFor?.(target);
      if (!deployer?.describeChange) return [];
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.describeChangeTimeoutMs);
      });
      const lines = await Promise.race([deployer.describeChange(target, from, to), timeout]);
      if (lines === 'timeout') {
        this.deps.telemetry.log('info', 'change description timed out; notifying without it', {
          target: target.id,
          timeoutMs: this.describeChangeTimeoutMs,
        });
        return [];
      }
      return lines;
    } catch (error) {
      this.deps.telemetry.log('info', 'change description failed; notifying without it', {
        target: target.id,
        error: describe(error),
      });
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Longest alarm reason kept in the audit: CloudWatch's own sentences are far shorter. */
const AUDITED_REASON_MAX = 1_000;
/** Most data points kept: the newest, as the alarm evaluated them. */
const AUDITED_DATAPOINTS_MAX = 20;

/** What the audit keeps of a transition: the reason, and the threshold and data points of a metric alarm. */
export function auditedAlarm(t: AlarmTransition): AuditedAlarm {
  const data = parseReasonData(t.reasonData);
  const points = Array.isArray(data?.recentDatapoints)
    ? data.recentDatapoints.filter((p: unknown): p is number => typeof p === 'number' && Number.isFinite(p))
    : undefined;
  const threshold =
    typeof data?.threshold === 'number' && Number.isFinite(data.threshold) ? data.threshold : undefined;
  return {
    name: t.alarmName,
    value: t.value,
    previous: t.previousValue,
    at: t.timestamp,
    ...(t.reason ? { reason: t.reason.slice(0, AUDITED_REASON_MAX) } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(points !== undefined ? { datapoints: points.slice(-AUDITED_DATAPOINTS_MAX) } : {}),
  };
}

function parseReasonData(text: string | undefined): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const data: unknown = JSON.parse(text);
    return typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Name and message only: SDK errors can carry request details that have no place in logs. */
export function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Unknown', message: String(error) };
}
