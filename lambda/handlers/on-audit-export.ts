import { requiredEnv } from './required-env';
import { ENV } from '../contract';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import { S3AuditArchive } from '../adapters/s3-audit-archive';
import { createS3Client } from '../adapters/s3-object-reader';
import { parseAuditStreamEvent } from '../boundary/audit-stream';
import { exportAudit, type BatchResponse, type ExportAuditDeps } from '../use-cases/export-audit';

/** Wires the DynamoDB stream → S3 audit export; the exported `handler` is this, built from the environment. */
export function createAuditExportHandler(deps: ExportAuditDeps): (event: unknown) => Promise<BatchResponse> {
  return async (event) => {
    try {
      return await exportAudit(deps, parseAuditStreamEvent(event));
    } finally {
      deps.telemetry.flush();
    }
  };
}

/** The exporter's settings from the Lambda environment; a missing one is a deployment bug, reported at init. */
export function auditExportDepsFromEnvironment(env: NodeJS.ProcessEnv): ExportAuditDeps {
  const required = (name: string): string => requiredEnv(env, name);
  const owner = env[ENV.auditExportBucketOwner];
  return {
    archive: new S3AuditArchive({
      client: createS3Client(),
      bucket: required(ENV.auditExportBucket),
      ...(owner ? { expectedOwner: owner } : {}),
    }),
    telemetry: new PowertoolsTelemetry(),
    prefix: required(ENV.auditExportPrefix),
  };
}

/** DynamoDB Streams (inserted audit items, ReportBatchItemFailures) → one S3 object per item. */
export const handler = createAuditExportHandler(auditExportDepsFromEnvironment(process.env));
