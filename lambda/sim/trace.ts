import type { OperatorResponse } from '../contract';
import type { MutatingCall } from './aws-middleware';
import type { PublishedNotification } from './world/sns';
import type { WorldNoteKind } from './world/world-context';

/** One decision as the output lists it (docs/architecture.md, "Output and expect"), field order included. */
export interface DecisionOut {
  readonly at: string;
  readonly target: string;
  readonly trigger: string;
  readonly outcome: string;
  readonly reason: string;
  readonly from?: string;
  readonly to?: string;
  /** The authenticated principal behind an operator's decision (docs/decisions.md, "A decision"). */
  readonly by?: string;
  /** The release group and incident of a group rollback's decisions (README, "Release groups"). */
  readonly group?: string;
  readonly incident?: string;
  /** With several regions: the region whose watchdog decided. */
  readonly region?: string;
  /** Set on the decision an operator's drill produced (docs/decisions.md, "A decision"). */
  readonly drill?: { readonly id: string; readonly live: boolean; readonly alarmToDecisionMs: number };
}

export interface CallTrace extends MutatingCall {
  readonly at: number;
}

export interface WorldNote {
  readonly kind: 'note';
  readonly at: number;
  readonly source: string;
  readonly note: WorldNoteKind;
  readonly text: string;
}

/** One invocation of a watchdog entry point, with everything it caused. */
export interface InvocationTrace {
  readonly kind: 'invocation';
  readonly at: number;
  readonly requestId: string;
  /** `onAlarm`, `onDeployment`, or a scheduled job's or operator command's name. */
  readonly handler: string;
  /** What was delivered, in a few words. */
  readonly subject: string;
  /** 1 for the first try; Lambda's retries of a failed async invocation count up to 3. */
  readonly attempt: number;
  /** Which copy of an event delivered several times (at-least-once delivery). */
  readonly delivery?: { readonly n: number; readonly of: number };
  /**
   * Where the delivered event came from: the resource that emitted it (`alarm:checkout-5xx`) or the timeline
   * entry of a raw event (`$.timeline[3]`). Lets the timeline skip repeating what the line above says.
   */
  readonly origin?: string;
  /** With several regions: the region whose watchdog ran. */
  readonly region?: string;
  readonly calls: CallTrace[];
  readonly notifications: PublishedNotification[];
  /** Changes of the world the invocation caused (its AWS writes), in resource order. */
  readonly effects: WorldNote[];
  /** Warnings and errors the watchdog logged. */
  readonly logs: string[];
  error?: string;
  /** Filled from the audit log after the run. */
  readonly decisions: DecisionOut[];
  /** Why the watchdog rejected the event, when it did (from the audit log). */
  readonly rejections: string[];
  /** Set when the invocation ran a timeline `command` through the operator entry point. */
  readonly command?: CommandTrace;
}

/** A timeline `command` and what the operator function answered. */
export interface CommandTrace {
  /** Position of the entry in the scenario file: `$.timeline[index]`. */
  readonly index: number;
  /** As written in the scenario, command name first. */
  readonly args: readonly string[];
  /** Set once the invocation returns (a failed invocation answers `unavailable`, as the Function URL does). */
  response?: OperatorResponse;
}

export interface FailureDestinationTrace {
  readonly kind: 'failure-destination';
  readonly at: number;
  readonly handler: string;
  readonly subject: string;
  readonly attempts: number;
  readonly error: string;
}

/** Something the simulator could not do as the scenario asked (never the watchdog's own behaviour). */
export interface ProblemTrace {
  readonly kind: 'problem';
  readonly at: number;
  /** `$.timeline[2]`, or the API the simulator does not model. */
  readonly source: string;
  readonly message: string;
}

/** A timeline entry that is not a change of the world: a raw event (commands are invocations of their own). */
export interface EntryTrace {
  readonly kind: 'entry';
  readonly at: number;
  readonly index: number;
  readonly text: string;
}

export type TraceRecord = WorldNote | InvocationTrace | FailureDestinationTrace | ProblemTrace | EntryTrace;
