import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HANDLER_BUNDLES,
  buildBundle,
  bytesByPackage,
  packageOf,
  type BuiltBundle,
} from '../../bench/support/handler-bundles';
import { HANDLER_ENTRIES } from '../../lib/private/handler-code';

/**
 * Issue 15: what each Lambda handler loads at cold start beyond the SDK clients it needs. Every handler is
 * bundled with the stack's own esbuild options (HANDLER_ESBUILD_OPTIONS), in memory, next to its floor (a
 * bundle that only builds the same clients); zod (the CLI's and synth's validator) must not be in any of them,
 * and no handler may grow more than MAX_ABOVE_FLOOR past its floor. `npm run bench` times the same bundles.
 * The limit was 220 KiB with two target kinds; the four kinds' own code is about 33 KiB (issue 13), so it was
 * 256 KiB with them; issue 17's viability preflight, schema gate and retention guard add about 25 KiB of the
 * watchdog's own code, so it was 288 KiB; issue 19's incident reports (grouping and report building in the
 * operator use cases, which every runtime handler bundles) and the Slack buttons add about 10 KiB, so it is
 * 300 KiB now: still far below what one stray dependency costs (zod alone is about 445 KB).
 */
const MAX_ABOVE_FLOOR = 300 * 1024;

/**
 * What a handler may carry beyond MAX_ABOVE_FLOOR, for code only it runs. The Slack interaction endpoint is the
 * runtime plus the Slack signature check, the replay guard, the press use case and Slack's answers (about 20 KiB
 * of the watchdog's own code); Slack waits 3 s for its answer, so it gets no more than that.
 */
const EXTRA_ABOVE_FLOOR: Partial<Record<string, number>> = { 'on-slack-interaction': 24 * 1024 };
const limitOf = (entry: string) => MAX_ABOVE_FLOOR + (EXTRA_ABOVE_FLOOR[entry] ?? 0);

const built = new Map<string, { handler: BuiltBundle; floor: BuiltBundle }>();

beforeAll(async () => {
  const out = join(tmpdir(), 'watchdog-handler-bundles');
  // Each distinct floor once; everything at the same time (esbuild is fast and runs its own threads).
  const floors = new Map<string, Promise<BuiltBundle>>();
  for (const spec of HANDLER_BUNDLES) {
    if (!floors.has(spec.floor))
      floors.set(
        spec.floor,
        buildBundle({ contents: spec.floor }, join(out, `floor-${floors.size}.js`), false),
      );
  }
  await Promise.all(
    HANDLER_BUNDLES.map(async (spec) => {
      const handler = await buildBundle({ entry: spec.entry }, join(out, `${spec.entry}.js`), false);
      built.set(spec.entry, { handler, floor: await floors.get(spec.floor)! });
    }),
  );
}, 120_000);

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

it('covers every handler the stack deploys', () => {
  expect(HANDLER_BUNDLES.map((s) => s.entry).sort()).toEqual([...HANDLER_ENTRIES].sort());
});

describe.each(HANDLER_BUNDLES.map((s) => [s.entry] as const))('%s bundle', (entry) => {
  it('has no zod in it', () => {
    const { handler } = built.get(entry)!;
    const zod = Object.keys(handler.inputs).filter((input) => packageOf(input) === 'zod');
    expect(zod).toEqual([]);
  });

  it(`is at most ${kib(limitOf(entry))} above the floor of its SDK clients`, () => {
    const { handler, floor } = built.get(entry)!;
    const above = handler.bytes - floor.bytes;
    if (above > limitOf(entry)) {
      // Name what is heaviest beyond the floor, so that the failure says what to cut.
      const own = bytesByPackage(handler.inputs);
      const shared = bytesByPackage(floor.inputs);
      const heaviest = Object.entries(own)
        .map(([pkg, bytes]) => [pkg, bytes - (shared[pkg] ?? 0)] as const)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8)
        .map(([pkg, bytes]) => `${pkg} ${kib(bytes)}`);
      throw new Error(
        `${entry} is ${kib(above)} above its floor (limit ${kib(limitOf(entry))}); heaviest additions: ${heaviest.join(', ')}`,
      );
    }
    expect(above).toBeLessThanOrEqual(limitOf(entry));
  });
});
