import { resolve } from 'node:path';
import { renderTimeline } from '../../sim/render';
import { readScenarioFile } from '../../sim/scenario-schema';
import { formatJson, simulate } from '../../sim/simulate';
import type { IncidentReport } from '../../contract';
import type { Command } from '../command';
import { renderReportText } from '../report-render';
import { EXIT, useColor } from '../io';

export const simulateCommand: Command = {
  spec: {
    name: 'simulate',
    summary: 'Run a scenario offline against the real watchdog code and check its expectations.',
    description: [
      "The watchdog's real handlers, decision engine and adapters run against a simulated AWS account (ECS, CodeDeploy, CloudWatch, SNS answered at the SDK level) and an embedded DynamoDB, on a virtual clock: hours of scenario take a moment, and the same scenario always gives the same result. The scenario format is described in the README, section “Testing your rules offline”; examples/ has ready-made ones.",
      'Without --json it prints a timeline (events, lost events, decisions with their reasons, AWS calls, notifications, and the reconcile sweeps that did something) and a summary: rollbacks, and for each the time from its release to the rollback decision and to a healthy target (the simulated world’s own clock). With --report, each incident’s report follows, with time to detect, act and recover as the audit records them.',
    ],
    positionals: [{ name: 'scenario.json', required: true, description: 'The scenario file.' }],
    options: [
      {
        name: 'json',
        description:
          'Print the run as JSON (decisions, calls, notifications, final versions, alarms, stats, expect).',
      },
      {
        name: 'report',
        description:
          'Also print the incident report of every incident of the run, as `watchdog report` prints it for a deployed stack (with --json: a `reports` array).',
      },
    ],
    examples: [
      'watchdog simulate examples/checkout-bad-deploy.json',
      'watchdog simulate my-scenario.json --json | jq .decisions',
      'watchdog simulate examples/checkout-bad-deploy.json --report',
    ],
  },
  exitCodes: [
    '0  the scenario ran and its expect block holds (or it has none)',
    '1  the scenario ran but its expect block does not hold',
    '2  the scenario is invalid (every problem is listed), or the arguments are wrong',
    '3  the simulator itself failed',
  ],

  async run(args, io) {
    const file = args.positionals[0] ?? '';
    const path = resolve(io.cwd, file);
    const parsed = readScenarioFile(path);
    if (!parsed.ok) {
      const problems = parsed.problems.map((p) => p.replace(path, file));
      io.stderr.write(
        `${file}: invalid scenario (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n`,
      );
      for (const problem of problems) io.stderr.write(`  - ${problem}\n`);
      return EXIT.invalidInput;
    }
    // Nothing leaves the process, so the SDK's notice about future Node.js support is noise here.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    let result;
    try {
      result = await simulate(parsed.scenario, { reports: args.options.report === true });
    } catch (error) {
      io.stderr.write(
        `${file}: the simulation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      return EXIT.internalError;
    }
    io.stdout.write(
      args.options.json === true
        ? formatJson(result.output)
        : renderTimeline(result.run, result.output, result.timings, { color: useColor(io) }) +
            (result.run.reports ? renderReports(result.run.reports) : ''),
    );
    return result.output.expect.passed ? EXIT.ok : EXIT.expectationFailed;
  },
};

/** The run's incident reports after its timeline, each as `watchdog report` prints it. */
function renderReports(reports: readonly IncidentReport[]): string {
  if (reports.length === 0) return '\nIncident reports: no incident in this run.\n';
  return reports
    .map(
      (report) =>
        `\n${'─'.repeat(72)}\n` +
        renderReportText(
          {
            report,
            incidents: reports
              .filter((r) => r.target === report.target && r.region === report.region)
              .map((r) => ({ incident: r.incident, at: r.window.start, summary: r.summary })),
          },
          report.target,
        ),
    )
    .join('');
}
