interface StoredCookie {
  host: string;
  name: string;
  value: string;
  path: string;
  secure: boolean;
}

export interface Page {
  status: number;
  headers: Headers;
  body: string;
  /** Where the browser ended up. */
  url: string;
  /** Every URL requested on the way, redirects included. */
  visited: string[];
}

/** A browser follows at most this many redirects, as fetch does. */
const MAX_REDIRECTS = 20;

/**
 * Just enough of a browser to follow a sign-in: a cookie jar per host (ports share cookies, as in
 * browsers), Path matching, Secure cookies only over https, Max-Age=0 deleting, and redirects
 * followed one by one. `hosts` maps public origins (`https://builds.example`) to where they are
 * really served, so https sites can be visited over a local http server.
 */
export class Browser {
  private readonly jar: StoredCookie[] = [];
  /** Every Set-Cookie header received, in order. */
  readonly setCookieHeaders: string[] = [];

  constructor(private readonly hosts: Record<string, string> = {}) {}

  /** Opens a URL and follows redirects (POST turns into GET after a redirect, as browsers do). */
  async open(url: string, init: { method?: string } = {}): Promise<Page> {
    const visited: string[] = [];
    let current = url;
    let method = init.method ?? "GET";
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      visited.push(current);
      const response = await this.request(current, method);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || location === null) {
        return { status: response.status, headers: response.headers, body: await response.text(), url: current, visited };
      }
      await response.arrayBuffer();
      current = new URL(location, current).toString();
      method = "GET";
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
  }

  /** One request, no redirect followed; cookies sent and stored. */
  async request(url: string, method = "GET"): Promise<Response> {
    const target = new URL(url);
    const served = this.hosts[target.origin];
    const fetched = served ? `${served}${target.pathname}${target.search}` : url;
    const cookie = this.cookiesFor(target);
    const response = await fetch(fetched, { method, redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const header of response.headers.getSetCookie()) {
      this.setCookieHeaders.push(header);
      this.store(target, header);
    }
    return response;
  }

  /** The value of a cookie the browser holds for `url`. */
  cookie(url: string, name: string): string | undefined {
    const target = new URL(url);
    return this.jar.find((c) => c.host === target.hostname && c.name === name && pathMatches(target.pathname, c.path))?.value;
  }

  /** Changes a held cookie's value, as someone with access to the browser could. */
  replaceCookie(url: string, name: string, value: string): void {
    const held = this.jar.find((c) => c.host === new URL(url).hostname && c.name === name);
    if (!held) throw new Error(`the browser holds no cookie ${name}`);
    held.value = value;
  }

  private cookiesFor(url: URL): string {
    return this.jar
      .filter((c) => c.host === url.hostname && pathMatches(url.pathname, c.path) && (!c.secure || url.protocol === "https:"))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  private store(url: URL, header: string): void {
    const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
    const at = pair.indexOf("=");
    const name = pair.slice(0, at);
    const attribute = (key: string) => attributes.find((a) => a.toLowerCase().split("=")[0] === key.toLowerCase());
    const secure = attribute("Secure") !== undefined;
    if (secure && url.protocol !== "https:") return;
    const path = attribute("Path")?.split("=")[1] ?? (url.pathname.slice(0, url.pathname.lastIndexOf("/")) || "/");
    const existing = this.jar.findIndex((c) => c.host === url.hostname && c.name === name && c.path === path);
    if (existing >= 0) this.jar.splice(existing, 1);
    const maxAge = attribute("Max-Age")?.split("=")[1];
    if (maxAge !== undefined && Number(maxAge) <= 0) return;
    this.jar.push({ host: url.hostname, name, value: pair.slice(at + 1), path, secure });
  }
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  return requestPath === cookiePath || requestPath.startsWith(cookiePath.endsWith("/") ? cookiePath : `${cookiePath}/`);
}
