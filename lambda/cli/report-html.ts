import {
  formatDuration,
  type AlarmBand,
  type IncidentEvent,
  type IncidentReport,
  type ServingSpan,
} from '../contract';

/**
 * `watchdog report <target> --html FILE`: one incident as a single self-contained HTML page, for a postmortem
 * or a ticket. Everything is inline: one `<style>`, the timeline as static SVG drawn here, no script, no font,
 * no image and no link that the page itself loads, so the file opens the same offline, attached to an email
 * or printed. Every string of the report is escaped (alarm reasons come from CloudWatch, names from operators)
 * and only http(s) links become hrefs. The output depends on the report alone: no clock, no random ids.
 */
export function renderReportHtml(report: IncidentReport): string {
  const title = `${report.target}: incident ${report.incident} (${STATUS_LABEL[report.status] ?? report.status})`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(report),
    durations(report),
    '<section class="picture">',
    '<h2>Timeline</h2>',
    timelineSvg(report),
    legend(report),
    '</section>',
    '<div class="facts">',
    releaseFacts(report),
    firstAlarmFacts(report),
    rollbackFacts(report),
    freezeFacts(report),
    '</div>',
    eventsTable(report),
    skippedTable(report),
    linkList(report),
    '<section class="command">',
    '<h2>Print this report again</h2>',
    `<pre><code>${esc(report.command)}</code></pre>`,
    '</section>',
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const STATUS_LABEL: Readonly<Record<IncidentReport['status'], string>> = {
  recovered: 'recovered',
  'rolling-back': 'rolling back',
  verifying: 'rolled back, verifying',
  unverified: 'rolled back, unverified',
  failed: 'rollback failed',
  'not-rolled-back': 'not rolled back',
};

// ---------------------------------------------------------------------------------------------------------
// Escaping and formatting

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an HTML or SVG text node or a double-quoted attribute value: safe in both. */
function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** A class-name fragment from report data (`band-ALARM`, `mark-call`): anything unusual becomes `-`. */
function token(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '-') || '-';
}

/** The URL when it is http(s), else undefined: `javascript:`, `data:` and relative links never become hrefs. */
function webUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
}

