import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { chmod, readdir, stat, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { prepareDataDirectory } from "../../../src/adapters/local/data-directory.js";
import { startEmbeddedDynamoDb } from "../../../src/adapters/local/embedded-dynamodb.js";
import { temporaryDirectory } from "./local-build-fixtures.js";

describe("the embedded store", () => {
  test("listens on a Unix socket in a directory only the app's user can enter, never on a TCP port, and leaves nothing behind", async () => {
    const store = await startEmbeddedDynamoDb();
    try {
      expect(store.socketPath).toMatch(/\/dynamodb\.sock$/);
      expect((await stat(store.socketPath)).isSocket()).toBe(true);
      expect((await stat(dirname(store.socketPath))).mode & 0o777).toBe(0o700);
      await expect(store.client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      // What a client of the socket reaches is DynamoDB's API.
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(store.socketPath, () => socket.end("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString()));
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 \d{3}/);
    } finally {
      await store.stop();
    }
    await expect(stat(dirname(store.socketPath))).rejects.toThrow("ENOENT");
  });
});

describe("DATA_DIR", () => {
  let umask: number;
  beforeEach(() => {
    umask = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(umask);
  });

  test("is made 0700 before anything is written in it, an existing one is narrowed, and what the app writes in it is 0600", async () => {
    const parent = await temporaryDirectory();
    const fresh = join(parent, "data");
    await prepareDataDirectory(fresh);
    expect((await stat(fresh)).mode & 0o777).toBe(0o700);
    // LevelDB writes its files itself: the process's umask is what keeps them private.
    await writeFile(join(fresh, "table.ldb"), "rows");
    expect((await stat(join(fresh, "table.ldb"))).mode & 0o777).toBe(0o600);

    const existing = await temporaryDirectory();
    await chmod(existing, 0o755);
    await prepareDataDirectory(existing);
    expect((await stat(existing)).mode & 0o777).toBe(0o700);
    expect(await readdir(existing)).toEqual([]);
  });
});
