import {
  AccessDeniedException,
  ClusterNotFoundException,
  ConflictException,
  ServerException,
  ServiceNotActiveException,
  ServiceNotFoundException,
} from '@aws-sdk/client-ecs';
import {
  ApplicationDoesNotExistException,
  DeploymentAlreadyCompletedException,
  DeploymentDoesNotExistException,
  DeploymentGroupDoesNotExistException,
  DeploymentLimitExceededException,
  InvalidDeploymentIdException,
  InvalidRevisionException,
  ThrottlingException as CodeDeployThrottlingException,
} from '@aws-sdk/client-codedeploy';
import {
  classifyAwsError,
  describeError,
  summarizeError,
  type AwsErrorClass,
} from '../../../lambda/adapters/aws-errors';
import { awsError } from '../../support/aws-errors';

const meta = (httpStatusCode: number) => ({ httpStatusCode, requestId: 'req-1', attempts: 3 });

describe('classifyAwsError', () => {
  const socketError = (code: string) => Object.assign(new Error(`socket: ${code}`), { code });
  const cases: [label: string, expected: AwsErrorClass, err: unknown][] = [
    ['ECS ThrottlingException', 'retryable', awsError('ThrottlingException')],
    ['TooManyRequestsException', 'retryable', awsError('TooManyRequestsException', { status: 429 })],
    [
      'ProvisionedThroughputExceededException',
      'retryable',
      awsError('ProvisionedThroughputExceededException'),
    ],
    ['RequestLimitExceeded', 'retryable', awsError('RequestLimitExceeded')],
    ['an unknown name with status 429', 'retryable', awsError('SomethingNew', { status: 429 })],
    ['the $retryable trait', 'retryable', awsError('SomethingNew', { retryable: true })],
    ['ECS ServerException', 'retryable', new ServerException({ message: 'boom', $metadata: meta(500) })],
    ['an unnamed 503', 'retryable', awsError('UnknownError', { status: 503 })],
    [
      'an SDK request timeout',
      'retryable',
      Object.assign(socketError('ETIMEDOUT'), { name: 'TimeoutError' }),
    ],
    ['ECONNRESET', 'retryable', socketError('ECONNRESET')],
    ['EAI_AGAIN', 'retryable', socketError('EAI_AGAIN')],
    [
      'a socket error as cause',
      'retryable',
      new Error('request failed', { cause: socketError('ECONNRESET') }),
    ],
    [
      'ServiceNotFoundException',
      'terminal',
      new ServiceNotFoundException({ message: 'Service not found.', $metadata: meta(400) }),
    ],
    [
      'ServiceNotActiveException',
      'terminal',
      new ServiceNotActiveException({ message: 'Service was not ACTIVE.', $metadata: meta(400) }),
    ],
    [
      'ClusterNotFoundException',
      'terminal',
      new ClusterNotFoundException({ message: 'Cluster not found.', $metadata: meta(400) }),
    ],
    [
      'AccessDeniedException',
      'terminal',
      new AccessDeniedException({ message: 'not authorized', $metadata: meta(400) }),
    ],
    ['AccessDenied', 'terminal', awsError('AccessDenied', { status: 403 })],
    ['UnauthorizedOperation', 'terminal', awsError('UnauthorizedOperation', { status: 403 })],
    ['InvalidParameterException', 'terminal', awsError('InvalidParameterException')],
    ['ResourceNotFoundException', 'terminal', awsError('ResourceNotFoundException')],
    ['SNS NotFoundException', 'terminal', awsError('NotFoundException', { status: 404 })],
    ['SNS KMSAccessDeniedException', 'terminal', awsError('KMSAccessDeniedException')],
    [
      'ConflictException',
      'conflict',
      new ConflictException({ message: 'already complete', $metadata: meta(400) }),
    ],
    [
      'CodeDeploy DeploymentAlreadyCompletedException',
      'conflict',
      new DeploymentAlreadyCompletedException({ message: 'already complete', $metadata: meta(400) }),
    ],
    [
      'CodeDeploy DeploymentLimitExceededException (another deployment is active)',
      'conflict',
      new DeploymentLimitExceededException({
        message: "already has an active Deployment 'd-9'",
        $metadata: meta(400),
      }),
    ],
    [
      'CodeDeploy ThrottlingException',
      'retryable',
      new CodeDeployThrottlingException({ message: 'Rate exceeded', $metadata: meta(400) }),
    ],
    [
      'CodeDeploy ApplicationDoesNotExistException',
      'terminal',
      new ApplicationDoesNotExistException({ message: 'No application found', $metadata: meta(400) }),
    ],
    [
      'CodeDeploy DeploymentGroupDoesNotExistException',
      'terminal',
      new DeploymentGroupDoesNotExistException({
        message: 'No Deployment Group found',
        $metadata: meta(400),
      }),
    ],
    [
      'CodeDeploy DeploymentDoesNotExistException',
      'terminal',
      new DeploymentDoesNotExistException({ message: 'could not be found', $metadata: meta(400) }),
    ],
    [
      'CodeDeploy InvalidDeploymentIdException',
      'terminal',
      new InvalidDeploymentIdException({ message: 'invalid format', $metadata: meta(400) }),
    ],
    [
      'CodeDeploy InvalidRevisionException',
      'terminal',
      new InvalidRevisionException({ message: 'invalid revision', $metadata: meta(400) }),
    ],
    ['CodeDeploy InvalidApplicationNameException', 'terminal', awsError('InvalidApplicationNameException')],
    ['CodeDeploy RevisionDoesNotExistException', 'terminal', awsError('RevisionDoesNotExistException')],
    ['an unrecognised 400', 'unknown', awsError('BrandNewException')],
    ['a programming error', 'unknown', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a thrown string', 'unknown', 'boom'],
    ['undefined', 'unknown', undefined],
  ];

  it.each(cases)('%s is %s', (_label, expected, err) => {
    // Act
    const result = classifyAwsError(err);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('summarizeError', () => {
  it('keeps name, message and $metadata of an SDK error, and drops the raw response', () => {
    // Prepare
    const err = Object.assign(
      new ServiceNotFoundException({ message: 'Service not found.', $metadata: meta(400) }),
      {
        $response: { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIA...' }, body: 'raw' },
      },
    );

    // Act
    const summary = summarizeError(err);

    // Assess
    expect(summary).toEqual({
      name: 'ServiceNotFoundException',
      message: 'Service not found.',
      httpStatusCode: 400,
      requestId: 'req-1',
      attempts: 3,
    });
    expect(JSON.stringify(summary)).not.toContain('AKIA');
  });

  it('describes any thrown value as "Name: message", without a final period', () => {
    // Act & Assess
    expect(describeError(new ConflictException({ message: 'already stopped.', $metadata: {} }))).toBe(
      'ConflictException: already stopped',
    );
    expect(describeError('boom')).toBe('string: boom');
  });
});
