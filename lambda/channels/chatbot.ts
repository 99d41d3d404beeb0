import { nextStepLine, type ChatbotNotification, type WatchdogNotification } from '../contract';
import { truncate } from './text';

/**
 * The Chatbot channel (docs/architecture.md, "Notification messages"): an AWS Chatbot (Amazon Q Developer in
 * chat applications) custom notification, the `default` member of every SNS message. Its description is plain
 * text in four parts, in the order an engineer paged at night reads them (what fired, what changed, what the
 * watchdog did, what to do next, with the exact command), then the links. No markdown: it reaches Chatbot and
 * any other subscriber alike, and chat clients link bare URLs by themselves.
 */

/** Chatbot's field limits: longer text is cut with an ellipsis rather than risk the whole notification. */
export const CHATBOT_LIMITS = { title: 250, description: 8_000 } as const;

/** The line that starts the links section of a description. */
export const LINKS_HEADING = 'Links:';

/** The Chatbot card's description: what fired, what changed, what the watchdog did, what to do next, links. */
export function describeNotification(n: WatchdogNotification): string {
  const [changeHead, ...changeDetails] = n.changed;
  const first = n.nextSteps[0];
  return [
    `What fired: ${n.fired}`,
    ...(changeHead !== undefined ? [`What changed: ${changeHead}`, ...changeDetails] : []),
    `What the watchdog did: ${n.did}`,
    ...(first !== undefined ? [`What to do next: ${nextStepLine(first)}`] : []),
    ...(n.links.length > 0 ? ['', LINKS_HEADING, ...n.links.map((l) => `${l.label}: ${l.url}`)] : []),
  ].join('\n');
}

/** The card as SNS carries it; pure, so the simulator and tests see exactly what is published. */
export function renderChatbotCard(n: WatchdogNotification): ChatbotNotification & {
  readonly metadata: { readonly threadId: string };
} {
  return {
    version: '1.0',
    source: 'custom',
    content: {
      title: truncate(n.title, CHATBOT_LIMITS.title, '…'),
      description: truncate(describeNotification(n), CHATBOT_LIMITS.description, '…'),
      nextSteps: n.nextSteps.map(nextStepLine),
      keywords: [...n.keywords],
    },
    metadata: {
      /** Chatbot threads every message of one target together. */
      threadId: n.target,
      // kind and target always match the message attributes, whatever the builder put in the context.
      additionalContext: { ...n.context, kind: n.kind, target: n.target },
    },
  };
}
