import fc from 'fast-check';

/**
 * Bad variants of good JSON inputs, for the boundary's differential and property tests: a value dropped,
 * replaced by another type, made too long (in UTF-16 units or in code points), given control characters, or
 * shadowed by a prototype key; arrays made too long. Every variant is plain JSON, as the handlers receive it.
 */
export type JsonPath = ReadonlyArray<string | number>;

export type Mutation =
  | { readonly kind: 'drop' }
  | { readonly kind: 'set'; readonly value: unknown }
  | { readonly kind: 'add'; readonly key: string; readonly value: unknown };

/** Every path to a value in `value`, the root, objects and arrays included. */
export function jsonPaths(value: unknown, prefix: JsonPath = []): JsonPath[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => jsonPaths(v, [...prefix, k]))];
}

const LONG = 'x'.repeat(300);
/** Just over the longest bounds (ARNs: 2,048; free text: 1,024). */
const VERY_LONG = 'y'.repeat(2049);
/** 255 code points in 510 UTF-16 units: within a 255-character bound that counts code points. */
const ASTRAL_255 = '😀'.repeat(255);
const ASTRAL_256 = '😀'.repeat(256);

/** Replacement values that hit a different rule each: types, lengths, formats, enums. */
export const SPECIAL_VALUES: readonly unknown[] = [
  null,
  0,
  42,
  -1,
  1.5,
  -2.5,
  2 ** 53,
  1e300,
  true,
  false,
  '',
  ' ',
  'a',
  'ALARM',
  'OK',
  'checkout',
  'Checkout!',
  'a\u0000b',
  'line\nbreak',
  LONG,
  VERY_LONG,
  ASTRAL_255,
  ASTRAL_256,
  '2026-03-01T10:01:00.000+0000',
  '2026-02-30T10:00:00Z',
  '9999-12-31T23:59:59Z',
  '2026-03-01T10:00:00',
  '42',
  '123456789012',
  'arn:aws:ecs:us-east-1:123456789012:service/default/other',
  'arn:aws:cloudwatch:us-east-1:123456789012:alarm:other',
  [],
  ['a'],
  [1, 2],
  Array.from({ length: 65 }, (_, i) => `arn:aws:x:${i}`),
  Array.from({ length: 300 }, () => 'z'),
  {},
  { length: 5000 },
  { length: 0 },
  { nested: { deeper: { deepest: { bottom: [1] } } } },
];

/** Keys that trip prototype handling or strictness. */
export const EXTRA_KEYS: readonly string[] = ['__proto__', 'constructor', 'toString', 'by', 'extra'];

/** Every single mutation of `value`: each path dropped, set to each special value, and given each extra key. */
export function singleMutations(value: unknown): Array<{ path: JsonPath; mutation: Mutation }> {
  return jsonPaths(value).flatMap((path) => {
    const node = valueAtPath(value, path);
    const adds =
      typeof node === 'object' && node !== null && !Array.isArray(node)
        ? EXTRA_KEYS.map((key) => ({ path, mutation: { kind: 'add' as const, key, value: 'x' } }))
        : [];
    return [
      { path, mutation: { kind: 'drop' as const } },
      ...SPECIAL_VALUES.map((v) => ({ path, mutation: { kind: 'set' as const, value: v } })),
      ...adds,
    ];
  });
}

/** A fresh copy of `value` with `mutation` applied at `path`; a path that leads nowhere changes nothing. */
export function mutate(value: unknown, path: JsonPath, mutation: Mutation): unknown {
  const copy: unknown = structuredClone(value);
  if (path.length === 0) return applyAtRoot(copy, mutation);
  const parent = valueAtPath(copy, path.slice(0, -1));
  const key = path[path.length - 1];
  if (typeof parent !== 'object' || parent === null) return copy;
  const node = (parent as Record<string | number, unknown>)[key];
  if (mutation.kind === 'drop') {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, unknown>)[key];
  } else if (mutation.kind === 'set') {
    (parent as Record<string | number, unknown>)[key] = structuredClone(mutation.value);
  } else if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
    addOwn(node, mutation.key, mutation.value);
  }
  return copy;
}

function applyAtRoot(copy: unknown, mutation: Mutation): unknown {
  if (mutation.kind === 'drop') return undefined;
  if (mutation.kind === 'set') return structuredClone(mutation.value);
  if (typeof copy === 'object' && copy !== null && !Array.isArray(copy))
    addOwn(copy, mutation.key, mutation.value);
  return copy;
}

/** An own enumerable property, even for `__proto__`, as JSON.parse makes it. */
function addOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function valueAtPath(value: unknown, path: JsonPath): unknown {
  let cur = value;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** One mutation anywhere in the special set, or a random JSON value. */
export const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.constant<Mutation>({ kind: 'drop' }),
  fc.constantFrom(...SPECIAL_VALUES).map((value): Mutation => ({ kind: 'set', value })),
  fc.jsonValue({ maxDepth: 2 }).map((value): Mutation => ({ kind: 'set', value })),
  fc.string({ unit: 'binary', maxLength: 40 }).map((value): Mutation => ({ kind: 'set', value })),
  fc.constantFrom(...EXTRA_KEYS).map((key): Mutation => ({ kind: 'add', key, value: { polluted: true } })),
);

/** Up to `max` mutations applied one after another to one of `bases`, at paths of the value as it stands. */
export function mutatedArbitrary(bases: readonly unknown[], max = 4): fc.Arbitrary<unknown> {
  return fc
    .tuple(fc.constantFrom(...bases), fc.array(fc.tuple(fc.nat(), mutationArbitrary), { maxLength: max }))
    .map(([base, steps]) =>
      steps.reduce<unknown>((value, [pick, mutation]) => {
        const paths = jsonPaths(value);
        return mutate(value, paths[pick % paths.length], mutation);
      }, base),
    );
}
