import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../src/adapters/aws/dynamodb/client.js";
import { ensureTable } from "../../../src/adapters/aws/dynamodb/table.js";
import { DynamoDbVariableStore } from "../../../src/adapters/aws/dynamodb/variables.js";
import type { ChangeContext, EntryInput } from "../../../src/ports/variable-store.js";
import { startDynalite, type Dynalite } from "../../support/dynalite.js";

export const TABLE_NAME = "codebuild-checks-test";

export const byAlice: ChangeContext = { actor: "alice", via: "api" };

export const plain = (name: string, value: string): EntryInput => ({ name, isSecret: false, value });
export const secret = (name: string, secretId = `arn:aws:secretsmanager:us-east-1:123456789012:secret:codebuild-checks/${name}`): EntryInput => ({
  name,
  isSecret: true,
  secretId,
  valueBytes: 12,
});

/** dynalite with the app's table, a store on it, and a raw view of the table's items. */
export interface StoreFixture {
  dynalite: Dynalite;
  store: DynamoDbVariableStore;
  /** Another store on the same table, as a second replica of the app would have. */
  storeOn(client: DynamoDBClient): DynamoDbVariableStore;
  scan(): Promise<Record<string, unknown>[]>;
}

export async function startStore(): Promise<StoreFixture> {
  const dynalite = await startDynalite();
  await ensureTable(dynalite.client, TABLE_NAME, { create: true });
  const documents = createDocumentClient(dynalite.client);
  return {
    dynalite,
    store: new DynamoDbVariableStore(dynalite.client, TABLE_NAME),
    storeOn: (client) => new DynamoDbVariableStore(client, TABLE_NAME),
    async scan() {
      const items: Record<string, unknown>[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const out = await documents.send(new ScanCommand({ TableName: TABLE_NAME, ExclusiveStartKey: start }));
        items.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    },
  };
}

/** The raw variable items of a repository (every version, dead ones included). */
export function variableItems(items: Record<string, unknown>[], repositoryId: number): Record<string, unknown>[] {
  return items.filter((i) => i.pk === `REPO#${repositoryId}` && String(i.sk).startsWith("VAR#"));
}
