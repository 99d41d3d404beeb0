/**
 * Version quarantine across regions (docs/architecture.md, "Regions"): when one region's watchdog rolls a
 * version of a logical service back (or its deployment fails), it tells the watchdogs of the other regions,
 * which then keep that version out of service there. Every watchdog stack of a multi-region config has an
 * EventBridge bus of its own, `versionBusName(stackName)`; the handlers put events on that bus only, and its
 * rules forward them to the other regions' buses (same account, same stack name) and deliver the ones that
 * came from elsewhere to the acting handler. No handler ever calls another region.
 */

/** The `source` of every event the watchdog puts on its version bus (EventBridge refuses `aws.` sources). */
export const QUARANTINE_SOURCE = 'rollback-watchdog';

export const QUARANTINE_DETAIL_TYPE = {
  /** A version of a target was rolled back, or failed, in region `from`: keep it out of service here. */
  quarantine: 'Rollback Watchdog Version Quarantine',
  /** Region `from` has recorded the quarantine `decisionId` of region `to` (the origin stops retrying). */
  receipt: 'Rollback Watchdog Quarantine Receipt',
  /**
   * Local only (from = to = this region): the deployment handler, which only reads, saw a quarantined version
   * being deployed and asks the acting handler to check and stop it.
   */
  check: 'Rollback Watchdog Quarantine Check',
} as const;

export type QuarantineDetailType = (typeof QUARANTINE_DETAIL_TYPE)[keyof typeof QUARANTINE_DETAIL_TYPE];

/** Why a version is quarantined: the rollback reason of the origin's decision, or its deployment failed. */
export type QuarantineCause =
  'alarm' | 'group' | 'manual' | 'approved' | 'approval-timeout' | 'deployment-failed';

/** `detail` of a QUARANTINE_DETAIL_TYPE.quarantine event. */
export interface QuarantineDetail {
  /** The region whose watchdog decided it. */
  readonly from: string;
  /** The target id (one logical service across regions). */
  readonly target: string;
  readonly version: string;
  /** The origin's decision id (or, for a failed deployment, a stable id of it): the dedupe key everywhere. */
  readonly decisionId: string;
  readonly cause: QuarantineCause;
  /** When the origin decided it, ISO-8601. */
  readonly at: string;
  /** A few words for people, shown in the receiving region's notification. */
  readonly why: string;
}

/** `detail` of a QUARANTINE_DETAIL_TYPE.receipt event. */
export interface QuarantineReceiptDetail {
  /** The region that recorded the quarantine. */
  readonly from: string;
  /** The quarantine's origin region, the only one that acts on the receipt. */
  readonly to: string;
  readonly target: string;
  readonly version: string;
  readonly decisionId: string;
  /** When it was recorded, ISO-8601. */
  readonly at: string;
}

/** `detail` of a QUARANTINE_DETAIL_TYPE.check event. */
export interface QuarantineCheckDetail {
  readonly from: string;
  readonly target: string;
  readonly version: string;
  /** The deployment of the version that was seen starting (each deployment is checked once). */
  readonly deploymentId: string;
  readonly at: string;
}

/** The name of a watchdog stack's version bus. Every region's stack has the same stack name, so the same bus name. */
export function versionBusName(stackName: string): string {
  return `${stackName}-versions`;
}

/** The ARN of the version bus of the watchdog in `region` (same account and partition). */
export function versionBusArn(partition: string, region: string, account: string, stackName: string): string {
  return `arn:${partition}:events:${region}:${account}:event-bus/${versionBusName(stackName)}`;
}

/**
 * How long the origin waits for a region's receipt before it puts the quarantine on the bus again; the sweep
 * does it (EventBridge itself retries a bus target for up to 24 hours, but a receiver that failed after
 * delivery, or a dead-lettered event, would otherwise be silent).
 */
export const QUARANTINE_RETRY_MINUTES = 5;

/** After this long without a region's receipt, the origin reports that region as not reached (once). */
export const QUARANTINE_REPORT_MINUTES = 15;

/** How long a region keeps a received quarantine: a later deploy of the version is stopped within it. */
export const QUARANTINE_KEEP_DAYS = 30;

/** A version bus event as the boundary parsed it (lambda/boundary/version-events.ts); times in epoch ms. */
export type VersionEvent =
  | {
      readonly kind: 'quarantine';
      readonly from: string;
      readonly target: string;
      readonly version: string;
      readonly decisionId: string;
      readonly cause: QuarantineCause;
      readonly at: number;
      readonly why: string;
    }
  | {
      readonly kind: 'receipt';
      readonly from: string;
      readonly to: string;
      readonly target: string;
      readonly version: string;
      readonly decisionId: string;
      readonly at: number;
    }
  | {
      readonly kind: 'check';
      readonly from: string;
      readonly target: string;
      readonly version: string;
      readonly deploymentId: string;
      readonly at: number;
    };
