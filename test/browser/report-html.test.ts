import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { IncidentReport } from '../../lambda/contract';
import { renderReportHtml } from '../../lambda/cli/report-html';
import { notRolledBackIncidentReport, recoveredIncidentReport } from '../support/incident-report-fixture';

/**
 * The HTML incident report (`watchdog report --html`) in a real headless Chromium: the page opens from a file
 * without a script error or a console warning, loads nothing but itself, draws its timeline, and is
 * screenshotted into test-output/ for a person to look at. Chromium is required: without it the suite
 * fails (`apt-get install chromium`), it never skips.
 */

/**
 * The little of the DOM that the callbacks run in the page use. tsconfig.json has no DOM lib (the rest of the
 * project runs in Node), so puppeteer's element types do not resolve here.
 */
interface PageElement {
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { readonly width: number; readonly height: number };
  querySelector(selector: string): { readonly textContent: string | null } | null;
  readonly innerText: string;
}
interface PageWindow {
  getComputedStyle(element: PageElement): { readonly fill: string };
}

const SCREENSHOT = resolve(__dirname, '../../test-output/report-timeline.png');
const START_TIMEOUT_MS = 60_000;

/** WATCHDOG_CHROMIUM, else `chromium` on PATH; a clear failure when there is neither. */
function chromiumPath(): string {
  const executable = (file: string) => {
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  };
  const fromEnv = process.env.WATCHDOG_CHROMIUM;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (executable(fromEnv)) return fromEnv;
    throw new Error(
      `WATCHDOG_CHROMIUM=${fromEnv} is not an executable file. Point it at Chromium, or unset it to use chromium on PATH (apt-get install chromium).`,
    );
  }
  const found = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, 'chromium'))
    .find(executable);
  if (found === undefined) {
    throw new Error(
      'The browser suite needs Chromium and found no `chromium` on PATH. Install it with `apt-get install chromium` ' +
        '(Debian), or set WATCHDOG_CHROMIUM to a Chromium executable.',
    );
  }
  return found;
}

/** One report opened in a page, with everything the page said or asked for while it loaded. */
interface Opened {
  readonly page: Page;
  readonly url: string;
  /** Console errors and warnings, and uncaught errors of the page. */
  readonly problems: string[];
  /** Every URL the page requested (all but its own file are aborted). */
  readonly requests: string[];
}

let browser: Browser | undefined;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'watchdog-report-html-'));
  browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    timeout: START_TIMEOUT_MS,
    protocolTimeout: START_TIMEOUT_MS,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}, START_TIMEOUT_MS + 10_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function openHtml(name: string, html: string): Promise<Opened> {
  if (!browser) throw new Error('Chromium did not start (see the error of beforeAll)');
  const file = join(dir, name);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    const type = message.type();
    if (type === 'error' || type === 'warn' || type === 'assert')
      problems.push(`console.${type}: ${message.text()}`);
  });
  page.on('pageerror', (error) =>
    problems.push(`pageerror: ${error instanceof Error ? error.message : String(error)}`),
  );
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    requests.push(request.url());
    if (request.url() === url) void request.continue();
    else void request.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, url, problems, requests };
}

const openReport = (name: string, report: IncidentReport) => openHtml(name, renderReportHtml(report));

