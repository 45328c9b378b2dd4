import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../src/adapters/aws/dynamodb/client.js";
import { DynamoDbDeploymentThreadStore } from "../../../src/adapters/aws/dynamodb/deployment-threads.js";
import { deploymentThreadKey } from "../../../src/adapters/aws/dynamodb/keys.js";
import { MemoryDeploymentThreadStore } from "../../../src/adapters/memory/deployment-threads.js";
import type { DeploymentThreadStore } from "../../../src/ports/deployments.js";
import { emptyThread, withEntry } from "../../../src/deployments/thread.js";
import type { MaskedText } from "../../../src/variables/masking.js";
import { useDynaliteTables } from "../../support/dynalite.js";

const tables = useDynaliteTables("deployment-threads");
const warnings: string[] = [];
const log = { warn: (_fields: unknown, message?: string) => void warnings.push(message ?? "") };
const key = { repositoryId: 42, pullRequest: 7 };
const thread = withEntry(emptyThread(key), {
  deploymentId: "d1",
  githubDeploymentId: 9,
  sha: "a".repeat(40),
  state: "success",
  url: "https://pr-7.example.com/" as MaskedText,
  createdAt: "2026-01-01T00:00:00.000Z",
});

describe.each<[string, () => Promise<DeploymentThreadStore>]>([
  ["DynamoDB", async () => new DynamoDbDeploymentThreadStore(tables.client(), await tables.freshTable(), log)],
  ["memory", async () => new MemoryDeploymentThreadStore()],
])("deployment threads (%s)", (_name, open) => {
  test("a thread is written over the version it was read at, and over no other", async () => {
    const store = await open();
    expect(await store.get(key)).toBeUndefined();
    expect(await store.put(thread, 0)).toBe(true);
    // A second writer that also read no thread loses.
    expect(await store.put({ ...thread, commentId: 99 }, 0)).toBe(false);
    const read = await store.get(key);
    expect(read).toEqual({ ...thread, version: 1 });
    expect(await store.put({ ...read!, commentId: 5 }, 1)).toBe(true);
    expect(await store.put({ ...read!, commentId: 6 }, 1)).toBe(false);
    expect(await store.get(key)).toMatchObject({ commentId: 5, version: 2 });
    expect(await store.get({ ...key, pullRequest: 8 })).toBeUndefined();
  });
});

describe("deployment threads read back from DynamoDB are input", () => {
  test.each([
    ["not JSON", "{"],
    ["a link the app would never publish", JSON.stringify({ ...thread, version: 1, entries: [{ ...thread.entries[0], url: "javascript:alert(1)" }] })],
    ["another pull request's thread", JSON.stringify({ ...thread, pullRequest: 8, version: 1 })],
    ["no version", JSON.stringify({ ...thread, version: 1 }), null],
  ])("%s counts as an empty thread, which the next write replaces", async (_case, text, version: number | null = 1) => {
    const table = await tables.freshTable();
    const client = tables.client();
    await createDocumentClient(client).send(
      new PutCommand({ TableName: table, Item: { ...deploymentThreadKey(42, 7), ...(version !== null && { version }), thread: text } }),
    );
    warnings.length = 0;
    const store = new DynamoDbDeploymentThreadStore(client, table, log);
    const read = await store.get(key);
    expect(read).toEqual({ ...key, entries: [], version: version ?? 0 });
    expect(warnings).toEqual(["a deployment thread in the table is not one the app could have written: replaced"]);
    expect(await store.put(thread, read!.version)).toBe(true);
    expect(await store.get(key)).toEqual({ ...thread, version: (version ?? 0) + 1 });
  });
});
