/** EMF metric names emitted by the Lambdas (namespace METRICS_NAMESPACE) and shown on the dashboard. */
export const METRIC = {
  rollbacksStarted: 'RollbacksStarted',
  rollbacksSucceeded: 'RollbacksSucceeded',
  rollbacksFailed: 'RollbacksFailed',
  skips: 'Skips',
  detectionToActionMs: 'DetectionToActionMs',
  timeToRecoverySeconds: 'TimeToRecoverySeconds',
  notificationFailures: 'NotificationFailures',
  rejectedEvents: 'RejectedEvents',
  auditFailures: 'AuditFailures',
  /** Decisions the reconcile sweep took on alarms whose events never arrived. */
  sweepDecisions: 'SweepDecisions',
  /** Deploy freezes (CodePipeline DisableStageTransition) that failed after a rollback. */
  freezeFailures: 'FreezeFailures',
  /** Service settings a fast-tracked rollback changed that could not be put back yet (the sweep retries). */
  settingsRestoreFailures: 'SettingsRestoreFailures',
  /** Retention-guard warnings sent: known-good versions gone or about to lose their image. */
  retentionWarnings: 'RetentionWarnings',
  /** Audit items the exporter could not write to S3 (retried from the stream). */
  auditExportFailures: 'AuditExportFailures',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];
