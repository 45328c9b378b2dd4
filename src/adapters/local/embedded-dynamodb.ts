import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

type CreateDynalite = (options: { path?: string; createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

// dynalite is CommonJS without type declarations.
const createDynalite = createRequire(import.meta.url)("dynalite") as CreateDynalite;

export interface EmbeddedDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * DynamoDB served in this process by dynalite on a free loopback port (embedded mode, SPEC 9):
 * kept in LevelDB under `path`, or in memory without one. It speaks DynamoDB's API, so the
 * app's DynamoDB adapters run unchanged against it.
 */
export async function startEmbeddedDynamoDb(path?: string): Promise<EmbeddedDynamoDb> {
  const server = createDynalite({ ...(path !== undefined && { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = embeddedDynamoDbClient(endpoint);
  return {
    endpoint,
    client,
    async stop() {
      if (!server.listening) return;
      client.destroy();
      // Not closeAllConnections: dynalite fails hard on a request it handles after its store closed.
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A client for an embedded endpoint; dynalite accepts any credentials and region. */
export function embeddedDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "embedded", secretAccessKey: "embedded" } });
}
