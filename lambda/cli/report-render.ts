import { formatDuration, OperatorTransportError, type IncidentReport, type ReportResult } from '../contract';
import { isRecord } from '../boundary/json-path';

/**
 * `watchdog report` for people: the incident as text (the terminal) or Markdown (a post-incident review
 * document). Both say the same facts in the same order; the HTML page (report-html.ts) adds the picture.
 */

/** The `report` result, checked: it comes from a stack that may run another version of the watchdog. */
export function asReportResult(result: unknown): ReportResult {
  const incidents = isRecord(result) ? result.incidents : undefined;
  const report = isRecord(result) ? result.report : undefined;
  if (
    !Array.isArray(incidents) ||
    (report !== undefined &&
      (!isRecord(report) ||
        typeof report.incident !== 'string' ||
        typeof report.summary !== 'string' ||
        !Array.isArray(report.timeline)))
  )
    throw new OperatorTransportError(
      'bad-response',
      'the operator function answered with an unexpected report result; is this CLI older or newer than the deployed stack?',
    );
  return result as ReportResult;
}

const duration = (ms: number | undefined): string => (ms === undefined ? 'n/a' : formatDuration(ms));
const time = (iso: string | undefined): string => (iso === undefined ? 'n/a' : iso.replace('.000Z', 'Z'));

interface Fact {
  readonly label: string;
  readonly value: string;
}

/** The facts of the report, in reading order, shared by the text and Markdown forms. */
function facts(r: IncidentReport): { section: string; facts: Fact[] }[] {
  const release: Fact[] = r.release
    ? [
        { label: 'Version', value: r.release.version },
        { label: 'Started', value: time(r.release.startedAt) },
        ...(r.release.completedAt ? [{ label: 'Completed', value: time(r.release.completedAt) }] : []),
        { label: 'Deployed by', value: r.release.deployedBy ?? 'not recorded' },
        ...(r.release.deploymentId ? [{ label: 'Deployment', value: r.release.deploymentId }] : []),
      ]
    : [{ label: 'Version', value: 'not recorded' }];
  const alarm: Fact[] = r.firstAlarm
    ? [
        { label: 'Alarm', value: `${r.firstAlarm.alarm} → ALARM at ${time(r.firstAlarm.at)}` },
        ...(r.firstAlarm.datapoints
          ? [{ label: 'Data points', value: r.firstAlarm.datapoints.map(String).join(', ') || 'none' }]
          : []),
        ...(r.firstAlarm.threshold !== undefined
          ? [{ label: 'Threshold', value: String(r.firstAlarm.threshold) }]
          : []),
        ...(r.firstAlarm.reason ? [{ label: 'Reason', value: r.firstAlarm.reason }] : []),
      ]
    : [{ label: 'Alarm', value: 'no alarm transition recorded (an operator or another region started it)' }];
  const rollback: Fact[] = r.rollback
    ? [
        {
          label: 'Rollback',
          value: `${r.rollback.from ?? '?'} → ${r.rollback.to ?? '?'} (${r.rollback.reason})`,
        },
        { label: 'Decided', value: `${time(r.rollback.decidedAt)} (decision ${r.rollback.decisionId})` },
        ...(r.rollback.by ? [{ label: 'By', value: r.rollback.by }] : []),
        ...(r.rollback.action
          ? [
              {
                label: 'Call',
                value:
                  r.rollback.action === 'stop'
                    ? 'stop the in-progress deployment (the platform rolls back)'
                    : `redeploy ${r.rollback.to ?? '?'}`,
              },
            ]
          : []),
        { label: 'Completed', value: time(r.rollback.completedAt) },
        {
          label: 'Verified',
          value: r.rollback.verifiedAt ? time(r.rollback.verifiedAt) : `not (${r.status})`,
        },
        ...(r.rollback.failedAt ? [{ label: 'Failed', value: time(r.rollback.failedAt) }] : []),
      ]
    : [{ label: 'Rollback', value: 'none' }];
  const freeze: Fact[] = r.freeze
    ? [
        {
          label: 'Deploy freeze',
          value: `${r.freeze.pipeline} / ${r.freeze.stage}${r.freeze.resumedAt ? `, re-enabled at ${time(r.freeze.resumedAt)}` : ', still disabled'}`,
        },
      ]
    : [];
  return [
    {
      section: 'Times',
      facts: [
        { label: 'Time to detect', value: `${duration(r.times.detectMs)} (release → first ALARM)` },
        { label: 'Time to act', value: `${duration(r.times.actMs)} (first ALARM → rollback decided)` },
        {
          label: 'Time to recover',
          value: `${duration(r.times.recoverMs)} (first ALARM → every trigger alarm OK after the rollback)`,
        },
      ],
    },
    { section: 'Release', facts: release },
    { section: 'First alarm', facts: alarm },
    { section: 'Rollback', facts: [...rollback, ...freeze] },
  ];
}

