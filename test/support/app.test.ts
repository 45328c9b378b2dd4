import { createServer, type Server } from "node:net";
import { onFreePort, PORT_ATTEMPTS } from "./app.js";

/** Listens on `port` of 127.0.0.1, as a test's server does. */
function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

describe("onFreePort: a port taken between freePort and listen is no test failure", () => {
  let taken: Server;

  beforeEach(async () => {
    taken = await listen(0);
  });

  afterEach(() => new Promise<void>((resolve) => taken.close(() => resolve())));

  test("a port in use is replaced by another", async () => {
    const tried: number[] = [];
    const server = await onFreePort(async (port) => {
      tried.push(port);
      return listen(tried.length === 1 ? (taken.address() as { port: number }).port : port);
    });
    expect(tried).toHaveLength(2);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test("other errors, and a port in use every time, are thrown", async () => {
    await expect(onFreePort(async () => Promise.reject(new Error("no dynalite")))).rejects.toThrow("no dynalite");
    let attempts = 0;
    const alwaysTaken = onFreePort(async () => {
      attempts++;
      return listen((taken.address() as { port: number }).port);
    });
    await expect(alwaysTaken).rejects.toMatchObject({ code: "EADDRINUSE" });
    expect(attempts).toBe(PORT_ATTEMPTS);
  });
});