describe('the HTML incident report in Chromium', () => {
  it('notices what the page requests and any error or warning it logs, so that "none" below means something', async () => {
    const { page, url, problems, requests } = await openHtml(
      'control.html',
      '<!DOCTYPE html><html><head><title>control</title></head><body><img src="https://example.com/x.png" alt="">' +
        '<script>console.warn("careful"); throw new Error("boom");</script></body></html>',
    );
    expect(requests).toEqual([url, 'https://example.com/x.png']);
    expect(problems).toEqual(
      expect.arrayContaining(['console.warn: careful', expect.stringMatching(/^pageerror: .*boom/)]),
    );
    await page.close();
  });

  it('opens without errors, loads nothing else, and draws the timeline of a rollback', async () => {
    const report = recoveredIncidentReport;
    const { page, url, problems, requests } = await openReport('recovered.html', report);
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);

    const svg = await page.$('svg#timeline');
    expect(svg).not.toBeNull();
    const box = await svg!.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.width).toBeGreaterThan(400);
    expect(box!.height).toBeGreaterThan(100);

    // Callbacks of $$eval run in the page: only casts, no helpers of this file, may appear in them.
    const serving = await page.$$eval('svg#timeline rect.serving', (rects) =>
      (rects as unknown as PageElement[]).map((r) => ({
        version: r.getAttribute('data-version'),
        cls: r.getAttribute('class'),
        width: r.getBoundingClientRect().width,
      })),
    );
    expect(serving.map(({ version, cls }) => [version, cls])).toEqual([
      ['checkout:42', 'serving serving-released'],
      ['checkout:41', 'serving serving-rolled-back-to'],
    ]);
    for (const { width } of serving) expect(width).toBeGreaterThan(10);

    const bands = await page.$$eval('svg#timeline rect.band', (rects) =>
      (rects as unknown as PageElement[]).map((r) => ({
        state: r.getAttribute('data-state'),
        fill: (globalThis as unknown as PageWindow).getComputedStyle(r).fill,
      })),
    );
    expect(bands.map((b) => b.state)).toEqual(report.alarms.map((b) => b.state));
    // The page's own style colors the bands: ALARM red, OK green, INSUFFICIENT_DATA grey.
    expect(bands.find((b) => b.state === 'ALARM')?.fill).toBe('rgb(217, 48, 37)');
    expect(bands.find((b) => b.state === 'OK')?.fill).toBe('rgb(52, 168, 83)');
    expect(bands.find((b) => b.state === 'INSUFFICIENT_DATA')?.fill).toBe('rgb(218, 220, 224)');

    const marks = await page.$$eval('svg#timeline g.mark', (groups) =>
      (groups as unknown as PageElement[]).map((g) => ({
        kind: g.getAttribute('data-kind'),
        title: g.querySelector(':scope > title')?.textContent ?? '',
        height: g.getBoundingClientRect().height,
      })),
    );
    expect(marks.map((m) => m.kind)).toEqual(report.timeline.map((e) => e.kind));
    marks.forEach((m, i) => {
      expect(m.title).toContain(report.timeline[i].title);
      expect(m.height).toBeGreaterThan(0);
    });
    for (const kind of ['decision', 'call', 'verified']) {
      expect(await page.$$(`svg#timeline g.mark.mark-${kind}`)).not.toHaveLength(0);
    }

    const summary = await page.$('#summary');
    expect(await summary!.isVisible()).toBe(true);
    expect(await summary!.evaluate((el) => (el as unknown as PageElement).innerText)).toBe(report.summary);
    expect(await page.$$eval('#events tbody tr', (rows) => (rows as unknown[]).length)).toBe(
      report.timeline.length,
    );
    expect(await page.title()).toBe(`checkout: incident ${report.incident} (recovered)`);

    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
    console.log(`report screenshot: ${SCREENSHOT}`);

    // Printed, the picture is still there and the hover hint is not.
    await page.emulateMediaType('print');
    expect((await svg!.boundingBox())!.width).toBeGreaterThan(400);
    expect(await (await page.$('.hint'))!.isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('opens the report of an incident without a rollback without errors', async () => {
    const report = notRolledBackIncidentReport;
    const { page, url, problems, requests } = await openReport('not-rolled-back.html', report);
    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
    const box = await (await page.$('svg#timeline'))!.boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    expect(await page.$$('svg#timeline rect.serving')).toHaveLength(1);
    expect(await page.$$('svg#timeline rect.band-ALARM')).toHaveLength(1);
    expect(await page.$$('svg#timeline g.mark.mark-decision')).toHaveLength(1);
    expect(await page.$eval('#rollback', (el) => (el as unknown as PageElement).innerText)).toContain(
      'The watchdog did not roll back',
    );
    expect(await (await page.$('#summary'))!.isVisible()).toBe(true);
    await page.close();
  });
});