/** The report for a terminal. `others` lists the target's other incidents. */
export function renderReportText(result: ReportResult, target: string): string {
  const r = result.report;
  if (!r) return `No incident of ${target} in the audit log.\n`;
  const lines = [
    `Incident ${r.incident} of ${r.target}${r.region ? ` (${r.region})` : ''}: ${r.status}`,
    r.summary,
    '',
  ];
  for (const { section, facts: list } of facts(r)) {
    lines.push(`${section}:`);
    const width = Math.max(...list.map((f) => f.label.length));
    for (const f of list) lines.push(`  ${`${f.label}:`.padEnd(width + 1)} ${f.value}`);
    lines.push('');
  }
  lines.push('Timeline:');
  for (const e of r.timeline) {
    lines.push(`  ${time(e.at)}  ${e.kind.padEnd(18)} ${e.title}`);
    if (e.detail && e.kind !== 'alarm-ok') lines.push(`  ${' '.repeat(20)}  ${' '.repeat(18)} ${e.detail}`);
  }
  if (r.skipped.length > 0) {
    lines.push('', 'Skipped (counted, not listed):');
    for (const s of r.skipped)
      lines.push(`  ${s.reason} ×${s.count} (${time(s.first)}${s.count > 1 ? ` … ${time(s.last)}` : ''})`);
  }
  if (r.links.length > 0) {
    lines.push('', 'Links:');
    for (const l of r.links) lines.push(`  ${l.label}: ${l.url}`);
  }
  const others = result.incidents.filter((i) => i.incident !== r.incident);
  if (others.length > 0) {
    lines.push('', `Other incidents of ${r.target} (--incident <id>):`);
    for (const i of others) lines.push(`  ${i.incident}  ${time(i.at)}  ${i.summary}`);
  }
  lines.push('', `Again: ${r.command}`);
  return `${lines.join('\n')}\n`;
}

/** Markdown cell text: no line breaks, pipes escaped. */
const cell = (s: string): string => s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');

/** The report as Markdown, for a post-incident review. */
export function renderReportMarkdown(result: ReportResult, target: string): string {
  const r = result.report;
  if (!r) return `# No incident of ${target}\n\nThe audit log holds no incident of ${target}.\n`;
  const out = [
    `# Incident ${r.incident}: ${r.target}${r.region ? ` (${r.region})` : ''}`,
    '',
    `**${cell(r.summary)}**`,
    '',
  ];
  for (const { section, facts: list } of facts(r)) {
    out.push(`## ${section}`, '');
    for (const f of list) out.push(`- **${f.label}:** ${cell(f.value)}`);
    out.push('');
  }
  out.push('## Timeline', '', '| Time (UTC) | What | Detail |', '| --- | --- | --- |');
  for (const e of r.timeline)
    out.push(`| ${time(e.at)} | ${cell(`${e.kind}: ${e.title}`)} | ${cell(e.detail ?? '')} |`);
  out.push('');
  if (r.skipped.length > 0) {
    out.push('## Skipped decisions', '', '| Reason | Count | First | Last |', '| --- | --- | --- | --- |');
    for (const s of r.skipped) out.push(`| ${s.reason} | ${s.count} | ${time(s.first)} | ${time(s.last)} |`);
    out.push('');
  }
  if (r.links.length > 0) {
    out.push('## Links', '');
    for (const l of r.links)
      out.push(`- [${cell(l.label)}](${l.url.replace(/[()\s]/g, encodeURIComponent)})`);
    out.push('');
  }
  out.push('---', '', `Printed again with \`${r.command}\`.`, '');
  return out.join('\n');
}
