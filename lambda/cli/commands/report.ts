import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { operatorCommand } from '../operator-command';
import { asReportResult, renderReportMarkdown, renderReportText } from '../report-render';
import { renderReportHtml } from '../report-html';
import { EXIT } from '../io';

/**
 * `watchdog report <target> [--incident <id>] [--json | --markdown] [--html <file>]`: one incident from the
 * audit log, with time to detect, act and recover.
 */
export const reportCommand = operatorCommand('report', async (session) => {
  const { request, report: output } = session.invocation;
  const response = await session.send(request, `reading the audit log of ${request.target}…`);
  if (!response.ok) return session.fail(response.error);
  const result = asReportResult(response.result);
  if (output?.html !== undefined) {
    if (!result.report) {
      session.spinner.stop();
      session.io.stderr.write(
        `watchdog report: no incident of ${request.target} to write to ${output.html}\n`,
      );
      return EXIT.refused;
    }
    const file = resolve(session.io.cwd, output.html);
    try {
      writeFileSync(file, renderReportHtml(result.report));
    } catch (error) {
      session.spinner.stop();
      session.io.stderr.write(
        `watchdog report: could not write ${output.html}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return EXIT.invalidInput;
    }
    session.io.stderr.write(`Wrote the report of incident ${result.report.incident} to ${output.html}\n`);
  }
  session.print(result, () =>
    output?.markdown === true
      ? renderReportMarkdown(result, request.target)
      : renderReportText(result, request.target),
  );
  return result.report ? EXIT.ok : EXIT.refused;
});
