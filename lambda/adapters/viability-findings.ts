import type { Viability } from '../domain';

/** What one read of a viability check found: what is gone, what it could not check. */
export interface ViabilityFindings {
  readonly missing?: readonly string[];
  readonly unchecked?: readonly string[];
}

/**
 * The answer of Deployer.viability from the findings of its reads: runnable unless one of them found something
 * gone (lambda/domain/viability.ts counts what could not be checked as runnable).
 */
export function viabilityOf(findings: readonly ViabilityFindings[]): Omit<Viability, 'checkedAt'> {
  const missing = findings.flatMap((f) => f.missing ?? []);
  const unchecked = findings.flatMap((f) => f.unchecked ?? []);
  return {
    runnable: missing.length === 0,
    ...(missing.length > 0 ? { missing } : {}),
    ...(unchecked.length > 0 ? { unchecked } : {}),
  };
}
