import { fleetConfig } from './scale';

/**
 * `npx tsx bench/fleet-config.ts <targets> [exact]`: prints the benchmark's fleet as a watchdog.config.json,
 * for a real `npx cdk synth -c config=...` (BENCHMARKS.md, scale). With `exact`, the grants name every
 * resource (the default) whatever the size; without it, fleets above EXACT_GRANTS_UP_TO opt into patterns.
 */
const [count, mode] = process.argv.slice(2);
const targets = Number(count);
if (!Number.isInteger(targets) || targets < 1) {
  process.stderr.write('usage: npx tsx bench/fleet-config.ts <targets> [exact]\n');
  process.exit(2);
}
process.stdout.write(`${JSON.stringify(fleetConfig(targets, mode === 'exact' ? {} : undefined), null, 2)}\n`);
