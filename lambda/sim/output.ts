import type { IncidentReport, OperatorError } from '../contract';
import type { DecisionOut, TraceRecord } from './trace';
import type { RunStats, SimulationRun } from './runner';
import { iso } from './time';

export interface CallOut {
  readonly at: string;
  readonly api: string;
  readonly target: string;
  readonly params: unknown;
  /** Present when the call failed: `ExceptionName: message`. */
  readonly error?: string;
  /** With several regions: the region whose watchdog made it. */
  readonly region?: string;
}

export interface NotificationOut {
  readonly at: string;
  readonly kind: string;
  readonly target: string;
  readonly title: string;
  /** With several regions: the region whose watchdog sent it. */
  readonly region?: string;
}

export interface FailureDestinationOut {
  readonly at: string;
  readonly handler: string;
  readonly event: string;
  readonly attempts: number;
  readonly error: string;
}

export interface SimulatorErrorOut {
  readonly at: string;
  /** `$.timeline[2]`, or the AWS API the simulator does not model. */
  readonly source: string;
  readonly message: string;
}

/** One entry of a target's known-good ledger at the end of the run. */
export interface LedgerOut {
  readonly target: string;
  readonly version: string;
  readonly status: string;
  /** Who deployed it, when the watchdog learned it (CloudTrail, or CodeDeploy's `creator`). */
  readonly deployedBy?: string;
  /** With several regions: the region whose ledger it is. */
  readonly region?: string;
}

/** A timeline `command` and the operator function's answer: `result` when it did it, `error` when not. */
export type CommandOut = {
  readonly at: string;
  /** As written in the scenario, command name first. */
  readonly command: readonly string[];
} & ({ readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: OperatorError });

/**
 * The `--json` output (docs/architecture.md, "Output and expect"). Field order is part of the contract, so
 * objects are built in that order. Four fields follow the contract's own: `failureDestination` (events the
 * watchdog failed on after Lambda's retries), `errors` (what the simulator could not run as the scenario
 * asked), `commands` (the timeline's operator commands and their answers) and `ledger` (every target's
 * known-good ledger at the end, with who deployed each version where known).
 */
export interface SimulationOutput {
  readonly name: string;
  readonly decisions: readonly DecisionOut[];
  readonly calls: readonly CallOut[];
  readonly notifications: readonly NotificationOut[];
  readonly final: Readonly<Record<string, string>>;
  readonly alarms: Readonly<Record<string, string>>;
  readonly stats: Readonly<RunStats>;
  readonly expect: { readonly passed: boolean; readonly failures: readonly string[] };
  readonly failureDestination: readonly FailureDestinationOut[];
  readonly errors: readonly SimulatorErrorOut[];
  readonly commands: readonly CommandOut[];
  readonly ledger: readonly LedgerOut[];
  /** `--report` only: every incident as `watchdog report` builds it (lambda/contract/incident-report.ts). */
  readonly reports?: readonly IncidentReport[];
}

/** What the output lists, before `expect` is checked against it. */
export type Observed = Omit<SimulationOutput, 'expect'>;

export function observe(run: SimulationRun): Observed {
  const decisions: DecisionOut[] = [];
  const calls: CallOut[] = [];
  const notifications: NotificationOut[] = [];
  const failureDestination: FailureDestinationOut[] = [];
  const errors: SimulatorErrorOut[] = [];
  const commands: CommandOut[] = [];
  for (const record of run.trace as TraceRecord[]) {
    switch (record.kind) {
      case 'invocation':
        if (record.command?.response) {
          const response = record.command.response;
          const head = { at: iso(record.at), command: [...record.command.args] };
          commands.push(
            response.ok
              ? { ...head, ok: true, result: response.result }
              : { ...head, ok: false, error: { code: response.error.code, message: response.error.message } },
          );
        }
        decisions.push(...record.decisions);
        for (const c of record.calls) {
          calls.push({
            at: iso(c.at),
            api: c.api,
            target: c.target ?? '',
            params: c.params,
            ...(c.error === undefined ? {} : { error: c.error }),
            ...(record.region === undefined ? {} : { region: record.region }),
          });
        }
        for (const n of record.notifications) {
          notifications.push({
            at: iso(n.at),
            kind: n.kind,
            target: n.target,
            title: n.title,
            ...(record.region === undefined ? {} : { region: record.region }),
          });
        }
        break;
      case 'failure-destination':
        failureDestination.push({
          at: iso(record.at),
          handler: record.handler,
          event: record.subject,
          attempts: record.attempts,
          error: record.error,
        });
        break;
      case 'problem':
        errors.push({ at: iso(record.at), source: record.source, message: record.message });
        break;
      case 'note':
      case 'entry':
        break;
    }
  }
  return {
    name: run.scenario.name,
    decisions,
    calls,
    notifications,
    final: run.final,
    alarms: run.alarms,
    stats: run.stats,
    failureDestination,
    errors,
    commands,
    ledger: run.ledger,
  };
}

/** The output object with its fields in contract order. */
export function toOutput(observed: Observed, expect: SimulationOutput['expect']): SimulationOutput {
  return {
    name: observed.name,
    decisions: observed.decisions,
    calls: observed.calls,
    notifications: observed.notifications,
    final: observed.final,
    alarms: observed.alarms,
    stats: {
      awsReads: observed.stats.awsReads,
      awsWrites: observed.stats.awsWrites,
      events: observed.stats.events,
    },
    expect,
    failureDestination: observed.failureDestination,
    errors: observed.errors,
    commands: observed.commands,
    ledger: observed.ledger,
  };
}
