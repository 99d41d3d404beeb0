/**
 * The DynamoDB Streams records the audit exporter reads, as lambda/boundary parses them and the export use case
 * consumes them.
 */

/** A DynamoDB attribute value in the JSON form streams deliver (`{ "S": "..." }`, `{ "M": { ... } }`, ...). */
export type AttributeValueJson = Readonly<Record<string, unknown>>;

/** One stream record, parsed: what the exporter needs, or why it cannot be read. */
export type AuditStreamRecord =
  | {
      readonly ok: true;
      readonly sequenceNumber: string;
      /** INSERT, MODIFY or REMOVE. */
      readonly eventName: string;
      /** When DynamoDB wrote the change, in epoch seconds, when the record says. */
      readonly approximateCreationSeconds?: number;
      /** The item after the change (NEW_IMAGE streams); absent for REMOVE. */
      readonly newImage?: Readonly<Record<string, AttributeValueJson>>;
    }
  | {
      readonly ok: false;
      /** Present when the record has one, so the failure can be reported for it alone. */
      readonly sequenceNumber?: string;
      readonly problems: readonly string[];
    };
