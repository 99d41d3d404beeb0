/**
 * Bounds on what the watchdog accepts and stores (docs/reliability.md, "bounded input"). AWS's own limits where
 * it has them; everything stored in a target's DynamoDB item is bounded so the item stays far below 400 KB.
 */
export const LIMITS = {
  /** CloudWatch alarm names: 1 to 255 characters (PutMetricAlarm). */
  alarmNameMax: 255,
  /** The longest ARN IAM and the ARN format allow. */
  arnMax: 2048,
  /** CloudWatch's StateReason is at most 1,023 characters; kept (and echoed) no longer. */
  stateReasonMax: 1023,
  /** CloudWatch's StateReasonData is at most 4,000 characters. */
  stateReasonDataMax: 4000,
  /** Ids and names inside events (EventBridge ids, deployment ids, application names). */
  identifierMax: 256,
  /** Free text in deployment events (ECS `reason`), cut for storage. */
  eventTextMax: 1024,
  /** `resources` entries an event may carry: the watchdog's events carry one or two. */
  resourcesMax: 64,
  /** Problems listed for one rejected input; the rest are counted. */
  problemsMax: 20,
  /** How far in the future of the handler's clock an event timestamp may be (clock skew). */
  futureSkewMs: 5 * 60_000,
  /** Operator request bodies: a command is a few hundred bytes. */
  operatorBodyMax: 16 * 1024,
  /** Nesting of an operator request (an object of scalars is depth 1). */
  operatorDepthMax: 4,
  /** The latest instant a JavaScript Date can hold (8.64e15 ms after the epoch). */
  maxDateMs: 8_640_000_000_000_000,
} as const;

/**
 * An IAM principal ARN a Function URL's resource policy can name: a role (paths allowed), a user, or an
 * account's root, in any partition.
 */
export const IAM_PRINCIPAL_ARN_PATTERN =
  /^arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:root|role\/[\w+=,.@/-]{1,512}|user\/[\w+=,.@/-]{1,512})$/;

/** The longest runbook URL a target may name (it is repeated in every message about the target). */
export const RUNBOOK_URL_MAX_LENGTH = 1_000;

/**
 * Why `url` cannot be a target's runbook link, or undefined when it can: an absolute https URL without
 * spaces or credentials, at most RUNBOOK_URL_MAX_LENGTH characters.
 */
export function runbookUrlProblem(url: string): string | undefined {
  const fix = 'must be an https URL like "https://wiki.example.com/runbooks/checkout"';
  if (url.length > RUNBOOK_URL_MAX_LENGTH) return `must be at most ${RUNBOOK_URL_MAX_LENGTH} characters`;
  if (!/^https:\/\/[^\s/?#]+[^\s]*$/.test(url)) return fix;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fix;
  }
  if (parsed.username !== '' || parsed.password !== '') return 'must not carry a user name or password';
  return undefined;
}

/**
 * Why `mention` cannot be the Slack mention of high-severity posts, or undefined when it can. An incoming
 * webhook pings only Slack's own syntax: a user group `<!subteam^S…>`, a person `<@U…>` or `<@W…>`,
 * `<!here>` or `<!channel>`; a plain `@oncall` is shown as text and pings nobody.
 */
export function slackMentionProblem(mention: string): string | undefined {
  if (/^<!subteam\^[A-Z0-9]{2,30}>$|^<@[UW][A-Z0-9]{2,30}>$|^<!(?:here|channel)>$/.test(mention))
    return undefined;
  return (
    'must be Slack mention syntax: "<!subteam^S0123ABCD>" for a user group (its id is in the group\'s ' +
    'profile), "<@U0123ABCD>" for a person, "<!here>" or "<!channel>"; a plain "@name" pings nobody through a webhook'
  );
}
