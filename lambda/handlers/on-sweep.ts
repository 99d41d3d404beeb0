import type { Context } from 'aws-lambda';
import { runtimeFromEnvironment } from './environment';

const runtime = runtimeFromEnvironment();

/** EventBridge schedule → the reconcile sweep: lost deployment events, expired leases, alarms still in ALARM. */
export const handler = async (event: unknown, context: Pick<Context, 'awsRequestId'>): Promise<void> =>
  runtime.onSweep(event, context);
