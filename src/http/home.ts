import { Hono } from "hono";
import { html } from "hono/html";
import { LOG_PAGE_STYLES_PATH } from "./log-page.js";
import { pageContentSecurityPolicy, setPageSecurityHeaders } from "./page-security.js";

export const HOME_PATH = "/";

/**
 * `GET /`: what this app is, whether its store answers, and where to go from here, for whoever
 * opens the app's address (a newcomer after registering, an operator checking a deployment). It
 * says nothing of the repositories the app serves: anyone can read it.
 */
export function homeRoutes(storeReachable: () => Promise<void>): Hono {
  const routes = new Hono();
  routes.get(HOME_PATH, async (c) => {
    const healthy = await storeReachable().then(
      () => true,
      () => false,
    );
    setPageSecurityHeaders(c, pageContentSecurityPolicy());
    c.header("cache-control", "no-store");
    return c.html(renderHomePage(healthy));
  });
  return routes;
}

export function renderHomePage(healthy: boolean): string {
  const health = healthy
    ? html`<span class="badge tone-success">Healthy</span> The app's store answers: webhooks are recorded and builds are followed.`
    : html`<span class="badge tone-failure">Unhealthy</span> The app's store cannot be reached: the app's log says why.`;
  return String(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>codebuild-checks</title>
<link rel="stylesheet" href="${LOG_PAGE_STYLES_PATH}">
</head>
<body>
<header class="bar"><span class="brand">codebuild-checks</span></header>
<main>
<section class="summary">
<h1>codebuild-checks</h1>
<p>This app builds every push and pull request of the repositories it is installed on, and reports each build on GitHub as a check run. A check run's <strong>Details</strong> link opens its build's log on this site.</p>
<p id="health">${health}</p>
</section>
<section class="summary">
<h2>Links</h2>
<ul>
<li><a href="/healthz">/healthz</a>: the same health, as JSON (200 or 503), for load balancers</li>
<li><a href="/seal">/seal</a>: seal a secret's value in your browser, for <code>/secret set</code> in a pull-request comment</li>
<li><a href="/metrics">/metrics</a>: Prometheus metrics</li>
</ul>
<p>A repository is configured in <code>.github/codebuild.yml</code>, and its variables with slash commands: comment <code>/help</code> on a pull request.</p>
</section>
</main>
</body>
</html>
`);
}
