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
