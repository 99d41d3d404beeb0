import { InvalidParameterException, NotFoundException, type PublishCommandInput } from '@aws-sdk/client-sns';
import { simCommand, type SimCommands } from '../sim-commands';
import { simTopicArn, stableUuid } from './account';
import type { WorldContext } from './world-context';

/**
 * One published message as the output's `notifications` lists it (docs/architecture.md, "Output and expect").
 */
export interface PublishedNotification {
  readonly at: number;
  readonly kind: string;
  readonly target: string;
  readonly title: string;
}

/**
 * The SNS part of the simulated account: the watchdog's topic in the world's region, which records what is
 * published to it.
 */
export class SnsWorld {
  constructor(
    private readonly ctx: WorldContext,
    private readonly onPublish: (notification: PublishedNotification) => void,
  ) {}

  commands(): SimCommands {
    return {
      Publish: simCommand<PublishCommandInput>({
        target: (input) => input.MessageAttributes?.target?.StringValue,
        run: (input) => this.publish(input),
      }),
    };
  }

  private publish(input: PublishCommandInput): Record<string, unknown> {
    if (input.TopicArn !== simTopicArn(this.ctx.region)) {
      throw new NotFoundException({
        message: `Topic does not exist: ${String(input.TopicArn)}`,
        $metadata: {},
      });
    }
    if (input.MessageStructure === 'json' && !hasDefaultMember(input.Message)) {
      // SNS's own check: a per-protocol message must say what every other protocol receives.
      throw new InvalidParameterException({
        message: 'Invalid parameter: Message Structure - No default entry in JSON message body',
        $metadata: {},
      });
    }
    const target = input.MessageAttributes?.target?.StringValue ?? '';
    this.onPublish({
      at: this.ctx.clock.now(),
      kind: input.MessageAttributes?.kind?.StringValue ?? '',
      target,
      title: chatbotTitle(input.Message, input.MessageStructure),
    });
    const counter = `sns-message:${target}`;
    return { MessageId: stableUuid(counter, this.ctx.next(counter)) };
  }
}

function hasDefaultMember(message: string | undefined): boolean {
  try {
    const body: unknown = JSON.parse(message ?? '');
    return typeof body === 'object' && body !== null && 'default' in body && typeof body.default === 'string';
  } catch {
    return false;
  }
}

/**
 * `content.title` of the AWS Chatbot custom notification a publish carries (with `MessageStructure: "json"`,
 * the `default` member, which is what Chatbot receives); empty when the body is not one.
 */
function chatbotTitle(message: string | undefined, structure: string | undefined): string {
  try {
    const outer: unknown = JSON.parse(message ?? '');
    const body: unknown =
      structure === 'json' && typeof outer === 'object' && outer !== null && 'default' in outer
        ? JSON.parse(String(outer.default))
        : outer;
    if (typeof body === 'object' && body !== null && 'content' in body) {
      const content: unknown = body.content;
      if (
        typeof content === 'object' &&
        content !== null &&
        'title' in content &&
        typeof content.title === 'string'
      ) {
        return content.title;
      }
    }
  } catch {
    // Not JSON: the message is not a Chatbot notification, so it has no title.
  }
  return '';
}
