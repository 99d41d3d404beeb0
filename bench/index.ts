import { benchSimulator } from './simulator';

/**
 * `npm run bench [-- --quick] [-- --json]`: measurements that never run in `npm test` (timings on a shared
 * machine are not pass/fail material). Each benchmark reports its figures and whether its target was met.
 */
async function main(argv: readonly string[]): Promise<number> {
  const json = argv.includes('--json');
  const quick = argv.includes('--quick');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const simulator = await benchSimulator(quick ? 20 : 50, 8);
  const report = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    simulator,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const s = simulator;
    process.stdout.write(
      [
        `simulator: ${s.events} events over ${s.targets} targets in ${s.seconds} s (${s.eventsPerSecond} events/s), ` +
          `${s.rollbacks} rollbacks, peak RSS ${s.peakRssMb} MB, expect ${s.expectPassed ? 'passed' : 'FAILED'}`,
        `  target: 1,000+ events over 50 targets in under ${s.targetSeconds} s: ${quick ? 'not checked (--quick)' : s.met ? 'met' : 'NOT met'}`,
      ].join('\n') + '\n',
    );
  }
  return simulator.expectPassed && (quick || simulator.met) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
