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
