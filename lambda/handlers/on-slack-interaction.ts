import { ENV, regionFromEnvironment } from '../contract';
import { createAwsClients } from '../adapters/aws-clients';
import { LambdaSelfInvoker } from '../adapters/lambda-self-invoker';
import { DynamoDbOnceGuard } from '../adapters/dynamodb-once-guard';
import { PowertoolsTelemetry } from '../adapters/powertools-telemetry';
import { createSecretsManagerClient, SlackSigningSecretReader } from '../adapters/secrets-manager';
import { FetchSlackResponder } from '../adapters/slack-responder';
import { runtimeFromEnvironment } from './environment';
import { requiredEnv } from './required-env';
import { createSlackInteractionHandler } from './slack-interaction';

// Module scope: clients, the cached signing secret and config live as long as the container.
const env = process.env;
const region = regionFromEnvironment(env);
const self = new LambdaSelfInvoker(requiredEnv(env, 'AWS_LAMBDA_FUNCTION_NAME'));

/**
 * Function URL (AuthType NONE, only with `slack.interactive`) → a verified Slack button press → the operator
 * use cases as `slack:<team>/<user>` (lambda/handlers/slack-interaction.ts).
 */
export const handler = createSlackInteractionHandler({
  runtime: runtimeFromEnvironment(env),
  signingSecret: new SlackSigningSecretReader({
    client: createSecretsManagerClient(),
    secretId: requiredEnv(env, ENV.slackSecretArn),
  }),
  once: new DynamoDbOnceGuard({
    client: createAwsClients().dynamodb,
    tableName: requiredEnv(env, ENV.tableName),
  }),
  responder: new FetchSlackResponder(),
  invokeSelf: (work) => self.invoke(work),
  approvers: new Set(
    requiredEnv(env, ENV.slackApprovers)
      .split(',')
      .map((a) => a.trim())
      .filter((a) => a.length > 0),
  ),
  ...(region !== undefined ? { region } : {}),
  telemetry: new PowertoolsTelemetry(),
  now: () => Date.now(),
});
