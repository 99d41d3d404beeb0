import {
  OperatorTransportError,
  type CommandResult,
  type HistoryItem,
  type StatusResult,
  type TargetStatus,
} from '../contract';
import { isRecord } from '../boundary/json-path';
import { formatMillis } from '../boundary/duration';
import { formatTime, renderTable } from './table';

/**
 * Reading and printing operator results. The results come over the network from a stack that may run
 * another version of the watchdog, so their shape is checked before use: a mismatch is a clear error, not
 * a TypeError.
 */

function unexpected(what: string): OperatorTransportError {
  return new OperatorTransportError(
    'bad-response',
    `the operator function answered with an unexpected ${what}; is this CLI older or newer than the deployed stack?`,
  );
}

const isString = (v: unknown): v is string => typeof v === 'string';

/** The `status` result, checked. */
export function asStatusResult(result: unknown): StatusResult {
  if (
    !isRecord(result) ||
    !Array.isArray(result.targets) ||
    !result.targets.every((t) => isRecord(t) && isString(t.target))
  )
    throw unexpected('status result');
  return result as unknown as StatusResult;
}

/** The `history` result (the list of items), checked. */
export function asHistoryItems(result: unknown): readonly HistoryItem[] {
  if (
    !Array.isArray(result) ||
    !result.every((i) => isRecord(i) && isString(i.at) && isString(i.target) && isString(i.kind))
  )
    throw unexpected('history result');
  return result as HistoryItem[];
}

/** The result of a mutating command, checked. */
export function asCommandResult(result: unknown): CommandResult {
  if (!isRecord(result) || !isString(result.message) || typeof result.done !== 'boolean')
    throw unexpected('command result');
  return result as unknown as CommandResult;
}

const DASH = '-';

function ago(iso: string, now: number): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return ms <= now ? `${formatMillis(now - ms)} ago` : formatTime(iso);
}

/** `arn:aws:sts::123456789012:assumed-role/OnCall/alice` → `assumed-role/OnCall/alice`; tables need the short form. */
export function shortPrincipal(principal: string): string {
  const m = /^arn:[\w-]+:(?:sts|iam)::\d{12}:(.+)$/.exec(principal);
  return m?.[1] ?? principal;
}

function stateOf(t: TargetStatus): string {
  const states = [
    t.paused && 'paused',
    t.rollback && 'rolling back',
    t.pendingApproval && 'awaiting approval',
    t.verification && 'verifying',
    t.frozen && 'pipeline frozen',
  ].filter((s): s is string => typeof s === 'string');
  return states.length > 0 ? states.join(', ') : 'watching';
}

function notesOf(t: TargetStatus): string[] {
  const notes: string[] = [];
  if (t.paused)
    notes.push(
      `${t.target}: paused by ${t.paused.by} at ${formatTime(t.paused.at)}: ${t.paused.reason}.${t.paused.until ? ` Ends by itself at ${formatTime(t.paused.until)}.` : ''} Resume: watchdog resume ${t.target}`,
    );
  if (t.rollback)
    notes.push(
      `${t.target}: rolling back ${t.rollback.from} → ${t.rollback.to} since ${formatTime(t.rollback.since)} (trigger ${t.rollback.trigger})`,
    );
  if (t.pendingApproval)
    notes.push(
      `${t.target}: waiting for approval to roll back ${t.pendingApproval.from} → ${t.pendingApproval.to} (trigger ${t.pendingApproval.trigger}) until ${formatTime(t.pendingApproval.expiresAt)}. Approve: watchdog approve ${t.target}`,
    );
  if (t.verification)
    notes.push(
      `${t.target}: verifying until ${formatTime(t.verification.until)} that its alarms return to OK (${t.verification.alarms.join(', ')})`,
    );
  if (t.frozen)
    notes.push(
      `${t.target}: pipeline ${t.frozen.pipeline} is frozen at stage ${t.frozen.stage}. Unfreeze: watchdog resume ${t.target}`,
    );
  if (t.settingsRestore)
    notes.push(
      `${t.target}: runs the fast-track deployment settings of rollback ${t.settingsRestore.decisionId} since ${formatTime(t.settingsRestore.since)}; its own are put back once that rollback has ended (next decision or sweep)`,
    );
  return notes;
}

