import {
  CloudFormationClient,
  DescribeStacksCommand,
  type StackStatus,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { OperatorTransportError, STACK_OUTPUT, type OperatorRequest } from '../../../lambda/contract';
import { connectToStack, ReadRoutingOperatorClient } from '../../../lambda/adapters/operator-connection';
import { SignedOperatorClient } from '../../../lambda/adapters/operator-http-client';
import { findOperatorEndpoint } from '../../../lambda/adapters/stack-outputs';
import { awsError } from '../../support/aws-errors';

const URL = 'https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/';
const READ_URL = 'https://zyxwvutsrqponmlkjihgfedcba543210.lambda-url.eu-west-1.on.aws/';
const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

function stack(outputs: Record<string, string>, status: StackStatus = 'UPDATE_COMPLETE') {
  return {
    Stacks: [
      {
        StackName: 'RollbackWatchdog',
        StackStatus: status,
        CreationTime: new Date('2026-02-01T00:00:00Z'),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}

/** A CloudFormation "no such stack" as the SDK throws it (a 400 ValidationError). */
function stackMissing(name: string) {
  return awsError('ValidationError', { message: `Stack with id ${name} does not exist` });
}

/** The credential chain's failure as it surfaces from `client.send` when no provider has credentials. */
function noCredentials() {
  return Object.assign(new Error('Could not load credentials from any providers'), {
    name: 'CredentialsProviderError',
  });
}

async function failure(promise: Promise<unknown>): Promise<OperatorTransportError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OperatorTransportError);
  return error as OperatorTransportError;
}

describe('findOperatorEndpoint', () => {
  const cfn = mockClient(CloudFormationClient);
  const client = new CloudFormationClient({ region: 'eu-west-1', credentials });
  beforeEach(() => cfn.reset());

  it('reads the operator URL and function name from the stack outputs', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'RollbackWatchdog' }).resolves(
      stack({
        [STACK_OUTPUT.operatorUrl]: URL,
        [STACK_OUTPUT.operatorFunctionName]: 'RollbackWatchdog-OperatorHandler-AbC123',
        [STACK_OUTPUT.tableName]: 'RollbackWatchdog-State',
      }),
    );
    await expect(findOperatorEndpoint(client, 'RollbackWatchdog')).resolves.toEqual({
      stackName: 'RollbackWatchdog',
      region: 'eu-west-1',
      url: URL,
      functionName: 'RollbackWatchdog-OperatorHandler-AbC123',
    });
    expect(cfn).toHaveReceivedCommandTimes(DescribeStacksCommand, 1);
  });

  it('says how to deploy when the stack does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing('RollbackWatchdog'));
    const error = await failure(findOperatorEndpoint(client, 'RollbackWatchdog'));
    expect(error.kind).toBe('stack-not-found');
    expect(error.message).toBe(
      'stack RollbackWatchdog not found in eu-west-1: deploy it with `npx cdk deploy` or pass --stack (and --region if it lives elsewhere)',
    );
  });

  it('says how to get credentials when there are none', async () => {
    cfn.on(DescribeStacksCommand).rejects(noCredentials());
    const error = await failure(findOperatorEndpoint(client, 'RollbackWatchdog'));
    expect(error.kind).toBe('no-credentials');
    expect(error.message).toBe(
      'no AWS credentials found: set AWS_PROFILE or run `aws sso login` (or pass --profile) (CredentialsProviderError: Could not load credentials from any providers)',
    );
  });

  it.each([
    ['ExpiredToken', 'no-credentials', /^AWS rejected your credentials: refresh them/],
    [
      'AccessDenied',
      'forbidden',
      /^you are not allowed to read the stack RollbackWatchdog: needs cloudformation:DescribeStacks/,
    ],
    [
      'Throttling',
      'throttled',
      /^CloudFormation in eu-west-1 is throttling requests .*try again in a moment$/,
    ],
    [
      'InternalFailure',
      'aws',
      /^CloudFormation in eu-west-1 failed \(InternalFailure.*\); try again in a moment$/,
    ],
    ['ValidationError', 'aws', /^reading the stack RollbackWatchdog failed \(ValidationError: /],
  ])('maps %s to %s', async (name, kind, message) => {
    cfn.on(DescribeStacksCommand).rejects(awsError(name, { status: name === 'InternalFailure' ? 500 : 400 }));
    const error = await failure(findOperatorEndpoint(client, 'RollbackWatchdog'));
    expect(error.kind).toBe(kind);
    expect(error.message).toMatch(message);
  });

  it('names a stack without the operator output as not a (current) watchdog stack', async () => {
    cfn
      .on(DescribeStacksCommand)
      .resolves(stack({ Other: 'x', [STACK_OUTPUT.operatorUrl]: '' }, 'CREATE_IN_PROGRESS'));
    const error = await failure(findOperatorEndpoint(client, 'RollbackWatchdog'));
    expect(error.kind).toBe('not-a-watchdog-stack');
    expect(error.message).toMatch(
      /^stack RollbackWatchdog in eu-west-1 \(CREATE_IN_PROGRESS\) has no OperatorUrl output: it is not a Rollback Watchdog stack/,
    );
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [] });
    expect((await failure(findOperatorEndpoint(client, 'RollbackWatchdog'))).kind).toBe('stack-not-found');
  });

  it('asks for a region when the SDK has none', async () => {
    const noRegion = new CloudFormationClient({
      region: (): Promise<string> => Promise.reject(new Error('Region is missing')),
      credentials,
    });
    const error = await failure(findOperatorEndpoint(noRegion, 'RollbackWatchdog'));
    expect(error.kind).toBe('no-region');
    expect(error.message).toBe(
      'no AWS region: pass --region, set AWS_REGION (or AWS_DEFAULT_REGION), or give your profile a region',
    );
  });
});

