import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { IncomingMessage, Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { ensureTable } from "../../src/adapters/aws/dynamodb/table.js";

type CreateDynalite = (options: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

// dynalite is CommonJS without type declarations.
const createDynalite = createRequire(import.meta.url)("dynalite") as CreateDynalite;

/** One request to dynalite: its operation (`GetItem`, `Query`, …) and JSON body. */
export interface DynaliteRequest {
  operation: string;
  body: string;
}

/** AWS's DynamoDB as the tests see it: dynalite in memory, at an HTTP endpoint the app reaches through AWS_ENDPOINT_URL_DYNAMODB. */
export interface Dynalite {
  endpoint: string;
  client: DynamoDBClient;
  /** The requests dynalite received so far, in order. */
  requests: DynaliteRequest[];
  stop(): Promise<void>;
}

/** An in-memory DynamoDB (dynalite) on a free loopback port, and a client for it. */
export async function startDynalite(): Promise<Dynalite> {
  const server = createDynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const requests: DynaliteRequest[] = [];
  server.on("request", (request: IncomingMessage) => {
    // `X-Amz-Target: DynamoDB_20120810.GetItem`: the operation after the dot.
    const operation =
      String(request.headers["x-amz-target"] ?? "")
        .split(".")
        .pop() ?? "";
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => requests.push({ operation, body: Buffer.concat(chunks).toString("utf8") }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = dynaliteClient(endpoint);
  return {
    endpoint,
    client,
    requests,
    async stop() {
      if (!server.listening) return;
      client.destroy();
      // Not closeAllConnections: dynalite fails hard on a request it handles after its store closed.
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A client for a dynalite endpoint; dynalite accepts any credentials. */
export function dynaliteClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "embedded", secretAccessKey: "embedded" } });
}

/**
 * dynalite for the tests of a file: a fresh table of the app's shape per `freshTable()` (so each test
 * sees only its own items), and clients on connections of their own (as other replicas have), all
 * closed after the file's tests.
 */
export function useDynaliteTables(prefix: string) {
  let dynalite: Dynalite | undefined;
  const clients: DynamoDBClient[] = [];
  let tables = 0;
  beforeAll(async () => {
    dynalite = await startDynalite();
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await dynalite?.stop();
  });
  return {
    get dynalite(): Dynalite {
      return dynalite!;
    },
    async freshTable(): Promise<string> {
      const name = `${prefix}-${++tables}`;
      await ensureTable(dynalite!.client, name, { create: true });
      return name;
    },
    client(): DynamoDBClient {
      const client = dynaliteClient(dynalite!.endpoint);
      clients.push(client);
      return client;
    },
  };
}
