import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, type Server } from "node:http";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

type CreateDynalite = (options: { path?: string; createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;

// dynalite is CommonJS without type declarations.
const createDynalite = createRequire(import.meta.url)("dynalite") as CreateDynalite;

/** The socket's file in its private directory. */
const SOCKET_NAME = "dynamodb.sock";
/**
 * The SDK needs a URL; every request goes to the socket whatever its host. A name that never
 * resolves (RFC 2606's .invalid), should a request ever go around the socket.
 */
export const EMBEDDED_DYNAMODB_ENDPOINT = "http://embedded-dynamodb.invalid";

export interface EmbeddedDynamoDb {
  /** The Unix socket dynalite listens on, in a directory only the app's user can enter. */
  socketPath: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
}

/**
 * DynamoDB served in this process by dynalite (embedded mode, SPEC 9): kept in LevelDB under `path`,
 * or in memory without one. It speaks DynamoDB's API, so the app's DynamoDB adapters run unchanged
 * against it. It accepts any credentials, so it listens on a Unix socket in a 0700 directory, never on
 * a TCP port: a local build, or any other user of the machine, cannot reach it.
 */
export async function startEmbeddedDynamoDb(path?: string): Promise<EmbeddedDynamoDb> {
  const directory = await mkdtemp(join(tmpdir(), "codebuild-checks-store-"));
  const socketPath = join(directory, SOCKET_NAME);
  const server = createDynalite({ ...(path !== undefined && { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, resolve);
    });
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const client = embeddedDynamoDbClient(socketPath);
  return {
    socketPath,
    client,
    async stop() {
      if (!server.listening) return;
      client.destroy();
      // Not closeAllConnections: dynalite fails hard on a request it handles after its store closed.
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A client of the dynalite at `socketPath`; dynalite accepts any credentials and region. */
function embeddedDynamoDbClient(socketPath: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: EMBEDDED_DYNAMODB_ENDPOINT,
    region: "us-east-1",
    credentials: { accessKeyId: "embedded", secretAccessKey: "embedded" },
    requestHandler: { httpAgent: new UnixSocketAgent(socketPath) },
  });
}

/** An HTTP agent whose every connection is to one Unix socket. */
class UnixSocketAgent extends Agent {
  constructor(private readonly socketPath: string) {
    super({ keepAlive: true });
  }

  override createConnection(): ReturnType<Agent["createConnection"]> {
    return connect(this.socketPath);
  }
}
