import { ECSServiceException } from '@aws-sdk/client-ecs';

/**
 * An SDK service exception as the SDK deserialises it, for error names that have no modelled class in the
 * clients under test (throttling, other services' errors).
 */
export function awsError(
  name: string,
  options: { status?: number; message?: string; retryable?: boolean } = {},
): ECSServiceException {
  const { status = 400, message = `${name} (test)`, retryable = false } = options;
  const err = new ECSServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-test', attempts: 3 },
  });
  return retryable ? Object.assign(err, { $retryable: { throttling: false } }) : err;
}
