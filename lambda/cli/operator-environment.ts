import { connectToStack, type ConnectOptions } from '../adapters/operator-connection';
import type { OperatorEnvironment } from './operator-client';

/**
 * The real outside world: the stack found through CloudFormation, requests signed with the caller's AWS
 * credentials (the SDK's default chain). `options` shortens the timeouts in tests (CLI_NETWORK otherwise).
 */
export function awsOperatorEnvironment(
  options: Pick<ConnectOptions, 'network' | 'env'> = {},
): OperatorEnvironment {
  return {
    connect: (location) => {
      // The SDK's notice about its future Node.js support is not what an on-call engineer needs to read now.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      return connectToStack(location, options);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
