import { createHash } from 'node:crypto';

/**
 * Deterministic ids: the same invocation, target and transition always give the same id, so logs, audit
 * and notifications of one decision correlate, and the simulator's output is reproducible.
 */
export function decisionId(...parts: readonly string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
