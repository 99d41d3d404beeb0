import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { awsClientSettings } from './aws-clients';

/**
 * Invokes a function asynchronously (`InvocationType: Event`) with a JSON payload: the Slack endpoint hands a
 * verified press to its own next invocation, so that Slack is answered within its 3 seconds.
 */
export class LambdaSelfInvoker {
  private readonly client: LambdaClient;

  constructor(
    private readonly functionName: string,
    client?: LambdaClient,
  ) {
    this.client = client ?? new LambdaClient(awsClientSettings());
  }

  async invoke(payload: unknown): Promise<void> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify(payload)),
      }),
    );
  }
}