describe('connectToStack', () => {
  const cfn = mockClient(CloudFormationClient);
  beforeEach(() => cfn.reset());

  it("finds the stack in the given region and signs for the Function URL's region", async () => {
    cfn
      .on(DescribeStacksCommand, { StackName: 'Watchdog-Prod' })
      .resolves(stack({ [STACK_OUTPUT.operatorUrl]: URL, [STACK_OUTPUT.operatorFunctionName]: 'fn' }));
    const client = await connectToStack({ stackName: 'Watchdog-Prod', region: 'eu-west-1' }, { credentials });
    expect(client).toBeInstanceOf(SignedOperatorClient);
    const signed = client as SignedOperatorClient;
    expect(signed.url.href).toBe(URL);
    expect(signed.region).toBe('eu-west-1');
    expect(cfn).toHaveReceivedCommandWith(DescribeStacksCommand, { StackName: 'Watchdog-Prod' });
  });

  it('sends status and history to the read-only URL and every other command to the operator URL', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'Watchdog-Prod' }).resolves(
      stack({
        [STACK_OUTPUT.operatorUrl]: URL,
        [STACK_OUTPUT.operatorFunctionName]: 'fn',
        [STACK_OUTPUT.operatorReadUrl]: READ_URL,
        [STACK_OUTPUT.operatorReadFunctionName]: 'read-fn',
      }),
    );
    const client = await connectToStack({ stackName: 'Watchdog-Prod', region: 'eu-west-1' }, { credentials });
    expect(client).toBeInstanceOf(ReadRoutingOperatorClient);
    const routing = client as ReadRoutingOperatorClient;
    const urlOf = (c: unknown) => (c as SignedOperatorClient).url.href;
    expect(urlOf(routing.operator)).toBe(URL);
    expect(urlOf(routing.reader)).toBe(READ_URL);

    const sent: string[] = [];
    const recorder = (name: string) => ({
      send: (request: OperatorRequest) => {
        sent.push(`${name}:${request.command}`);
        return Promise.resolve({ ok: true as const, result: {} });
      },
    });
    const routed = new ReadRoutingOperatorClient(recorder('operator'), recorder('reader'));
    await routed.send({ command: 'status' });
    await routed.send({ command: 'history', target: 'checkout' });
    await routed.send({ command: 'pause', reason: 'incident' });
    await routed.send({ command: 'rollback', target: 'checkout', reason: 'bad' });
    expect(sent).toEqual(['reader:status', 'reader:history', 'operator:pause', 'operator:rollback']);
  });

  it('fails with the stack-not-found and no-credentials messages', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing('Nope'));
    const missing = await failure(
      connectToStack({ stackName: 'Nope', region: 'us-east-2' }, { credentials }),
    );
    expect(missing.message).toMatch(
      /^stack Nope not found in us-east-2: deploy it with `npx cdk deploy` or pass --stack/,
    );
    cfn.on(DescribeStacksCommand).rejects(noCredentials());
    const anonymous = await failure(connectToStack({ stackName: 'RollbackWatchdog', region: 'us-east-2' }));
    expect(anonymous.kind).toBe('no-credentials');
  });
});
