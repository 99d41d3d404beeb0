import type { OperatorResponse, StatusResult, TargetStatus } from '../contract';
import type { SimulationOutput } from './output';
import type { SimulationRun } from './runner';
import type { RollbackTiming } from './summary';
import { clockTime, formatDuration, formatOffset, iso } from './time';
import type { InvocationTrace, TraceRecord } from './trace';
import type { WorldNoteKind } from './world/world-context';
import { entryOrigin } from './runner';

export interface RenderOptions {
  /** ANSI colours (on a TTY, unless NO_COLOR is set). */
  readonly color: boolean;
}

type Paint = (text: string) => string;

const ANSI = {
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
  cyan: '\u001b[36m',
  reset: '\u001b[0m',
} as const;

const LABEL_WIDTH = 9;

/** One line of the timeline: when, what kind of thing, and the detail. */
interface Row {
  readonly at: number;
  readonly label: string;
  readonly text: string;
  readonly paint: keyof typeof ANSI;
  readonly nested: boolean;
}

/**
 * The readable form of a run: a timeline aligned on time, kind and detail (events, decisions with their
 * reasons, AWS calls, notifications), then a one-line summary and the `expect` verdict.
 */
export function renderTimeline(
  run: SimulationRun,
  output: SimulationOutput,
  timings: readonly RollbackTiming[],
  options: RenderOptions,
): string {
  const c =
    (style: keyof typeof ANSI): Paint =>
    (text) =>
      options.color ? `${ANSI[style]}${text}${ANSI.reset}` : text;
  const { scenario } = run;
  const lines: string[] = [c('bold')(scenario.name)];
  if (scenario.description) lines.push(`  ${scenario.description}`);
  lines.push(
    c('dim')(
      `  start ${iso(scenario.startMs).replace('.000Z', 'Z')} · until ${formatOffset(scenario.untilMs - scenario.startMs)} · ` +
        `${count(scenario.config.targets.length, 'target')} · ${count(scenario.world.alarms.length, 'alarm')}`,
    ),
    '',
  );

  // A delivery right below the line that produced its event needs no line of its own.
  let lastOrigin: string | undefined;
  const rows = run.trace.flatMap((record) => {
    const produced = rowsOf(record, lastOrigin);
    lastOrigin =
      record.kind === 'note'
        ? record.source
        : record.kind === 'entry'
          ? entryOrigin(record.index)
          : undefined;
    return produced;
  });
  let lastAt: number | undefined;
  for (const row of rows) {
    const time = row.at === lastAt ? '' : `${formatOffset(row.at - scenario.startMs)}`;
    const clock = row.at === lastAt ? '' : clockTime(row.at);
    lastAt = row.at;
    // At least one space after the label, even a long one (`codedeploy` nested under an invocation).
    const label = `${row.nested ? '  ' : ''}${row.label} `.padEnd(LABEL_WIDTH + 2);
    lines.push(
      `  ${c('dim')(time.padEnd(8))} ${c('dim')(clock.padEnd(8))}  ${c(row.paint)(label)}${row.text}`,
    );
  }
  if (rows.length === 0) lines.push(c('dim')('  (nothing happened)'));

  lines.push('', `  ${summaryLine(timings, output)}`);
  if (output.expect.passed) {
    lines.push(`  ${c('green')('expect: passed')}`);
  } else {
    lines.push(`  ${c('red')(`expect: FAILED (${output.expect.failures.length})`)}`);
    for (const failure of output.expect.failures) lines.push(`    ${c('red')('✗')} ${failure}`);
  }
  return `${lines.join('\n')}\n`;
}

function rowsOf(record: TraceRecord, lastOrigin: string | undefined): Row[] {
  const row = (label: string, text: string, paint: Row['paint'], nested = false): Row => ({
    at: record.at,
    label,
    text,
    paint,
    nested,
  });
  switch (record.kind) {
    case 'note':
      return [row(record.note, record.text, notePaint(record.note, record.text))];
    case 'entry':
      return [row(`entry ${record.index}`, record.text, 'blue')];
    case 'problem':
      return [row('error', `${record.source}: ${record.message}`, 'red')];
    case 'failure-destination':
      return [
        row(
          'failed',
          `${record.handler} gave up after ${record.attempts} attempts (${record.error}); the event went to the failure destination`,
          'red',
        ),
      ];
    case 'invocation':
      return invocationRows(record, row, record.origin !== undefined && record.origin === lastOrigin);
  }
}

