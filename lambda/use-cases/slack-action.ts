import {
  slackPrincipal,
  type OperatorRequest,
  type OperatorResponse,
  type RejectionReason,
  type SlackAction,
} from '../contract';
import { escapeMrkdwn, slackEphemeral, slackUpdatedMessage } from '../channels/slack-answers';
import type { Millis } from '../domain';
import type { AuditEntry, SlackResponder, Telemetry } from './ports';

export type { SlackResponder } from './ports';

/**
 * A verified Slack button press, carried out (README "Approve from Slack"): only a listed approver may press;
 * Approve approves the approval request the message was posted with and nothing else, Hold pauses the target.
 * Both run through the operator use cases (claim, counters, audit) as `slack:<team>/<user>`; the message is
 * then updated in place with who did what, or the presser alone is told why not.
 */

export interface SlackActionDeps {
  /** The operator use cases, as the operator function runs them (request validated there). */
  readonly operate: (request: OperatorRequest, principal: string) => Promise<OperatorResponse>;
  readonly responder: SlackResponder;
  readonly audit: (entry: AuditEntry) => Promise<unknown>;
  readonly telemetry: Telemetry;
  /** Slack member ids that may press (`notifications.slack.approvers`). */
  readonly approvers: ReadonlySet<string>;
  /** This watchdog's region: a button another region's watchdog posted is refused here. */
  readonly region?: string;
  readonly now: () => Millis;
}

/** What happened to one press. */
export type SlackActionOutcome =
  { readonly kind: 'done'; readonly text: string } | { readonly kind: 'refused'; readonly text: string };

const CLI = 'npx rollback-watchdog';

export async function handleSlackAction(
  deps: SlackActionDeps,
  action: SlackAction,
  requestId: string,
): Promise<SlackActionOutcome> {
  const principal = slackPrincipal(action.teamId, action.userId);
  const verb = action.kind === 'approve' ? 'Approve rollback' : 'Hold';
  const refuse = async (text: string, audit?: { reason: RejectionReason; problem: string }) => {
    if (audit) {
      await deps.audit({
        type: 'rejected',
        at: deps.now(),
        reason: audit.reason,
        problems: [audit.problem],
        requestId,
        source: 'slack',
        excerpt: `Slack ${verb} on ${action.target} (decision ${action.decision}) by ${principal}`,
      });
    }
    await answer(deps, action, slackEphemeral(text));
    return { kind: 'refused', text } as const;
  };

  if (action.region !== undefined && deps.region !== undefined && action.region !== deps.region) {
    return refuse(
      `This button belongs to the watchdog in ${action.region}; this Slack app points at the one in ${deps.region}. Give each region's watchdog its own Slack app, or use the CLI: ${CLI} ${action.kind === 'approve' ? 'approve' : 'pause'} ${action.target} --region ${action.region}`,
      {
        reason: 'not-authorized',
        problem: `a button of the watchdog in ${action.region} reached ${deps.region}`,
      },
    );
  }
  if (!deps.approvers.has(action.userId)) {
    return refuse(
      `You are not allowed to press ${verb} on ${action.target}: only the approvers listed in the watchdog's config may. Ask one of them, or use the CLI under your IAM role.`,
      {
        reason: 'not-authorized',
        problem: `Slack user ${action.userId} of team ${action.teamId} is not a listed approver`,
      },
    );
  }

  const request: OperatorRequest =
    action.kind === 'approve'
      ? { command: 'approve', target: action.target, decision: action.decision }
      : {
          command: 'pause',
          target: action.target,
          reason: `Hold pressed in Slack on the message of decision ${action.decision}`,
        };
  let response: OperatorResponse;
  try {
    response = await deps.operate(request, principal);
  } catch (error) {
    // Nothing is known to have happened: say so to the presser, and fail the invocation (its DLQ entry).
    await answer(
      deps,
      action,
      slackEphemeral(
        `${verb} on ${action.target} failed before the watchdog could answer (request ${requestId}); nothing is known to have changed. Check with ${CLI} status ${action.target}, and use the CLI if it is still needed.`,
      ),
    );
    throw error;
  }
  if (!response.ok) {
    deps.telemetry.log('info', 'slack action refused', { target: action.target, code: response.error.code });
    // The operator use case has audited a refusal (a skip decision) where it made one.
    return refuse(`${verb} on ${action.target} was refused: ${response.error.message}`);
  }
  const result = response.result as { readonly done?: boolean; readonly message?: string };
  const message = typeof result.message === 'string' ? result.message : `${verb} done`;
  if (result.done !== true) return refuse(`${verb} on ${action.target}: ${message}`);
  const when = new Date(deps.now()).toISOString().slice(11, 16);
  const text =
    action.kind === 'approve'
      ? `:white_check_mark: <@${action.userId}> approved at ${when} UTC. ${escapeMrkdwn(message)}`
      : `:double_vertical_bar: <@${action.userId}> held ${action.target} at ${when} UTC: no automatic action until \`${CLI} resume ${action.target}\`.`;
  await answer(deps, action, slackUpdatedMessage(action.message, text));
  return { kind: 'done', text };
}

/** Never throws: the action is done (or refused) whatever Slack says; a failed answer is logged. */
async function answer(
  deps: SlackActionDeps,
  action: SlackAction,
  body: Readonly<Record<string, unknown>>,
): Promise<void> {
  try {
    await deps.responder.respond(action.responseUrl, body);
  } catch (error) {
    deps.telemetry.log('error', 'could not answer Slack', {
      target: action.target,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
