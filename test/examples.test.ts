import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readScenarioFile } from '../lambda/sim/scenario-schema';
import { formatJson, simulate } from '../lambda/sim/simulate';
import type { SimulationOutput } from '../lambda/sim/output';
import type { IncidentReport } from '../lambda/contract';
import { renderReportMarkdown, renderReportText } from '../lambda/cli/report-render';
import { renderReportHtml } from '../lambda/cli/report-html';

/**
 * Every example is an acceptance test of the watchdog: it runs through the simulator in-process and its
 * `expect` block must hold, with the same output on every run. The shared scenarios of the project brief
 * (ECS and CodeDeploy) run too, when that folder is present.
 */

const examplesDir = join(__dirname, '../examples');
const sharedDir = join(__dirname, '../../shared/scenarios');

const jsonFiles = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dir, f));

async function expectPasses(file: string): Promise<void> {
  const parsed = readScenarioFile(file);
  if (!parsed.ok) throw new Error(`${file} is invalid:\n${parsed.problems.join('\n')}`);
  const first = await simulate(parsed.scenario);
  expect(first.output.expect).toEqual({ passed: true, failures: [] });
  expect(first.output.errors).toEqual([]);
  // The second run also builds the incident reports (`simulate --report`), which must change nothing else.
  const second = await simulate(parsed.scenario, { reports: true });
  const { reports, ...rest } = second.output;
  expect(formatJson(rest)).toBe(formatJson(first.output));
  expectReports(second.output, reports ?? []);
}

/**
 * `simulate --report` on every example: every rollback the run decided is in a report, every report's facts
 * hold together, and each renders as text, Markdown and HTML.
 */
function expectReports(output: SimulationOutput, reports: readonly IncidentReport[]): void {
  const where = (r: { target: string; region?: string | undefined }) => `${r.target}@${r.region ?? ''}`;
  for (const d of output.decisions.filter((d) => d.outcome === 'rollback')) {
    const inReport = reports.some(
      (r) =>
        r.target === d.target &&
        (d.region === undefined || r.region === d.region) &&
        r.timeline.some((e) => e.kind === 'decision' && e.outcome === 'rollback' && e.at === d.at),
    );
    expect({ decision: d.at, target: where(d), inReport }).toEqual({
      decision: d.at,
      target: where(d),
      inReport: true,
    });
  }
  for (const r of reports) {
    const times = r.timeline.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const ms of Object.values(r.times)) expect(ms).toBeGreaterThanOrEqual(0);
    if (r.status === 'recovered') expect(r.times.recoverMs).toBeDefined();
    if (r.rollback)
      expect(r.timeline.some((e) => e.kind === 'decision' && e.decisionId === r.rollback?.decisionId)).toBe(
        true,
      );
    if (r.rollback?.completedAt)
      expect(output.notifications.some((n) => n.kind === 'rollback-succeeded' && n.target === r.target)).toBe(
        true,
      );
    expect(r.command).toContain(`report ${r.target} --incident ${r.incident}`);
    const result = { report: r, incidents: [] };
    expect(renderReportText(result, r.target)).toContain(r.summary);
    expect(renderReportMarkdown(result, r.target)).toContain(r.summary.replace(/\|/g, '\\|'));
    expect(renderReportHtml(r)).toContain('<svg');
  }
}

describe('examples/', () => {
  const files = jsonFiles(examplesDir);

  it('has the showcase, the operator scenarios and at least three of its own beyond the shared ones', () => {
    const names = files.map((f) => f.slice(examplesDir.length + 1));
    expect(names).toEqual(
      expect.arrayContaining([
        'checkout-bad-deploy.json',
        'duplicate-delivery.json',
        'cooldown.json',
        'dry-run.json',
        'codedeploy-stop-with-rollback.json',
        'codedeploy-redeploy-after-completion.json',
        'codedeploy-lost-success-event.json',
        'pause-blocks-rollback.json',
        'approval-mode.json',
        'approval-timeout-hold.json',
        'manual-rollback.json',
        'deploy-freeze.json',
        'verification-escalation.json',
        'drill.json',
      ]),
    );
  });

  it.each(files.map((f) => [f.slice(examplesDir.length + 1), f]))(
    '%s passes its expect, identically on every run',
    async (_name, file) => {
      await expectPasses(file);
    },
  );
});

const shared = existsSync(sharedDir) ? jsonFiles(sharedDir) : [];
(shared.length > 0 ? describe : describe.skip)('../shared/scenarios', () => {
  it.each(shared.map((f) => [f.slice(sharedDir.length + 1), f]))(
    '%s passes its expect, identically on every run',
    async (_name, file) => {
      await expectPasses(file);
    },
  );
});
