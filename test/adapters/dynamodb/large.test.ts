import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { createDocumentClient } from "../../../src/adapters/aws/dynamodb/client.js";
import { MAX_VALUE_BYTES } from "../../../src/domain/variable-names.js";
import type { EntryInput } from "../../../src/ports/variable-store.js";
import { byAlice, plain, secret, startStore, TABLE_NAME, type StoreFixture } from "./fixture.js";

let f: StoreFixture;
beforeAll(async () => {
  f = await startStore();
});
afterAll(() => f.dynalite.stop());

/** A value of exactly 16 KiB of UTF-8, in several scripts and with characters outside the BMP. */
function largeValue(i: number): string {
  const start = `värde ${i} — 値 ${i} — ключ 😀🚀 𝄞 `;
  return start + "x".repeat(MAX_VALUE_BYTES - Buffer.byteLength(start, "utf8"));
}

const many: EntryInput[] = Array.from({ length: 1000 }, (_, i) =>
  i % 10 === 9 ? secret(`SECRET_${String(i).padStart(4, "0")}`) : plain(`VAR_${String(i).padStart(4, "0")}`, largeValue(i)),
);

/** A thousand variables against a real DynamoDB-API server take seconds, more on a busy machine. */
const LARGE_TEST_TIMEOUT_MS = 120_000;

test(
  "1,000 variables of 16 KiB unicode values round-trip, read across many pages",
  async () => {
    expect(Buffer.byteLength((many[0] as { value: string }).value, "utf8")).toBe(MAX_VALUE_BYTES);
    await f.store.replace(1000, "production", many, byAlice);

    const listed = await f.store.list(1000);
    const stripped = listed.map(({ scope, updatedAt: _at, updatedBy: _by, ...entry }) => {
      expect(scope).toBe("production");
      return entry;
    });
    expect(stripped).toEqual([...many].sort((a, b) => (a.name < b.name ? -1 : 1)));

    // One query page holds at most 1 MB, so the list above followed several.
    const firstPage = await createDocumentClient(f.dynalite.client).send(
      new QueryCommand({
        TableName: TABLE_NAME,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :variables)",
        ExpressionAttributeValues: { ":pk": "REPO#1000", ":variables": "VAR#" },
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();
    expect(firstPage.Items?.length).toBeLessThan(many.length);
  },
  LARGE_TEST_TIMEOUT_MS,
);

test(
  "1,000 variables set and replaced again keep the whole set",
  async () => {
    await f.store.set(1001, "all", many.slice(0, 500), byAlice);
    await f.store.set(1001, "all", many.slice(500), byAlice);
    expect(await f.store.list(1001)).toHaveLength(1000);
    const previous = await f.store.replace(1001, "all", many.slice(0, 10), byAlice);
    expect(previous).toHaveLength(1000);
    expect((await f.store.list(1001)).map((e) => e.name)).toEqual(
      many
        .slice(0, 10)
        .map((e) => e.name)
        .sort(),
    );
    expect((await f.scan()).filter((i) => i.pk === "REPO#1001" && String(i.sk).startsWith("VAR#"))).toHaveLength(10);
  },
  LARGE_TEST_TIMEOUT_MS,
);
