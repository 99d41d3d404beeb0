import type { Context } from 'aws-lambda';
import { runtimeFromEnvironment } from './environment';

const runtime = runtimeFromEnvironment();

/** EventBridge `ECS Deployment State Change` → ledger updates and completion of the watchdog's own rollbacks. */
export const handler = async (event: unknown, context: Pick<Context, 'awsRequestId'>): Promise<void> =>
  runtime.onDeployment(event, context);
