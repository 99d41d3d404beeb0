import { createAwsClients } from '../adapters/aws-clients';
import { HttpsResponseSender } from '../adapters/cloudformation-response';
import { DynamoDbRuntimeConfigWriter, runtimeConfigProblems } from '../adapters/dynamodb-config-source';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import { S3ObjectReader, createS3Client } from '../adapters/s3-object-reader';
import { writeRuntimeConfig } from '../use-cases/write-runtime-config';

const { dynamodb } = createAwsClients();
const telemetry = new PowertoolsTelemetry();
const deps = {
  assets: new S3ObjectReader(createS3Client()),
  writer: new DynamoDbRuntimeConfigWriter(dynamodb),
  responses: new HttpsResponseSender(),
  telemetry,
  problemsOf: runtimeConfigProblems,
};

/**
 * CloudFormation custom resource (CONFIG_WRITER_RESOURCE_TYPE) → the runtime config item: read from the
 * stack's S3 asset, written gzip-compressed to the state table on every deploy that changes it.
 */
export const handler = async (event: unknown): Promise<void> => {
  try {
    await writeRuntimeConfig(deps, event);
  } finally {
    telemetry.flush();
  }
};
