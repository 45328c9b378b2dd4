import { spawn } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";

/** A request of git's smart HTTP protocol: `/<owner>/<repo>.git/info/refs` or `/<owner>/<repo>.git/git-upload-pack`. */
const GIT_PATH = /^\/([^/]+\/[^/]+)\.git(\/(?:info\/refs|git-upload-pack))$/;

/** `owner/repo` of a git smart HTTP request, or undefined for any other request. */
export function gitRepositoryOf(url: string | undefined): string | undefined {
  return GIT_PATH.exec(new URL(url ?? "/", "http://x").pathname)?.[1];
}

/**
 * Answers a git fetch from the repository in `directory` (a working tree) as a git host does: by
 * running `git http-backend` as a CGI program. Fetching a commit by its sha is allowed, as GitHub allows it.
 */
export async function serveGit(incoming: IncomingMessage, outgoing: ServerResponse, directory: string): Promise<void> {
  const url = new URL(incoming.url ?? "/", "http://x");
  const header = (name: string) => String(incoming.headers[name] ?? "");
  const backend = spawn("git", ["http-backend"], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      GIT_PROJECT_ROOT: join(directory, ".git"),
      GIT_HTTP_EXPORT_ALL: "1",
      PATH_INFO: GIT_PATH.exec(url.pathname)?.[2] ?? "/",
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: incoming.method ?? "GET",
      CONTENT_TYPE: header("content-type"),
      HTTP_CONTENT_ENCODING: header("content-encoding"),
      GIT_PROTOCOL: header("git-protocol"),
      GIT_CONFIG_COUNT: "1",
      GIT_CONFIG_KEY_0: "uploadpack.allowAnySHA1InWant",
      GIT_CONFIG_VALUE_0: "true",
    },
    stdio: ["pipe", "pipe", "inherit"],
  });
  incoming.pipe(backend.stdin);
  const chunks: Buffer[] = [];
  for await (const chunk of backend.stdout) chunks.push(chunk as Buffer);
  const output = Buffer.concat(chunks);
  const end = output.indexOf("\r\n\r\n");
  const headers: Record<string, string> = {};
  let status = 200;
  for (const line of output.subarray(0, end).toString("latin1").split("\r\n")) {
    const at = line.indexOf(":");
    const name = line.slice(0, at).trim().toLowerCase();
    const value = line.slice(at + 1).trim();
    if (name === "status") status = Number.parseInt(value, 10);
    else headers[name] = value;
  }
  outgoing.writeHead(status, headers).end(output.subarray(end + 4));
}
