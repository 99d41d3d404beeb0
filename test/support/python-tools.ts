import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The two third-party tools the test suites run against: AWS's CloudFormation linter (in `npm test`) and
 * moto's server, an AWS API emulator (in `npm run test:emulator`). Both are Python packages.
 */
export const PYTHON_TOOLS = { cfnLint: 'cfn-lint', motoServer: 'moto_server' } as const;

/** How to get both tools; printed whenever one is missing. */
export const INSTALL_HINT = 'pip install "moto[server]" cfn-lint';

/** The absolute path of `command` on PATH, if an executable of that name is there. */
export function onPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** CI must never skip a suite because a tool is missing: a silently skipped suite hides regressions. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}
