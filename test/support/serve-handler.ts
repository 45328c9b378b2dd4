import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ServedHandler {
  url: string;
  close(): Promise<void>;
}

/**
 * A Probot-style handler on 127.0.0.1, as Probot's server runs it: what the handler declines
 * answers 404 `declined` (Probot's own routes would take it).
 */
export async function serveHandler(handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>, declined = "declined"): Promise<ServedHandler> {
  const server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404, { "content-type": "text/plain" }).end(declined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
