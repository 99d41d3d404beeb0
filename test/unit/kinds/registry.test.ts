import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { TARGET_IDENTITY_FIELDS, TARGET_TYPES } from '../../../lambda/contract';
import { CONFIG_KINDS } from '../../../lambda/kinds/config-registry';
import { TARGET_KINDS, allKinds } from '../../../lambda/kinds/registry';
import { SIM_KINDS } from '../../../lambda/kinds/sim-registry';
import { CDK_KINDS } from '../../../lib/kinds/registry';

const ROOT = resolve(__dirname, '../../..');

/** Every .ts file under `dir` (relative to the repository). */
function sources(dir: string): string[] {
  const full = join(ROOT, dir);
  return readdirSync(full).flatMap((name) => {
    const path = join(full, name);
    if (statSync(path).isDirectory()) return sources(relative(ROOT, path));
    return name.endsWith('.ts') ? [relative(ROOT, path)] : [];
  });
}

/** The kinds that came after the registry: nothing outside their own modules and registries may name them. */
const REGISTRY_KINDS = TARGET_TYPES.filter((t) => t !== 'ecs-service' && t !== 'codedeploy');

/** The engine, the use cases, the construct's core and the simulator's runner (docs/architecture.md, "Target kinds"). */
const CORE = [
  ...sources('lambda/domain'),
  ...sources('lambda/use-cases'),
  'lambda/sim/runner.ts',
  'lambda/sim/simulate.ts',
  'lambda/sim/world/world.ts',
  'lambda/handlers/runtime.ts',
  'lib/rollback-watchdog.ts',
];

describe('the target-kind registry', () => {
  it('has every target type on all four sides, under its own type', () => {
    for (const type of REGISTRY_KINDS) {
      expect([type, TARGET_KINDS[type]?.type]).toEqual([type, type]);
      expect([type, CONFIG_KINDS[type]?.type]).toEqual([type, type]);
      expect([type, SIM_KINDS[type]?.type]).toEqual([type, type]);
      expect([type, CDK_KINDS[type]?.type]).toEqual([type, type]);
    }
    expect(allKinds().map((k) => k.type)).toEqual([...TARGET_TYPES]);
  });

  it('names each resource by the identity fields the runtime config check requires', () => {
    for (const kind of allKinds())
      expect([kind.type, [...kind.identityFields]]).toEqual([
        kind.type,
        [...TARGET_IDENTITY_FIELDS[kind.type]],
      ]);
  });

  it('never has two event sources claim one envelope', () => {
    const sources = allKinds().flatMap((k) => k.events.map((e) => ({ kind: k.type, e })));
    for (const { kind, e } of sources) {
      const envelope = {
        source: e.source,
        'detail-type': e.detailType,
        ...(e.cloudTrail ? { detail: { eventSource: e.cloudTrail.eventSource } } : {}),
      };
      const claiming = sources.filter((s) => s.e.matches(envelope)).map((s) => s.kind);
      expect([kind, claiming]).toEqual([kind, [kind]]);
    }
  });

  it.each([...sources('lambda/domain'), ...sources('lambda/use-cases'), 'lambda/handlers/runtime.ts'])(
    '%s names no kind at all',
    (file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      expect(TARGET_TYPES.filter((type) => text.includes(`'${type}'`) || text.includes(`"${type}"`))).toEqual(
        [],
      );
    },
  );

  it.each(CORE)('%s names no kind that came after the registry', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(REGISTRY_KINDS.filter((type) => text.includes(`'${type}'`) || text.includes(`"${type}"`))).toEqual(
      [],
    );
  });
});