/** `status` for people: one row per target, then what needs a human, each with its command. */
export function renderStatus(status: StatusResult, now: number): string {
  const lines: string[] = [];
  if (status.watchdogPaused) {
    const p = status.watchdogPaused;
    lines.push(
      `The whole watchdog is PAUSED by ${p.by} since ${formatTime(p.at)}: ${p.reason}. Resume: watchdog resume`,
      '',
    );
  }
  if (status.targets.length === 0) return `${[...lines, 'No targets.'].join('\n')}\n`;
  const table = renderTable(
    ['TARGET', 'TYPE', 'MODE', 'CURRENT', 'KNOWN-GOOD', 'STATE', 'LAST DECISION', 'COOLDOWN'],
    status.targets.map((t) => [
      t.target,
      t.type,
      t.mode,
      t.currentVersion ?? DASH,
      t.knownGoodVersion ?? DASH,
      stateOf(t),
      t.lastDecision
        ? `${t.lastDecision.outcome} (${t.lastDecision.reason}), ${ago(t.lastDecision.at, now)}`
        : DASH,
      t.cooldownSecondsLeft > 0 ? formatMillis(t.cooldownSecondsLeft * 1000) : DASH,
    ]),
  );
  const notes = status.targets.flatMap(notesOf);
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${table}${notes.length > 0 ? `\n${notes.join('\n')}\n` : ''}`;
}

function change(item: { readonly from?: string; readonly to?: string }): string {
  if (item.from !== undefined && item.to !== undefined) return `${item.from} → ${item.to}`;
  return item.to ?? item.from ?? DASH;
}

/** `history` for people: one row per audited entry, in the order the watchdog returned them (oldest first). */
export function renderHistory(items: readonly HistoryItem[], scope: string): string {
  if (items.length === 0) return `No history entries${scope}.\n`;
  return renderTable(
    ['AT', 'TARGET', 'KIND', 'OUTCOME', 'CHANGE', 'BY', 'DETAIL'],
    items.map((i) => [
      formatTime(i.at),
      i.target,
      i.kind,
      i.outcome !== undefined && i.reason !== undefined
        ? `${i.outcome} (${i.reason})`
        : (i.outcome ?? i.reason ?? DASH),
      change(i),
      i.by !== undefined ? shortPrincipal(i.by) : DASH,
      i.drill
        ? `${i.detail} [drill ${i.drill.id}${i.drill.live ? ', live' : ''}: ${formatMillis(i.drill.alarmToDecisionMs)} alarm to decision]`
        : i.detail,
    ]),
  );
}

/** A mutating command's result for people: the watchdog's message, then the decision it took. */
export function renderCommandResult(result: CommandResult): string {
  const lines = [result.message];
  if (result.decision) {
    const d = result.decision;
    lines.push(
      `  decision: ${d.outcome} (${d.reason})${d.from !== undefined || d.to !== undefined ? `, ${change(d)}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** What a drill's decision means, in words: what the watchdog would have done, or (live) did. */
export function describeDrillDecision(item: HistoryItem, live: boolean): string {
  const span =
    item.from !== undefined || item.to !== undefined ? ` from ${item.from ?? '?'} to ${item.to ?? '?'}` : '';
  switch (item.outcome) {
    case 'rollback':
    case 'dry-run':
      return live && item.outcome === 'rollback'
        ? `rolled back ${item.target}${span}`
        : `would roll back ${item.target}${span}`;
    case 'approval-requested':
      return `${live ? 'asked' : 'would ask'} for approval to roll back ${item.target}${span}`;
    case 'skip':
      return `${live ? 'skipped' : 'would skip'}: ${item.reason ?? 'no reason given'}`;
    default:
      return `${item.outcome ?? item.kind}${item.reason !== undefined ? ` (${item.reason})` : ''}`;
  }
}