function invocationRows(
  record: InvocationTrace,
  row: (label: string, text: string, paint: Row['paint'], nested?: boolean) => Row,
  followsItsOrigin: boolean,
): Row[] {
  const command = record.command;
  const notable =
    record.delivery !== undefined ||
    record.attempt > 1 ||
    record.error !== undefined ||
    command !== undefined;
  const nested = notable || !followsItsOrigin;
  const rows: Row[] = [];
  for (const r of record.rejections) rows.push(row('rejected', r, 'yellow', nested));
  for (const d of record.decisions) {
    const change = d.from === undefined ? '' : d.to === undefined ? ` on ${d.from}` : ` ${d.from} → ${d.to}`;
    const paint = d.outcome === 'rollback' ? 'red' : d.outcome === 'skip' ? 'dim' : 'yellow';
    rows.push(
      row(
        'decision',
        `${d.target}: ${d.outcome} (${d.reason})${change} · trigger ${d.trigger}`,
        paint,
        nested,
      ),
    );
  }
  for (const call of record.calls) {
    // A successful publish is shown as its notification below.
    if (call.api === 'sns:Publish' && call.error === undefined) continue;
    rows.push(
      row(
        'aws call',
        `${call.api} ${call.target ?? ''}${call.error ? ` failed: ${call.error}` : ''}`,
        'magenta',
        nested,
      ),
    );
  }
  for (const effect of record.effects)
    rows.push(row(effect.note, effect.text, notePaint(effect.note, effect.text), nested));
  for (const n of record.notifications)
    rows.push(row('notify', `${n.kind} ${n.target}: ${n.title}`, 'green', nested));
  for (const log of record.logs) rows.push(row('log', log, 'yellow', nested));
  if (record.error !== undefined)
    rows.push(row('error', `${record.handler} failed: ${record.error}`, 'red', nested));
  // With several regions each invocation names its region's watchdog.
  const where = record.region === undefined ? '' : `[${record.region}] `;
  if (command) {
    const response = command.response;
    const answer = response ? describeResponse(response) : 'no answer';
    const paint = response?.ok ? 'blue' : 'yellow';
    return [row('command', `${where}${record.subject}  → ${answer}`, paint), ...rows];
  }
  // An invocation that did nothing worth a line (most deployment events) stays out of the timeline.
  if (!nested || (rows.length === 0 && !notable)) return rows;
  const copy = record.delivery ? ` (delivery ${record.delivery.n} of ${record.delivery.of})` : '';
  const retry = record.attempt > 1 ? ` (retry ${record.attempt - 1})` : '';
  return [row('invoke', `${where}${record.handler} ← ${record.subject}${copy}${retry}`, 'dim'), ...rows];
}

/** The operator function's answer in a few words: its message, or what status and history returned. */
function describeResponse(response: OperatorResponse): string {
  if (!response.ok) return `${response.error.code}: ${response.error.message}`;
  const result = response.result;
  if (Array.isArray(result)) return `${result.length} history ${result.length === 1 ? 'entry' : 'entries'}`;
  if (typeof result !== 'object' || result === null) return 'ok';
  if ('message' in result && typeof result.message === 'string') return result.message;
  if ('targets' in result && Array.isArray(result.targets)) return describeStatus(result as StatusResult);
  return 'ok';
}

function describeStatus(status: StatusResult): string {
  const targets = status.targets.map((t) => `${t.target} ${describeTarget(t)}`);
  return [...(status.watchdogPaused ? ['watchdog paused'] : []), ...targets].join('; ');
}

function describeTarget(t: TargetStatus): string {
  const parts = [
    `runs ${t.currentVersion ?? 'an unknown version'}`,
    `known-good ${t.knownGoodVersion ?? 'none'}`,
    ...(t.paused ? [`paused by ${t.paused.by}`] : []),
    ...(t.rollback ? [`rolling back to ${t.rollback.to}`] : []),
    ...(t.pendingApproval ? [`awaiting approval to roll back to ${t.pendingApproval.to}`] : []),
    ...(t.verification ? [`verifying until ${t.verification.until}`] : []),
    ...(t.frozen ? [`pipeline ${t.frozen.pipeline}/${t.frozen.stage} frozen`] : []),
  ];
  return parts.join(', ');
}

function notePaint(note: WorldNoteKind, text: string): Row['paint'] {
  switch (note) {
    case 'alarm':
      return alarmPaint(text);
    case 'deploy':
      return 'blue';
    case 'lost':
      return 'yellow';
    case 'ecs':
    case 'codedeploy':
    case 'codepipeline':
      return 'cyan';
  }
}

function alarmPaint(text: string): Row['paint'] {
  if (text.endsWith('→ ALARM')) return 'red';
  if (text.endsWith('→ OK')) return 'green';
  return 'yellow';
}

function summaryLine(timings: readonly RollbackTiming[], output: SimulationOutput): string {
  const parts = [count(timings.length, 'rollback')];
  if (timings.length > 0) {
    // The world's own truth, from the release: not the report's times, which start at the first ALARM.
    parts.push(`release → rollback decided ${durations(timings.map((t) => t.detectMs))}`);
    parts.push(`release → healthy ${durations(timings.map((t) => t.recoverMs))}`);
  }
  const { stats } = output;
  parts.push(count(stats.events, 'event'), `${stats.awsReads} AWS reads, ${stats.awsWrites} writes`);
  return parts.join(' · ');
}

function durations(values: readonly (number | undefined)[]): string {
  return values.map((v) => (v === undefined ? 'n/a' : formatDuration(v))).join(', ');
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
