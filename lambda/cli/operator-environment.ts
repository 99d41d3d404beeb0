import { connectToStack } from '../adapters/operator-connection';
import type { OperatorEnvironment } from './operator-client';

/**
 * The real outside world: the stack found through CloudFormation, requests signed with the caller's AWS
 * credentials (the SDK's default chain).
 */
export function awsOperatorEnvironment(): OperatorEnvironment {
  return {
    connect: (location) => {
      // The SDK's notice about its future Node.js support is not what an on-call engineer needs to read now.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      return connectToStack(location);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
  };
}
