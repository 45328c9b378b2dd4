import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * A DynamoDB client on the SDK's default credential, region and endpoint chain
 * (AWS_ENDPOINT_URL_DYNAMODB included: SPEC 1); adaptive retries ride out throttling.
 */
export function createDynamoDbClient(): DynamoDBClient {
  return new DynamoDBClient({ retryMode: "adaptive" });
}

/** Items as plain objects; optional fields left undefined are simply not written. */
export function createDocumentClient(client: DynamoDBClient = createDynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** The app's table, as the adapters that read and write it need it. */
export interface AppTable {
  documents: DynamoDBDocumentClient;
  name: string;
}
