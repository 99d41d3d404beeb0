import type { Context } from 'aws-lambda';
import { runtimeFromEnvironment } from './environment';

const runtime = runtimeFromEnvironment();

/** EventBridge `CloudWatch Alarm State Change` → one decision per guarded target. */
export const handler = async (event: unknown, context: Pick<Context, 'awsRequestId'>): Promise<void> =>
  runtime.onAlarm(event, context);
