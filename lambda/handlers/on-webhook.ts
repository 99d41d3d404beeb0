import { webhookHandlerFromEnvironment } from './webhook-forwarder';

// Module scope: the client, the cached URL and the telemetry live as long as the container.
const forward = webhookHandlerFromEnvironment(process.env);

/**
 * SNS notification topic → the channel's webhook: the watchdog's notifications and the CloudWatch alarm
 * notifications on the topic, rendered by the channel. Throws when a post failed, so Lambda retries.
 */
export const handler = async (event: unknown): Promise<void> => {
  await forward(event);
};
