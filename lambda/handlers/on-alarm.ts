import type { Context } from 'aws-lambda';
import { isVersionEvent } from '../boundary/version-events';
import { runtimeFromEnvironment } from './environment';

const runtime = runtimeFromEnvironment();

/**
 * EventBridge `CloudWatch Alarm State Change` → one decision per guarded target; and the version bus's events
 * (a quarantine from another region, a receipt, a check of a quarantined deployment), which this function
 * receives because it is the one that acts.
 */
export const handler = async (event: unknown, context: Pick<Context, 'awsRequestId'>): Promise<void> =>
  isVersionEvent(event) ? runtime.onVersionEvent(event, context) : runtime.onAlarm(event, context);
