import { AsyncLocalStorage } from "node:async_hooks";
import type { Octokit } from "@octokit/core";
import { ProbotOctokit } from "probot";
import type { AppMetrics } from "./registry.js";

/** Octokits already counting, so that no call is ever counted twice. */
const instrumented = new WeakSet<object>();

/** The route template of the `paginate` call a request belongs to: its pages are requested by concrete URL. */
const paginatedRoute = new AsyncLocalStorage<string>();

/**
 * The route a request is counted under: the template as the caller wrote it
 * (`/repos/{owner}/{repo}/check-runs`). A concrete URL (one not made from a template) loses
 * its origin, base path and query, its numeric ids and a repository's owner and name: no
 * repository names or ids reach a label, and the number of series stays that of the routes.
 */
export function routeTemplate(url: string, baseUrl: string): string {
  let path = url.split("?", 1)[0] ?? "";
  if (baseUrl && path.startsWith(baseUrl)) path = path.slice(baseUrl.length);
  else if (/^https?:\/\//i.test(path)) path = new URL(path).pathname;
  return path.replace(/^\/repos\/[^/{]+\/[^/{]+/, "/repos/{owner}/{repo}").replace(/\/\d+(?=\/|$)/g, "/{id}");
}

/** The template of what `paginate` was given: a route string (`GET /repos/{owner}/{repo}/issues`) or an endpoint method. */
function templateOf(route: unknown): string | undefined {
  if (typeof route === "string") return route.replace(/^[A-Z]+ /, "");
  const url = (route as { endpoint?: { DEFAULTS?: { url?: unknown } } } | null)?.endpoint?.DEFAULTS?.url;
  return typeof url === "string" ? url : undefined;
}

type Paginate = ((route: unknown, ...rest: unknown[]) => Promise<unknown>) & {
  iterator: (route: unknown, ...rest: unknown[]) => AsyncIterable<unknown>;
};

/** Makes every page of `paginate` and `paginate.iterator` count under the route the caller named. */
function labelPages(octokit: { paginate?: Paginate }): void {
  const paginate = octokit.paginate;
  if (!paginate) return;
  const within = <T>(route: unknown, run: () => T): T => {
    const template = templateOf(route);
    return template === undefined ? run() : paginatedRoute.run(template, run);
  };
  octokit.paginate = Object.assign((route: unknown, ...rest: unknown[]) => within(route, () => paginate(route, ...rest)), {
    iterator: (route: unknown, ...rest: unknown[]): AsyncIterable<unknown> => {
      const pages = paginate.iterator(route, ...rest);
      return {
        [Symbol.asyncIterator]() {
          const iterator = pages[Symbol.asyncIterator]();
          return { next: () => within(route, () => iterator.next()) };
        },
      };
    },
  });
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/**
 * An Octokit plugin counting every request by method, route template and status. Applied
 * after Probot's plugins, its hook wraps theirs: a call is counted once, after retries.
 */
export function metricsOctokitPlugin(metrics: AppMetrics) {
  return (octokit: Octokit): void => {
    if (instrumented.has(octokit)) return;
    instrumented.add(octokit);
    labelPages(octokit as { paginate?: Paginate });
    octokit.hook.wrap("request", async (request, options) => {
      const started = performance.now();
      const route = routeTemplate(paginatedRoute.getStore() ?? options.url, options.baseUrl);
      const count = (status: number | undefined) =>
        metrics.githubRequest({
          method: options.method,
          route,
          status,
          seconds: (performance.now() - started) / 1000,
        });
      try {
        // Requests made on the way (an installation token) are counted under their own routes.
        const response = await paginatedRoute.exit(() => request(options));
        count(response.status);
        return response;
      } catch (error) {
        count(statusOf(error));
        throw error;
      }
    });
  };
}

/**
 * Probot's Octokit class with the metrics plugin added, for `run(appFn, { Octokit })`: every
 * Octokit Probot makes (`app.auth()`, `context.octokit`) then counts its calls. It extends
 * `Base`, so Probot's retry, throttling and config plugins stay as they are.
 */
export function octokitWithMetrics(metrics: AppMetrics, Base: typeof ProbotOctokit = ProbotOctokit): typeof ProbotOctokit {
  return Base.plugin(metricsOctokitPlugin(metrics));
}

/** Counts the calls of one Octokit made outside Probot; one already counting is left as it is. */
export function instrumentOctokit<O extends Octokit>(octokit: O, metrics: AppMetrics): O {
  metricsOctokitPlugin(metrics)(octokit);
  return octokit;
}
