import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { KEY, TABLE } from '../contract';
import type { Millis } from '../domain';
import { StateStoreUnavailableError } from '../use-cases/errors';
import type { OnceGuard } from '../use-cases/ports';
import { describeError } from './aws-errors';

/**
 * OnceGuard on the state table: one conditional put per key (`ONCE#<key>`), which expires with the table's TTL.
 * A put whose answer was lost and whose retry is refused reads the item back: the writer id says whether the
 * first attempt was this call's, so a lost response never turns a first claim into a "seen before".
 */
export class DynamoDbOnceGuard implements OnceGuard {
  private readonly doc: DynamoDBDocumentClient;

  constructor(private readonly options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.doc = DynamoDBDocumentClient.from(options.client);
  }

  async claimOnce(key: string, expiresAt: Millis): Promise<boolean> {
    const writer = randomUUID();
    const item = {
      ...KEY.once(key),
      writer,
      [TABLE.ttlAttribute]: Math.ceil(expiresAt / 1000),
    };
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw new StateStoreUnavailableError(`claim ${key} once: ${describeError(error)}`);
      }
    }
    try {
      const out = await this.doc.send(
        new GetCommand({ TableName: this.options.tableName, Key: KEY.once(key), ConsistentRead: true }),
      );
      return out.Item?.['writer'] === writer;
    } catch (error) {
      throw new StateStoreUnavailableError(`read back ${key}: ${describeError(error)}`);
    }
  }
}
