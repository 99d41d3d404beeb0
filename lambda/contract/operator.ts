/**
 * The operator protocol: what the `watchdog` CLI sends to the operator function (a Lambda Function URL with
 * AWS_IAM auth, so every request is SigV4-signed and the audit records the authenticated principal) and what
 * it gets back. The simulator runs the same requests through the same use cases.
 */
export const OPERATOR_COMMANDS = [
  'status',
  'history',
  'pause',
  'resume',
  'approve',
  'rollback',
  'drill',
  'report',
] as const;
export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];

/**
 * The commands that change nothing. They are also served by a second, read-only operator function with its own
 * Function URL (stack output `OperatorReadUrl`) whose role can only read: a Function URL's IAM auth cannot
 * tell one path or body from another, so "may look but not act" needs its own URL.
 */
export const OPERATOR_READ_COMMANDS = [
  'status',
  'history',
  'report',
] as const satisfies readonly OperatorCommand[];
export type OperatorReadCommand = (typeof OPERATOR_READ_COMMANDS)[number];

/** True for the commands the read-only operator function serves. */
export function isReadCommand(command: string): command is OperatorReadCommand {
  return (OPERATOR_READ_COMMANDS as readonly string[]).includes(command);
}

export type OperatorRequest =
  | { readonly command: 'status'; readonly target?: string }
  | {
      readonly command: 'history';
      readonly target?: string;
      readonly sinceMs?: number;
      readonly limit?: number;
    }
  /** Without a target: pause the whole watchdog. */
  | {
      readonly command: 'pause';
      readonly target?: string;
      readonly reason: string;
      /** `pause --for 2h`: the pause ends by itself after this many minutes. @default - until `resume` */
      readonly forMinutes?: number;
    }
  | { readonly command: 'resume'; readonly target?: string }
  | {
      readonly command: 'approve';
      readonly target: string;
      /** Approve only the approval request of this decision (Slack's Approve button). @default - the pending one */
      readonly decision?: string;
    }
  | {
      readonly command: 'rollback';
      readonly target: string;
      /** @default the newest known-good version other than the current one */
      readonly to?: string;
      readonly reason: string;
      /** Allow a version outside the known-good ledger. */
      readonly force?: boolean;
    }
  /** Rehearse: force a trigger alarm to ALARM; decided as a dry run unless `live`. */
  | { readonly command: 'drill'; readonly target: string; readonly live?: boolean; readonly alarm?: string }
  /**
   * One incident of the target from the audit (lambda/contract/incident-report.ts): the newest, or the one
   * `incident` names (its id, or the id of any decision in it).
   */
  | { readonly command: 'report'; readonly target: string; readonly incident?: string };

export interface OperatorError {
  /** `invalid-request`, `unknown-target`, `not-found`, `refused`, `unavailable`. */
  readonly code: 'invalid-request' | 'unknown-target' | 'not-found' | 'refused' | 'unavailable';
  readonly message: string;
}

export type OperatorResponse<T = unknown> =
  { readonly ok: true; readonly result: T } | { readonly ok: false; readonly error: OperatorError };

/** The longest `pause --for`: 30 days. A longer hold is a pause until resumed, on purpose. */
export const MAX_PAUSE_MINUTES = 30 * 24 * 60;

/** One target as `watchdog status` shows it. */
export interface TargetStatus {
  readonly target: string;
  readonly type: string;
  readonly mode: string;
  readonly currentVersion?: string;
  readonly knownGoodVersion?: string;
  readonly paused?: {
    readonly by: string;
    readonly reason: string;
    readonly at: string;
    readonly until?: string;
  };
  readonly rollback?: {
    readonly from: string;
    readonly to: string;
    readonly since: string;
    readonly trigger: string;
  };
  readonly pendingApproval?: {
    readonly from: string;
    readonly to: string;
    readonly expiresAt: string;
    readonly trigger: string;
  };
  readonly verification?: { readonly until: string; readonly alarms: readonly string[] };
  readonly lastDecision?: {
    readonly at: string;
    readonly outcome: string;
    readonly reason: string;
    readonly trigger: string;
  };
  readonly cooldownSecondsLeft: number;
  readonly frozen?: { readonly pipeline: string; readonly stage: string };
  /**
   * A fast-tracked rollback changed the service's deployment settings and they are not back yet: restored by
   * the next decision on the target or the next sweep, once that rollback has ended.
   */
  readonly settingsRestore?: { readonly decisionId: string; readonly since: string };
}

export interface StatusResult {
  readonly watchdogPaused?: { readonly by: string; readonly reason: string; readonly at: string };
  readonly targets: readonly TargetStatus[];
}

/** One audited entry as `watchdog history` shows it. */
export interface HistoryItem {
  readonly at: string;
  readonly target: string;
  readonly kind: 'decision' | 'rollback-result' | 'operator' | 'rejected';
  readonly outcome?: string;
  readonly reason?: string;
  readonly trigger?: string;
  readonly from?: string;
  readonly to?: string;
  readonly by?: string;
  readonly detail: string;
  /** Set on the decision a drill produced: how long the chain took from forced alarm to decision. */
  readonly drill?: { readonly id: string; readonly live: boolean; readonly alarmToDecisionMs: number };
  /** The incident the entry belongs to (`watchdog report <target> --incident <id>`), when it belongs to one. */
  readonly incident?: string;
}

/** What a mutating command did (pause, resume, approve, rollback, drill). */
export interface CommandResult {
  readonly target?: string;
  readonly done: boolean;
  readonly message: string;
  readonly decision?: {
    readonly outcome: string;
    readonly reason: string;
    readonly from?: string;
    readonly to?: string;
  };
  /** drill: the id to wait for, and the alarm that was forced. */
  readonly drill?: { readonly id: string; readonly alarm: string; readonly live: boolean };
}