/** Milliseconds of an ISO time, or undefined when the string is not one. */
function msOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `2026-03-01 10:15:00 UTC`, as the notifications write times; a string that is no time is shown as it is. */
function utc(iso: string): string {
  const ms = msOf(iso);
  return ms === undefined ? iso : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A `<time>` element for an ISO time. */
function timeEl(iso: string): string {
  return `<time datetime="${esc(iso)}">${esc(utc(iso))}</time>`;
}

/** `10:01:02` for a time on the window's first day (the header says which), else the whole `utc` time. */
function clockEl(iso: string, startMs: number): string {
  const ms = msOf(iso);
  if (ms === undefined) return esc(iso);
  const full = new Date(ms).toISOString();
  const sameDay = full.slice(0, 10) === new Date(startMs).toISOString().slice(0, 10);
  return sameDay
    ? `<time datetime="${esc(iso)}" title="${esc(utc(iso))}">${full.slice(11, 19)}</time>`
    : timeEl(iso);
}

/** `+4m 10s` from the window's start. */
function offset(iso: string, startMs: number): string {
  const ms = msOf(iso);
  if (ms === undefined) return '';
  const d = ms - startMs;
  return d === 0 ? '+0s' : `${d < 0 ? '−' : '+'}${formatDuration(Math.abs(d))}`;
}

/** A coordinate for SVG: one decimal, never NaN or Infinity. */
function n(value: number): string {
  return (Number.isFinite(value) ? value : 0).toFixed(1);
}

// ---------------------------------------------------------------------------------------------------------
// Sections

function header(r: IncidentReport): string {
  const status = STATUS_LABEL[r.status] ?? r.status;
  const where = [
    `Incident <code>${esc(r.incident)}</code>`,
    ...(r.region !== undefined ? [`region <code>${esc(r.region)}</code>`] : []),
    `${timeEl(r.window.start)} to ${timeEl(r.window.end)}`,
  ];
  return [
    '<header>',
    `<p class="eyebrow">Rollback Watchdog incident report</p>`,
    `<h1>${esc(r.target)} <span class="status status-${token(r.status)}">${esc(status)}</span></h1>`,
    `<p class="where">${where.join(' · ')}</p>`,
    `<p class="summary" id="summary">${esc(r.summary)}</p>`,
    '</header>',
  ].join('\n');
}

function durations(r: IncidentReport): string {
  const one = (label: string, ms: number | undefined, what: string) =>
    `<div class="duration"><dt>${esc(label)}</dt><dd><strong>${esc(ms !== undefined ? formatDuration(ms) : 'n/a')}</strong><span>${esc(what)}</span></dd></div>`;
  return [
    '<dl class="durations">',
    one('Time to detect', r.times.detectMs, 'release start → first ALARM'),
    one('Time to act', r.times.actMs, 'first ALARM → rollback decided'),
    one('Time to recover', r.times.recoverMs, 'first ALARM → every trigger alarm OK again'),
    '</dl>',
  ].join('\n');
}

type Fact = readonly [label: string, valueHtml: string | undefined];

/** A titled list of facts; facts without a value are left out, and `none` says what an empty one means. */
function factSection(id: string, heading: string, facts: readonly Fact[] | undefined, none: string): string {
  const rows = (facts ?? []).filter((f): f is readonly [string, string] => f[1] !== undefined);
  const body =
    rows.length > 0
      ? `<dl>${rows.map(([label, value]) => `<dt>${esc(label)}</dt><dd>${value}</dd>`).join('')}</dl>`
      : `<p class="none">${esc(none)}</p>`;
  return `<section class="fact-card" id="${id}"><h2>${esc(heading)}</h2>${body}</section>`;
}

const code = (value: string | undefined) => (value !== undefined ? `<code>${esc(value)}</code>` : undefined);
const text = (value: string | undefined) => (value !== undefined ? esc(value) : undefined);
const when = (value: string | undefined) => (value !== undefined ? timeEl(value) : undefined);

function releaseFacts(r: IncidentReport): string {
  const rel = r.release;
  return factSection(
    'release',
    'Release',
    rel && [
      ['Version', code(rel.version)],
      ['Started', when(rel.startedAt)],
      ['Completed', when(rel.completedAt)],
      ['Deployed by', code(rel.deployedBy)],
      ['Deployment', code(rel.deploymentId)],
    ],
    'The audit names no release for this incident.',
  );
}

function firstAlarmFacts(r: IncidentReport): string {
  const a = r.firstAlarm;
  return factSection(
    'first-alarm',
    'First alarm',
    a && [
      ['Alarm', code(a.alarm)],
      ['In ALARM since', when(a.at)],
      ['Reason', text(a.reason)],
      ['Threshold', a.threshold !== undefined ? esc(a.threshold) : undefined],
      [
        'Datapoints',
        a.datapoints !== undefined && a.datapoints.length > 0
          ? `<span class="datapoints">${a.datapoints.map((d) => `<code>${esc(d)}</code>`).join(' ')}</span>`
          : undefined,
      ],
    ],
    'No ALARM transition was audited for this incident.',
  );
}

function rollbackFacts(r: IncidentReport): string {
  const rb = r.rollback;
  return factSection(
    'rollback',
    'Rollback',
    rb && [
      [
        'Versions',
        rb.from !== undefined || rb.to !== undefined
          ? `${code(rb.from ?? '?')} → ${code(rb.to ?? '?')}`
          : undefined,
      ],
      ['Reason', code(rb.reason)],
      ['Decided', when(rb.decidedAt)],
      ['Decided by', code(rb.by)],
      ['Action', code(rb.action)],
      ['Completed', when(rb.completedAt)],
      ['Verified', when(rb.verifiedAt)],
      ['Failed', when(rb.failedAt)],
      ['Decision', code(rb.decisionId)],
    ],
    'The watchdog did not roll back in this incident.',
  );
}

function freezeFacts(r: IncidentReport): string {
  const f = r.freeze;
  return factSection(
    'freeze',
    'Deploy freeze',
    f && [
      ['Pipeline', code(f.pipeline)],
      ['Stage', code(f.stage)],
      ['Resumed', f.resumedAt !== undefined ? timeEl(f.resumedAt) : 'not yet: the stage is still frozen'],
    ],
    'No pipeline stage was frozen.',
  );
}

/** The events table's column widths: the prose columns share what the short ones leave. */
const EVENT_COLUMNS =
  '<colgroup><col style="width:4%"><col style="width:9%"><col style="width:8%"><col style="width:16%">' +
  '<col style="width:23%"><col style="width:24%"><col style="width:16%"></colgroup>';

function eventsTable(r: IncidentReport): string {
  const startMs = msOf(r.window.start) ?? 0;
  const rows = r.timeline.map(
    (e, i) =>
      `<tr class="event-${token(e.kind)}"><td class="num">${i + 1}</td><td>${clockEl(e.at, startMs)}</td>` +
      `<td class="nowrap muted">${esc(offset(e.at, startMs))}</td>` +
      `<td><span class="kind kind-${token(e.kind)}">${esc(e.kind)}</span></td>` +
      `<td>${esc(e.title)}</td><td class="detail">${e.detail !== undefined ? esc(e.detail) : ''}</td>` +
      `<td class="by">${e.by !== undefined ? `<code>${esc(e.by)}</code>` : ''}</td></tr>`,
  );
  return [
    '<section id="events">',
    '<h2>Events</h2>',
    rows.length > 0
      ? `<table>${EVENT_COLUMNS}<thead><tr><th>#</th><th>Time</th><th>T+</th><th>Kind</th><th>What</th><th>Detail</th><th>By</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`
      : '<p class="none">No events were audited.</p>',
    '</section>',
  ].join('\n');
}

function skippedTable(r: IncidentReport): string {
  const rows = r.skipped.map(
    (s) =>
      `<tr><td><code>${esc(s.reason)}</code></td><td class="num">${esc(s.count)}</td>` +
      `<td class="nowrap">${timeEl(s.first)}</td><td class="nowrap">${timeEl(s.last)}</td></tr>`,
  );
  return [
    '<section id="skipped">',
    '<h2>Skipped, and only counted</h2>',
    rows.length > 0
      ? `<table><thead><tr><th>Reason</th><th>Count</th><th>First</th><th>Last</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`
      : '<p class="none">Nothing was skipped.</p>',
    '</section>',
  ].join('\n');
}

function linkList(r: IncidentReport): string {
  const items = r.links.map((l) => {
    const href = webUrl(l.url);
    return href !== undefined
      ? `<li><a href="${esc(href)}" rel="noopener noreferrer">${esc(l.label)}</a><span class="url">${esc(href)}</span></li>`
      : `<li>${esc(l.label)}: <code class="unlinked">${esc(l.url)}</code></li>`;
  });
  return [
    '<section id="links">',
    '<h2>Links</h2>',
    items.length > 0 ? `<ul class="links">${items.join('')}</ul>` : '<p class="none">No links.</p>',
    '</section>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// The timeline picture

const WIDTH = 960;
const PLOT_LEFT = 190;
const PLOT_RIGHT = WIDTH - 24;
const LANE_HEIGHT = 24;
const LANE_GAP = 6;
const GROUP_GAP = 12;
/** The row above each group of lanes that names it (Serving, Alarms, Events). */
const GROUP_LABEL = 16;
const MARK_ROW = 20;
const MARK_RADIUS = 8;
/** A window shorter than this (one moment: start == end) is drawn this wide, so that it still has an axis. */
const MIN_WINDOW_MS = 60_000;
/** Tick steps to choose from: the smallest that gives at most MAX_TICKS ticks. */
const TICK_STEPS_MS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
].map((s) => s * 1000);
const MAX_TICKS = 7;
/** Rough width of one character of the 11px labels, to decide whether a label fits inside its bar. */
const CHAR_WIDTH = 6.6;

interface Scale {
  readonly startMs: number;
  readonly endMs: number;
  readonly x: (ms: number) => number;
}

function scaleOf(r: IncidentReport): Scale {
  const startMs = msOf(r.window.start) ?? msOf(r.timeline[0]?.at) ?? 0;
  const endMs = Math.max(msOf(r.window.end) ?? startMs, startMs + MIN_WINDOW_MS);
  const span = endMs - startMs;
  const x = (ms: number) =>
    PLOT_LEFT + ((Math.min(Math.max(ms, startMs), endMs) - startMs) / span) * (PLOT_RIGHT - PLOT_LEFT);
  return { startMs, endMs, x };
}

/** Where a bar starts and ends on the axis; one without an end (or an unreadable one) runs to the window's end. */
function barOf(scale: Scale, from: string, until: string | undefined): { x: number; w: number } {
  const x0 = scale.x(msOf(from) ?? scale.startMs);
  const x1 = scale.x(msOf(until) ?? scale.endMs);
  return { x: x0, w: Math.max(x1 - x0, 2) };
}

/** A label shortened to `max` characters, so that a long version (a task definition ARN) keeps to its gutter. */
function clip(label: string, max: number): string {
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}

function laneLabel(y: number, label: string, caption?: string): string {
  const main = `<text class="lane-label" x="${PLOT_LEFT - 10}" y="${n(y + (caption ? 11 : 16))}" text-anchor="end">${esc(clip(label, 26))}<title>${esc(label)}</title></text>`;
  return caption
    ? `${main}<text class="lane-caption" x="${PLOT_LEFT - 10}" y="${n(y + 21)}" text-anchor="end">${esc(caption)}</text>`
    : main;
}

/** Text inside a bar when it fits there. */
function barText(x: number, w: number, y: number, label: string, cls: string): string {
  return label.length * CHAR_WIDTH + 8 <= w
    ? `<text class="${cls}" x="${n(x + 5)}" y="${n(y + 16)}">${esc(label)}</text>`
    : '';
}

/** What a serving lane's color means: the released version is the one rolled back from, if there was a rollback. */
function roleCaption(role: ServingSpan['role'], r: IncidentReport): string {
  switch (role) {
    case 'released':
      return r.rollback ? 'released (rolled back from)' : 'released';
    case 'rolled-back-to':
      return 'known-good (rolled back to)';
    default:
      return 'serving';
  }
}

/** The versions in order of first appearance, each with its spans: one lane per version. */
function servingLanes(serving: readonly ServingSpan[]): { version: string; spans: ServingSpan[] }[] {
  const lanes: { version: string; spans: ServingSpan[] }[] = [];
  for (const span of serving) {
    const lane = lanes.find((l) => l.version === span.version);
    if (lane) lane.spans.push(span);
    else lanes.push({ version: span.version, spans: [span] });
  }
  return lanes;
}

function alarmLanes(alarms: readonly AlarmBand[]): { alarm: string; bands: AlarmBand[] }[] {
  const lanes: { alarm: string; bands: AlarmBand[] }[] = [];
  for (const band of alarms) {
    const lane = lanes.find((l) => l.alarm === band.alarm);
    if (lane) lane.bands.push(band);
    else lanes.push({ alarm: band.alarm, bands: [band] });
  }
  return lanes;
}

/**
 * Rows for the event marks: each mark goes to the first row where it keeps clear of the mark before it, so
 * that moments close together (a decision and its call share a millisecond) stay readable.
 */
function markRows(xs: readonly number[]): number[] {
  const lastX: number[] = [];
  return xs.map((x) => {
    let row = lastX.findIndex((prev) => x - prev >= MARK_RADIUS * 2 + 2);
    if (row < 0) {
      row = lastX.length;
      lastX.push(x);
    } else lastX[row] = x;
    return row;
  });
}

function ticksOf(scale: Scale): number[] {
  const span = scale.endMs - scale.startMs;
  const step = TICK_STEPS_MS.find((s) => span / s <= MAX_TICKS - 1) ?? Math.ceil(span / (MAX_TICKS - 1));
  const first = Math.ceil(scale.startMs / step) * step;
  const ticks: number[] = [];
  for (let t = first; t <= scale.endMs && ticks.length < MAX_TICKS + 1; t += step) ticks.push(t);
  return ticks;
}

function tickLabel(ms: number, scale: Scale): string {
  const iso = new Date(ms).toISOString();
  const sameDay = iso.slice(0, 10) === new Date(scale.startMs).toISOString().slice(0, 10);
  const clock = iso.slice(11, scale.endMs - scale.startMs >= 10 * 60_000 ? 16 : 19);
  return sameDay ? clock : `${iso.slice(5, 10)} ${clock}`;
}

function groupLabel(y: number, label: string): string {
  return `<text class="group-label" x="8" y="${n(y + 11)}">${esc(label)}</text>`;
}

function timelineSvg(r: IncidentReport): string {
  const scale = scaleOf(r);
  const parts: string[] = [];
  let y = 6;

  const serving = servingLanes(r.serving);
  if (serving.length > 0) {
    parts.push(groupLabel(y, 'Serving'));
    y += GROUP_LABEL;
    for (const lane of serving) {
      const roles = [...new Set(lane.spans.map((s) => s.role))];
      parts.push(
        `<g class="lane lane-serving" data-version="${esc(lane.version)}">`,
        laneLabel(y, lane.version, roles.length === 1 ? roleCaption(roles[0], r) : undefined),
      );
      for (const span of lane.spans) {
        const { x, w } = barOf(scale, span.from, span.until);
        const hover = `${span.version}: ${roleCaption(span.role, r)}, ${utc(span.from)} to ${span.until !== undefined ? utc(span.until) : 'the end of the window (still serving)'}`;
        parts.push(
          `<rect class="serving serving-${token(span.role)}" data-version="${esc(span.version)}" data-role="${esc(span.role)}" x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${LANE_HEIGHT}" rx="3"><title>${esc(hover)}</title></rect>`,
          barText(x, w, y, span.version, 'bar-label'),
        );
      }
      parts.push('</g>');
      y += LANE_HEIGHT + LANE_GAP;
    }
    y += GROUP_GAP - LANE_GAP;
  }

  const alarms = alarmLanes(r.alarms);
  if (alarms.length > 0) {
    parts.push(groupLabel(y, 'Alarms'));
    y += GROUP_LABEL;
    for (const lane of alarms) {
      parts.push(`<g class="lane lane-alarm" data-alarm="${esc(lane.alarm)}">`, laneLabel(y, lane.alarm));
      for (const band of lane.bands) {
        const { x, w } = barOf(scale, band.from, band.until);
        const hover = `${band.alarm} ${band.state}: ${utc(band.from)} to ${band.until !== undefined ? utc(band.until) : 'the end of the window'}`;
        parts.push(
          `<rect class="band band-${token(band.state)}" data-alarm="${esc(band.alarm)}" data-state="${esc(band.state)}" x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${LANE_HEIGHT}"><title>${esc(hover)}</title></rect>`,
          barText(x, w, y, band.state, `bar-label bar-label-${token(band.state)}`),
        );
      }
      parts.push('</g>');
      y += LANE_HEIGHT + LANE_GAP;
    }
    y += GROUP_GAP - LANE_GAP;
  }

  const events = r.timeline.map((e) => ({ e, x: scale.x(msOf(e.at) ?? scale.startMs) }));
  const rows = markRows(events.map((m) => m.x));
  const rowCount = Math.max(1, ...rows.map((row) => row + 1));
  parts.push(groupLabel(y, 'Events'));
  y += GROUP_LABEL;
  const marksTop = y;
  events.forEach(({ e, x }, i) => {
    parts.push(mark(e, i + 1, x, marksTop + MARK_RADIUS + 2 + rows[i] * MARK_ROW));
  });
  y += rowCount * MARK_ROW + 4;

  const axisY = y;
  const ticks = ticksOf(scale).map((t) => {
    const x = scale.x(t);
    return (
      `<line class="grid" x1="${n(x)}" y1="4" x2="${n(x)}" y2="${n(axisY)}"></line>` +
      `<line class="tick" x1="${n(x)}" y1="${n(axisY)}" x2="${n(x)}" y2="${n(axisY + 5)}"></line>` +
      `<text class="tick-label" x="${n(x)}" y="${n(axisY + 18)}" text-anchor="middle">${esc(tickLabel(t, scale))}</text>`
    );
  });
  const height = axisY + 26;
  const description = `From ${utc(r.window.start)} to ${utc(r.window.end)}: ${r.serving.length} serving spans, ${r.alarms.length} alarm states, ${r.timeline.length} events.`;
  return [
    `<svg id="timeline" xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="timeline-title timeline-desc" viewBox="0 0 ${WIDTH} ${n(height)}" width="${WIDTH}" height="${n(height)}" data-start="${esc(r.window.start)}" data-end="${esc(r.window.end)}">`,
    `<title id="timeline-title">${esc(`Timeline of incident ${r.incident} on ${r.target}`)}</title>`,
    `<desc id="timeline-desc">${esc(description)}</desc>`,
    `<g class="grid-lines">${ticks.join('')}</g>`,
    ...parts,
    `<line class="axis" x1="${PLOT_LEFT}" y1="${n(axisY)}" x2="${PLOT_RIGHT}" y2="${n(axisY)}"></line>`,
    `<text class="axis-label" x="8" y="${n(axisY + 18)}">UTC</text>`,
    '</svg>',
  ].join('\n');
}

/** One event: a numbered marker in the events lane (the number of its row in the table) and a guide line up. */
function mark(e: IncidentEvent, num: number, x: number, cy: number): string {
  const cls = token(e.kind);
  return (
    `<g class="mark mark-${cls}" data-kind="${esc(e.kind)}" data-at="${esc(e.at)}">` +
    `<title>${esc(`${num}. ${utc(e.at)}: ${e.title}`)}</title>` +
    `<line class="guide" x1="${n(x)}" y1="4" x2="${n(x)}" y2="${n(cy - MARK_RADIUS)}"></line>` +
    `<circle cx="${n(x)}" cy="${n(cy)}" r="${MARK_RADIUS}"></circle>` +
    `<text class="mark-num" x="${n(x)}" y="${n(cy + 3.5)}" text-anchor="middle">${num}</text>` +
    '</g>'
  );
}

const KIND_LABEL: Readonly<Record<IncidentEvent['kind'], string>> = {
  release: 'release',
  alarm: 'alarm',
  decision: 'decision',
  call: 'call to the platform',
  'rollback-completed': 'rollback completed',
  'rollback-failed': 'rollback failed',
  verified: 'verified',
  unverified: 'unverified',
  operator: 'operator',
  'alarm-ok': 'alarm OK',
};

/** What the colors mean: the event kinds present, and the bars' colors. */
function legend(r: IncidentReport): string {
  const kinds = [...new Set(r.timeline.map((e) => e.kind))];
  const states = [...new Set(r.alarms.map((b) => b.state))];
  const roles = [...new Set(r.serving.map((s) => s.role))];
  const item = (swatch: string, label: string) =>
    `<li><span class="swatch ${swatch}"></span>${esc(label)}</li>`;
  return [
    '<ul class="legend">',
    ...roles.map((role) => item(`swatch-serving-${token(role)}`, roleCaption(role, r))),
    ...states.map((state) => item(`swatch-band-${token(state)}`, state)),
    ...kinds.map((kind) => item(`swatch-mark-${token(kind)}`, KIND_LABEL[kind] ?? kind)),
    '</ul>',
    '<p class="hint">Numbers are the rows of the events table below; hover a bar or a mark for its times.</p>',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Style: system fonts only, and colors that print.

const KIND_COLORS: Readonly<Record<IncidentEvent['kind'], string>> = {
  release: '#1a73e8',
  alarm: '#c5221f',
  decision: '#6a1b9a',
  call: '#e37400',
  'rollback-completed': '#00796b',
  'rollback-failed': '#8b0000',
  verified: '#188038',
  unverified: '#b06000',
  operator: '#5f6368',
  'alarm-ok': '#34a853',
};

const kindRules = Object.entries(KIND_COLORS)
  .map(
    ([kind, color]) =>
      `.mark-${kind} circle,.swatch-mark-${kind}{fill:${color};background:${color}}` +
      `.mark-${kind} .guide{stroke:${color}}.kind-${kind}{border-color:${color};color:${color}}`,
  )
  .join('\n');

const STYLE = `
:root{--ink:#202124;--muted:#5f6368;--line:#dadce0;--soft:#f8f9fa;--alarm:#d93025;--ok:#34a853;--grey:#9aa0a6}
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{margin:0;color:var(--ink);background:#fff;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1040px;margin:0 auto;padding:24px 32px 48px}
h1{font-size:26px;margin:2px 0 6px;display:flex;align-items:center;gap:12px;flex-wrap:wrap}
h2{font-size:15px;margin:0 0 8px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
section{margin:24px 0}
code,pre,time,.num{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px}
code{word-break:break-all}
.eyebrow{margin:0;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.06em}
.where{margin:0;color:var(--muted)}
.summary{font-size:16px;margin:14px 0 0;padding:10px 14px;border-left:4px solid var(--ink);background:var(--soft)}
.status{font-size:13px;font-weight:600;padding:2px 10px;border-radius:12px;border:1px solid;white-space:nowrap}
.status-recovered{color:#137333;background:#e6f4ea}
.status-rolling-back,.status-verifying,.status-unverified{color:#b06000;background:#fef7e0}
.status-failed{color:#a50e0e;background:#fce8e6}
.status-not-rolled-back{color:var(--muted);background:var(--soft)}
.durations{display:grid;grid-template-columns:repeat(3,1fr);gap:12px;margin:20px 0 0}
.duration{border:1px solid var(--line);border-radius:6px;padding:10px 14px}
.duration dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.duration dd{margin:2px 0 0}
.duration strong{display:block;font-size:24px}
.duration span{color:var(--muted);font-size:12px}
#timeline{display:block;max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
#timeline text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--ink)}
#timeline .group-label{font-weight:600;fill:var(--muted);text-transform:uppercase;letter-spacing:.05em;font-size:10px}
#timeline .lane-caption{fill:var(--muted);font-size:9.5px}
#timeline .tick-label,#timeline .axis-label{fill:var(--muted)}
#timeline .bar-label{fill:#fff;font-weight:600;pointer-events:none}
#timeline .bar-label-INSUFFICIENT_DATA{fill:var(--ink)}
#timeline .mark-num{fill:#fff;font-size:9px;font-weight:700}
.grid{stroke:#eceff1;stroke-width:1}
.axis,.tick{stroke:var(--muted);stroke-width:1}
.serving{fill:#5f6368}
.serving-released{fill:#c5221f;fill-opacity:.8}
.serving-rolled-back-to{fill:#1a73e8}
.serving-other{fill:#80868b}
.band{fill:#bdc1c6}
.band-ALARM{fill:var(--alarm)}
.band-OK{fill:var(--ok)}
.band-INSUFFICIENT_DATA{fill:#dadce0}
.mark circle{fill:var(--muted);stroke:#fff;stroke-width:1.5}
.mark .guide{stroke:var(--muted);stroke-width:1;stroke-dasharray:2 3;opacity:.7}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 16px;padding:0;margin:10px 0 0;font-size:12px;color:var(--muted)}
.legend li{display:flex;align-items:center;gap:6px}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;background:#bdc1c6}
.swatch[class*="swatch-mark-"]{border-radius:50%}
.swatch-serving-released{background:#c5221f;opacity:.8}
.swatch-serving-rolled-back-to{background:#1a73e8}
.swatch-serving-other{background:#80868b}
.swatch-band-ALARM{background:var(--alarm)}
.swatch-band-OK{background:var(--ok)}
.swatch-band-INSUFFICIENT_DATA{background:#dadce0}
.hint{color:var(--muted);font-size:12px;margin:4px 0 0}
${kindRules}
.facts{display:grid;grid-template-columns:repeat(2,1fr);gap:12px;margin:24px 0}
.fact-card{margin:0;border:1px solid var(--line);border-radius:6px;padding:12px 14px}
.fact-card dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:0}
.fact-card dt{color:var(--muted)}
.fact-card dd{margin:0;min-width:0}
.none{color:var(--muted);margin:0}
.datapoints code{background:var(--soft);padding:0 4px;border-radius:3px}
table{width:100%;border-collapse:collapse;font-size:13px}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid var(--line)}
th{color:var(--muted);font-weight:600;font-size:12px;border-bottom:2px solid var(--line)}
tr{break-inside:avoid}
.nowrap{white-space:nowrap}
.muted{color:var(--muted)}
#events table{table-layout:fixed}
.detail{color:#3c4043}
td code,td{overflow-wrap:anywhere}
.by code{font-size:11.5px;word-break:normal}
.kind{display:inline-block;font-size:11.5px;font-weight:600;border:1px solid var(--muted);border-radius:10px;padding:0 8px;overflow-wrap:normal}
.links{padding-left:18px;margin:0}
.links li{margin:2px 0}
.links .url{display:block;color:var(--muted);font-size:11.5px;word-break:break-all}
a{color:#1a0dab}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 12px;white-space:pre-wrap;word-break:break-all;margin:0}
@media (max-width:720px){.durations,.facts{grid-template-columns:1fr}main{padding:16px}}
@media print{
  body{font-size:12px}
  main{max-width:none;padding:0}
  section,.fact-card,.duration,#timeline{break-inside:avoid}
  .hint{display:none}
  a{color:var(--ink);text-decoration:none}
}
@page{margin:14mm}
`;
