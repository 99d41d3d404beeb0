/**
 * JSON paths for error messages (`$.targets[1].cooldownMinutes`): every boundary names the field it rejects
 * the same way. Keys that are not identifiers are quoted (`$["detail-type"]`).
 */
export function jsonPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, seg) =>
      typeof seg === 'number'
        ? `${acc}[${seg}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(seg))
          ? `${acc}.${String(seg)}`
          : `${acc}[${JSON.stringify(String(seg))}]`,
    '$',
  );
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value at `path` in `input`, or undefined where the path leads nowhere. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur = input;
  for (const seg of path) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (isRecord(cur) && typeof seg === 'string') cur = cur[seg];
    else return undefined;
  }
  return cur;
}

/**
 * `got <value>` for problem messages, shortened; `missing` for undefined. Never throws, even for values that
 * JSON cannot write (too deeply nested), and never copies more than a few dozen characters of a long string.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  let json: string;
  try {
    // JSON.stringify gives undefined only for functions and symbols, which parsed JSON never holds.
    json =
      (typeof value === 'string' ? JSON.stringify(value.slice(0, 61)) : JSON.stringify(value)) ??
      typeof value;
  } catch {
    json = Array.isArray(value) ? '[…]' : typeof value === 'object' && value !== null ? '{…}' : typeof value;
  }
  return `got ${json.length > 60 ? `${json.slice(0, 57)}...` : json}`;
}

/** Whether `value` nests objects or arrays deeper than `max` (a flat object is depth 1). Iterative: never overflows. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ v: unknown; depth: number }> = [{ v: value, depth: 0 }];
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ v: child, depth: depth + 1 });
  }
  return false;
}
