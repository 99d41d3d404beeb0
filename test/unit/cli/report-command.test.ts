import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncidentReport, ReportResult } from '../../../lambda/contract';
import { readScenarioFile } from '../../../lambda/sim/scenario-schema';
import { simulate } from '../../../lambda/sim/simulate';
import { fakeOperator, runCli, tempDir } from './support';

/**
 * `watchdog report` against a faked stack whose operator function answers with the report the simulator built
 * from a real run of examples/checkout-bad-deploy.json.
 */
let report: IncidentReport;

beforeAll(async () => {
  const parsed = readScenarioFile(join(__dirname, '../../../examples/checkout-bad-deploy.json'));
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  const run = await simulate(parsed.scenario, { reports: true });
  report = run.output.reports![0]!;
});

const answering = (result: ReportResult) =>
  fakeOperator((request) =>
    request.command === 'report' &&
    'incident' in request &&
    request.incident !== undefined &&
    request.incident !== result.report?.incident
      ? {
          ok: false,
          error: { code: 'not-found', message: `no incident ${request.incident} in the audit of checkout` },
        }
      : { ok: true, result },
  );

describe('watchdog report', () => {
  it('prints the incident for a terminal: summary, durations, timeline and the command again', async () => {
    const { environment, calls } = answering({ report, incidents: [] });
    const run = await runCli(['report', 'checkout'], { operator: environment });
    expect(run.code).toBe(0);
    expect(calls.requests).toEqual([{ command: 'report', target: 'checkout' }]);
    expect(run.stdout).toContain(report.summary);
    expect(run.stdout).toMatch(/Time to detect: +1m \(release → first ALARM\)/);
    expect(run.stdout).toMatch(/Time to recover: +4m/);
    expect(run.stdout).toContain('rollback (alarm) checkout:42 → checkout:41');
    expect(run.stdout).toContain(
      `Again: npx rollback-watchdog report checkout --incident ${report.incident}`,
    );
  });

  it('sends --incident, and exits 1 naming the incident when the watchdog does not know it', async () => {
    const { environment, calls } = answering({ report, incidents: [] });
    const run = await runCli(['report', 'checkout', '--incident', 'dec-404'], { operator: environment });
    expect(calls.requests).toEqual([{ command: 'report', target: 'checkout', incident: 'dec-404' }]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no incident dec-404 in the audit of checkout (not-found)');
  });

  it('prints Markdown with --markdown and the report itself with --json', async () => {
    const { environment } = answering({ report, incidents: [] });
    const md = await runCli(['report', 'checkout', '--markdown'], { operator: environment });
    expect(md.stdout).toMatch(/^# Incident .+: checkout \(us-east-1\)\n/);
    expect(md.stdout).toContain('| Time (UTC) | What | Detail |');
    const json = await runCli(['report', 'checkout', '--json'], { operator: environment });
    expect(JSON.parse(json.stdout)).toEqual({ report, incidents: [] });
  });

  it('writes a self-contained HTML page with --html and still prints the text', async () => {
    const dir = tempDir({});
    const { environment } = answering({ report, incidents: [] });
    const run = await runCli(['report', 'checkout', '--html', 'incident.html'], {
      operator: environment,
      cwd: dir,
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('to incident.html');
    const html = readFileSync(join(dir, 'incident.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(run.stdout).toContain(report.summary);
  });

  it('says so when the target has had no incident, with exit code 1', async () => {
    const { environment } = answering({ incidents: [] });
    const run = await runCli(['report', 'checkout'], { operator: environment });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('No incident of checkout in the audit log.\n');
  });

  it('refuses --markdown with --json, and a report without a target', async () => {
    const { environment, calls } = answering({ report, incidents: [] });
    const both = await runCli(['report', 'checkout', '--markdown', '--json'], { operator: environment });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--markdown and --json: give one of them');
    const none = await runCli(['report'], { operator: environment });
    expect(none.code).toBe(2);
    expect(calls.requests).toEqual([]);
  });
});
