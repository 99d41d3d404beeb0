import type { IncidentReport } from '../../../lambda/contract';
import { renderReportHtml } from '../../../lambda/cli/report-html';
import { notRolledBackIncidentReport, recoveredIncidentReport } from '../../support/incident-report-fixture';

/**
 * The HTML incident report (`watchdog report --html`) as a string: what it contains, that report data never
 * becomes markup, and the timeline SVG's geometry. test/browser/report-html.test.ts opens the same page in
 * Chromium.
 */

const XSS = '<script>alert(1)</script>';
const ATTR_BREAK = 'v1" onmouseover="alert(1)';

/** Every tag of the page: report data is escaped, so every `<` left in the output opens real markup. */
function tags(html: string): string[] {
  return html.match(/<[a-zA-Z][^>]*>/g) ?? [];
}

/** A tag's attribute names, its quoted values removed (they are escaped and may say anything). */
function attributeNames(tag: string): string[] {
  const inner = tag.replace(/^<[a-zA-Z][\w-]*/, '').replace(/\/?>$/, '');
  return [...inner.replace(/="[^"]*"/g, '').matchAll(/[^\s=]+/g)].map((m) => m[0]);
}

/** The SVG picture of the page. */
function svgOf(html: string): string {
  const svg = /<svg id="timeline"[\s\S]*?<\/svg>/.exec(html);
  if (!svg) throw new Error('no <svg id="timeline"> in the page');
  return svg[0];
}

/** `<rect …>` tags whose class attribute starts with `cls`. */
function rects(svg: string, cls: string): string[] {
  return tags(svg).filter((t) => t.startsWith('<rect ') && attr(t, 'class')?.split(' ')[0] === cls);
}

function attr(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

function num(tag: string, name: string): number {
  const value = attr(tag, name);
  if (value === undefined) throw new Error(`${tag} has no ${name}`);
  return Number(value);
}

/** The x where the time axis ends (the window's end). */
function axisEnd(svg: string): number {
  const axis = tags(svg).find((t) => t.startsWith('<line class="axis"'));
  if (!axis) throw new Error('no axis line');
  return num(axis, 'x2');
}

const hostile: IncidentReport = {
  ...recoveredIncidentReport,
  target: `checkout${XSS}`,
  summary: `summary ${XSS}`,
  firstAlarm: {
    ...recoveredIncidentReport.firstAlarm!,
    alarm: `checkout-5xx${XSS}`,
    reason: `reason ${XSS}`,
  },
  release: { ...recoveredIncidentReport.release!, version: ATTR_BREAK, deployedBy: `deployer ${XSS}` },
  timeline: recoveredIncidentReport.timeline.map((e) => ({
    ...e,
    title: `${e.title} ${XSS}`,
    detail: `detail ${XSS}`,
    by: `by ${XSS}`,
  })),
  serving: [{ version: ATTR_BREAK, from: '2026-03-01T10:00:00.000Z', role: 'released' }],
  alarms: [{ alarm: `a${XSS}`, state: `ALARM${XSS}`, from: '2026-03-01T10:01:00.000Z' }],
  skipped: [{ reason: `r${XSS}`, count: 1, first: 'not a time', last: `${XSS}` }],
  links: [{ label: `label ${XSS}`, url: `https://example.com/?q=${XSS}"` }],
  command: `npx rollback-watchdog report '${XSS}'`,
};

describe('renderReportHtml', () => {
  it('shows the summary, the three durations, the facts, every event, the skips, the links and the command', () => {
    const html = renderReportHtml(recoveredIncidentReport);
    const r = recoveredIncidentReport;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(`<title>checkout: incident ${r.incident} (recovered)</title>`);
    expect(html).toContain(`<p class="summary" id="summary">${r.summary}</p>`);
    expect(html).toContain('<dt>Time to detect</dt><dd><strong>1m</strong>');
    expect(html).toContain('<dt>Time to act</dt><dd><strong>2s</strong>');
    expect(html).toContain('<dt>Time to recover</dt><dd><strong>6m 1s</strong>');
    expect(html).toContain('<code>checkout:42</code>');
    expect(html).toContain('<code>ecs-svc/4417281934551208815</code>');
    expect(html).toContain('<dt>Threshold</dt><dd>5</dd>');
    expect(html).toContain('<code>12</code> <code>9</code> <code>7</code>');
    expect(html).toContain('<code>checkout:42</code> → <code>checkout:41</code>');
    expect(html).toContain(
      '<dt>Verified</dt><dd><time datetime="2026-03-01T10:07:01.000Z">2026-03-01 10:07:01 UTC</time>',
    );
    expect(html).toContain('<dt>Pipeline</dt><dd><code>checkout-pipeline</code>');
    const rows = html.match(/<tr class="event-/g) ?? [];
    expect(rows).toHaveLength(r.timeline.length);
    for (const e of r.timeline) expect(html).toContain(`<td>${e.title.replace(/>/g, '&gt;')}</td>`);
    expect(html).toContain('<td class="nowrap muted">+6m 30s</td>');
    for (const s of r.skipped)
      expect(html).toContain(`<td><code>${s.reason}</code></td><td class="num">${s.count}</td>`);
    for (const l of r.links)
      expect(html).toContain(`<a href="${l.url}" rel="noopener noreferrer">${l.label}</a>`);
    expect(html).toContain(`<pre><code>${r.command}</code></pre>`);
  });

  it('says n/a for a duration the audit cannot give, and what an absent rollback or freeze means', () => {
    const html = renderReportHtml(notRolledBackIncidentReport);
    expect(html).toContain('<dt>Time to detect</dt><dd><strong>1m</strong>');
    expect(html).toContain('<dt>Time to act</dt><dd><strong>n/a</strong>');
    expect(html).toContain('<dt>Time to recover</dt><dd><strong>n/a</strong>');
    expect(html).toContain('<span class="status status-not-rolled-back">not rolled back</span>');
    expect(html).toContain('The watchdog did not roll back in this incident.');
    expect(html).toContain('No pipeline stage was frozen.');
  });

  it('loads nothing: no script, no external stylesheet, font or image', () => {
    for (const report of [recoveredIncidentReport, notRolledBackIncidentReport]) {
      const html = renderReportHtml(report);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|<embed|@import|url\(|\ssrc=/i);
      // The only URL the page names outside its links is the SVG namespace, which is never fetched.
      const hrefs = tags(html).flatMap((t) => attr(t, 'href') ?? []);
      expect(hrefs).toEqual(report.links.map((l) => l.url));
    }
  });

  it('escapes every string of the report in text and in attributes', () => {
    const html = renderReportHtml(hostile);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const allowed = new Set([
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'main',
      'header',
      'p',
      'h1',
      'h2',
      'span',
      'code',
      'time',
      'dl',
      'dt',
      'dd',
      'div',
      'section',
      'svg',
      'desc',
      'g',
      'text',
      'rect',
      'line',
      'circle',
      'ul',
      'li',
      'a',
      'table',
      'colgroup',
      'col',
      'thead',
      'tbody',
      'tr',
      'th',
      'td',
      'pre',
      'strong',
    ]);
    for (const tag of tags(html)) {
      expect(allowed).toContain(/^<([a-zA-Z][\w-]*)/.exec(tag)![1]);
      for (const name of attributeNames(tag)) expect(name).not.toMatch(/^on/i);
    }
    // The version that tries to close its attribute stays inside it.
    expect(html).toContain('data-version="v1&quot; onmouseover=&quot;alert(1)"');
    // A state is a class-name fragment too: nothing but [A-Za-z0-9_-] gets there.
    expect(html).toContain('class="band band-ALARM-script-alert-1---script-"');
    // A URL with markup in it is still a link, escaped as the browser would send it.
    expect(html).toContain(
      '<a href="https://example.com/?q=%3Cscript%3Ealert(1)%3C/script%3E%22" rel="noopener noreferrer">',
    );
    // A time that is not one is shown as it is, escaped.
    expect(html).toContain('<time datetime="not a time">not a time</time>');
  });

  it('makes only http(s) URLs links, and shows any other as text', () => {
    const links = [
      { label: 'js', url: 'javascript:alert(document.domain)' },
      { label: 'js spaced', url: '  JaVaScRiPt:alert(1)' },
      { label: 'js tab', url: 'java\tscript:alert(1)' },
      { label: 'data', url: 'data:text/html,<script>alert(1)</script>' },
      { label: 'relative', url: '/runbooks/checkout' },
      { label: 'mail', url: 'mailto:oncall@example.com' },
      { label: 'plain', url: 'http://wiki.example.com/checkout' },
    ];
    const html = renderReportHtml({ ...recoveredIncidentReport, links });
    const hrefs = tags(html).flatMap((t) => attr(t, 'href') ?? []);
    expect(hrefs).toEqual(['http://wiki.example.com/checkout']);
    expect(html).toContain('<li>js: <code class="unlinked">javascript:alert(document.domain)</code></li>');
    expect(html).toContain(
      '<li>data: <code class="unlinked">data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;</code></li>',
    );
    expect(html).not.toMatch(/href="\s*j/i);
  });

  it('draws one lane per serving version and per alarm, a bar per span and band, and a mark per event', () => {
    const r = recoveredIncidentReport;
    const svg = svgOf(renderReportHtml(r));
    const serving = rects(svg, 'serving');
    expect(serving.map((t) => [attr(t, 'class'), attr(t, 'data-version')])).toEqual([
      ['serving serving-released', 'checkout:42'],
      ['serving serving-rolled-back-to', 'checkout:41'],
    ]);
    expect(svg.match(/<g class="lane lane-serving"/g)).toHaveLength(2);
    const bands = rects(svg, 'band');
    expect(bands.map((t) => [attr(t, 'data-alarm'), attr(t, 'class')])).toEqual(
      r.alarms.map((b) => [b.alarm, `band band-${b.state}`]),
    );
    expect(svg.match(/<g class="lane lane-alarm"/g)).toHaveLength(2);
    const marks = [
      ...svg.matchAll(/<g class="mark (mark-[a-z-]+)" data-kind="([a-z-]+)"[^>]*><title>([^<]*)<\/title>/g),
    ];
    expect(marks.map((m) => [m[1], m[2]])).toEqual(r.timeline.map((e) => [`mark-${e.kind}`, e.kind]));
    marks.forEach((m, i) => expect(m[3]).toContain(r.timeline[i].title.replace(/>/g, '&gt;')));
    for (const kind of ['decision', 'call', 'alarm', 'verified', 'release', 'rollback-completed']) {
      expect(svg).toContain(`class="mark mark-${kind}"`);
    }
    // Tick labels along the 20 minutes of the window, every five minutes.
    expect([...svg.matchAll(/<text class="tick-label"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      '10:00',
      '10:05',
      '10:10',
      '10:15',
      '10:20',
    ]);
  });

  it('places bars on the time axis, and runs a span or band without an end to the window end', () => {
    const r = recoveredIncidentReport;
    const svg = svgOf(renderReportHtml(r));
    const end = axisEnd(svg);
    const [released, knownGood] = rects(svg, 'serving');
    const right = (t: string) => num(t, 'x') + num(t, 'width');
    // checkout:42 served 10:00:00 to 10:04:10 of a 20-minute window; checkout:41 from then on.
    const left = num(released, 'x');
    const perMs = (end - left) / (20 * 60_000);
    expect(right(released)).toBeCloseTo(left + 250_000 * perMs, 0);
    expect(num(knownGood, 'x')).toBeCloseTo(right(released), 0);
    expect(right(knownGood)).toBeCloseTo(end, 0);
    const lastBands = rects(svg, 'band')
      .filter((t) => attr(t, 'data-state') === 'OK')
      .slice(-2);
    for (const band of lastBands) expect(right(band)).toBeCloseTo(end, 0);
    // The still-serving checkout:42 of the incident without a rollback runs to its window's end too.
    const other = svgOf(renderReportHtml(notRolledBackIncidentReport));
    const [serving] = rects(other, 'serving');
    expect(right(serving)).toBeCloseTo(axisEnd(other), 0);
  });

  it('draws a window of one moment (start == end) with finite, non-empty geometry', () => {
    const at = '2026-03-01T10:01:00.000Z';
    const report: IncidentReport = {
      ...notRolledBackIncidentReport,
      window: { start: at, end: at },
      timeline: [{ at, kind: 'alarm', title: 'checkout-5xx → ALARM' }],
      serving: [{ version: 'checkout:42', from: at, role: 'released' }],
      alarms: [{ alarm: 'checkout-5xx', state: 'ALARM', from: at }],
    };
    const svg = svgOf(renderReportHtml(report));
    expect(svg).not.toMatch(/NaN|Infinity/);
    const numbers = [...svg.matchAll(/\s(?:x|y|x1|x2|y1|y2|cx|cy|r|width|height)="([^"]*)"/g)].map((m) =>
      Number(m[1]),
    );
    expect(numbers.length).toBeGreaterThan(10);
    for (const value of numbers) expect(Number.isFinite(value)).toBe(true);
    for (const rect of [...rects(svg, 'serving'), ...rects(svg, 'band')])
      expect(num(rect, 'width')).toBeGreaterThan(0);
    expect(rects(svg, 'serving')).toHaveLength(1);
    expect(svg.match(/class="tick-label"/g)!.length).toBeGreaterThanOrEqual(2);
    expect(svg).toContain('class="mark mark-alarm"');
  });

  it('keeps every number finite when a time in the report is not a time', () => {
    const svg = svgOf(
      renderReportHtml({
        ...recoveredIncidentReport,
        window: { start: 'garbage', end: 'also garbage' },
        serving: [{ version: 'checkout:42', from: 'soon', until: 'later', role: 'other' }],
      }),
    );
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(rects(svg, 'serving').map((t) => attr(t, 'class'))).toEqual(['serving serving-other']);
  });

  it('gives the same page for the same report', () => {
    const copy = JSON.parse(JSON.stringify(recoveredIncidentReport)) as IncidentReport;
    expect(renderReportHtml(copy)).toBe(renderReportHtml(recoveredIncidentReport));
    expect(renderReportHtml(hostile)).toBe(renderReportHtml(hostile));
    expect(renderReportHtml(notRolledBackIncidentReport)).not.toBe(renderReportHtml(recoveredIncidentReport));
  });
});
