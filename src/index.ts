import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Hono } from "hono";
import type { Logger } from "pino";
import type { ApplicationFunction, Probot } from "probot";
import { GitHubCheckRuns } from "./adapters/github/check-runs.js";
import { GitHubWriteBudgets } from "./ports/write-budget.js";
import { processTrigger, type ProcessingAttempt } from "./workflows/builds/process.js";
import { processRerun } from "./workflows/builds/rerun.js";
import { BuildWatcher } from "./workflows/watcher/watcher.js";
import type { Dependencies } from "./workflows/dependencies.js";
import type { CommandDependencies } from "./workflows/commands/run.js";
import { GitHubConversation } from "./adapters/github/conversation.js";
import { GitHubPullRequests } from "./adapters/github/pulls.js";
import { runComment } from "./workflows/commands/run.js";
import { GitHubDeploymentComments } from "./adapters/github/deployment-comments.js";
import { GitHubDeployments } from "./adapters/github/deployments.js";
import { buildLogUrl } from "./checks/log-url.js";
import { registerBuildEvents } from "./handlers/build-events.js";
import { registerCommentEvents } from "./handlers/comment-events.js";
import { receiver } from "./handlers/receive.js";
import { createHttpApp, httpHandler } from "./http/app.js";
import { buildRoutes } from "./http/build-routes.js";
import { envRoutes } from "./http/env-routes.js";
import { GitHubUsers } from "./http/github-user.js";
import { healthRoutes } from "./http/health.js";
import { homeRoutes } from "./http/home.js";
import { RepositoryAccessResolver } from "./http/repository-access.js";
import { Sessions } from "./http/session.js";
import { sealRoutes } from "./http/seal-routes.js";
import { signInRoutes } from "./http/sign-in.js";
import type { Intent } from "./ports/intent.js";
import { OwnerPolicy } from "./intake/owners.js";
import { DurableIntake, PROCESSING_SLOTS, PROCESSING_SLOTS_PER_INSTALLATION } from "./intake/durable.js";
import { FairQueue } from "./intake/fair-queue.js";
import { closeGivenUpIntent } from "./intake/given-up.js";
import { Replica } from "./replicas/replica.js";
import { sealPlainSecrets } from "./intake/seal-intent.js";
import { MissedDeliveries } from "./intake/redelivery.js";
import type { AppMetrics } from "./metrics/registry.js";
import { metricsRoutes } from "./metrics/routes.js";
import { countWebhooks } from "./metrics/webhooks.js";
import type { Settings } from "./settings.js";
import { openStores } from "./stores.js";
import { openRunner } from "./runners.js";
import { VariableEditor } from "./workflows/variables/editor.js";
import { SecretTags } from "./workflows/variables/secret-tags.js";
import { secretDomainOf } from "./workflows/builds/repository-policy.js";
import { SecretValues } from "./workflows/variables/secret-values.js";
import { appKeySecretName, loadOrCreateAppKey } from "./secrets/app-key.js";
import { BuildSeal } from "./secrets/build-seal.js";
import { openSealedValue } from "./secrets/sealed-value.js";
import { LogMasking } from "./log-masking.js";
import type { SecretStore } from "./ports/variable-store.js";
import { BuildMaskers } from "./workflows/builds/build-masking.js";
import type { BuildRunner } from "./ports/build-runner.js";

/** The running app's parts that outlive a request, for shutdown and tests. */
export interface AppHandle {
  intake: DurableIntake;
  watcher: BuildWatcher;
  /** Starts the background work (heartbeat, pending events, watching builds, redelivery): once the server listens, so redeliveries reach it. */
  start(): void;
  stop(): Promise<void>;
}

/** The app's parts, wired: the same for the server (`npm start`) and for AWS Lambda. */
export interface AssembledApp {
  deps: Dependencies;
  replica: Replica;
  intake: DurableIntake;
  watcher: BuildWatcher;
  missed: MissedDeliveries;
  /** Every HTTP route but the webhooks (section 7 of the SPEC). */
  http: Hono;
  close(): Promise<void>;
}

export interface AssembleOptions {
  /**
   * Where a recorded intent goes: by default this process works on it; on Lambda it is sent to the
   * processor's queue (`DurableIntake`'s `dispatch`).
   */
  dispatch?: (intent: Intent) => Promise<void>;
  /** Called once a build has started (AWS Lambda: the first delayed refresh of its check run is sent). */
  onBuildStarted?: (deploymentId: string) => Promise<void>;
  /** What masks the app's log lines (the logger's); secret values the app reads are added to it. */
  logMasking?: LogMasking;
}

/** Wires adapters to handlers and routes on a Probot instance; the logic lives elsewhere. */
export async function assemble(app: Probot, settings: Settings, metrics: AppMetrics, options: AssembleOptions = {}): Promise<AssembledApp> {
  const stores = await openStores(settings, app.log, metrics);
  // A runner that refuses to start (no sandbox) stops the app: the store it opened is closed, its socket removed.
  const builds = await openRunner({ settings, secrets: stores.secrets, appOctokit: () => app.auth(), metrics, log: app.log }).catch(async (error: unknown) => {
    await stores.close();
    throw error;
  });
  app.log.info(
    `codebuild-checks: ${settings.awsMode ? "AWS" : "embedded"} mode, store: ${stores.description}, secrets: ${stores.secretsDescription}, runner: ${settings.runner}`,
  );
  for (const line of builds.description) app.log.info(line);
  for (const line of builds.warnings) app.log.warn(line);
  const logMasking = options.logMasking ?? new LogMasking();
  const appKey = await loadOrCreateAppKey(stores.secrets, appKeySecretName(settings.secretsPrefix));
  const secretTags = new SecretTags(stores.secrets);
  const replica = new Replica({ heartbeats: stores.heartbeats, id: processInstanceId(), leaseMs: settings.leaseDurationMs, log: app.log });
  // Before any webhook is taken: work this replica takes must never look like a dead replica's.
  await replica.beat();
  // Events wait per installation and take turns; one waiting on its installation's GitHub writes holds no slot.
  const queue = new FairQueue({ slots: PROCESSING_SLOTS, perLine: PROCESSING_SLOTS_PER_INSTALLATION });
  const writes = new GitHubWriteBudgets({
    perMinute: settings.githubWritesPerMinute,
    perHour: settings.githubWritesPerHour,
    onError: (key, err) => app.log.warn({ err, key }, "a GitHub write failed"),
    stepAside: (waiting) => queue.stepAside(waiting),
  });
  const github = (installationId: number) => app.auth(installationId);
  const deps: Dependencies = {
    settings,
    runner: options.onBuildStarted ? announcingStarts(builds.runner, options.onBuildStarted, app.log) : builds.runner,
    records: stores.records,
    variables: stores.variables,
    secrets: stores.secrets,
    editor: new VariableEditor(stores.variables, stores.secrets, settings.secretsPrefix, {
      tags: secretTags,
      domainOf: (fullName) => secretDomainOf(settings, fullName),
    }),
    secretTags,
    secretValues: new SecretValues(hidingFromLog(stores.secrets, logMasking)),
    seal: new BuildSeal(appKey),
    logMasking,
    logs: builds.logs,
    logStore: stores.logStore,
    metrics,
    writes,
    checkRuns: new GitHubCheckRuns({ github, writes, metrics }),
    deployments: new GitHubDeployments({ github, writes }),
    deploymentComments: new GitHubDeploymentComments({
      github,
      writes,
      threads: stores.deploymentThreads,
      appId: settings.appId,
      context: { logUrl: (deploymentId) => buildLogUrl(settings.publicUrl, deploymentId) },
    }),
    github,
    log: app.log,
  };
  // Built for each intent: a trigger a command or a re-run processes knows what its intent's attempt knows.
  const commandDepsFor = (attempt: ProcessingAttempt): CommandDependencies => ({
    ...deps,
    sealed: {
      open: async (base64, expected) => {
        const opened = openSealedValue(appKey, base64, expected, new Date());
        if (opened.ok) logMasking.hide(opened.value);
        return opened;
      },
    },
    processTrigger: (trigger) => processTrigger(trigger, deps, attempt),
    conversation: (octokit, comment, masker) => new GitHubConversation(octokit, deps.writes.forInstallation(comment.installationId), comment, masker),
    pullRequests: (octokit, repository) => new GitHubPullRequests(octokit, repository),
  });
  const processIntent = (intent: Intent, attempt: ProcessingAttempt) =>
    intent.kind === "comment"
      ? runComment(intent, commandDepsFor(attempt))
      : intent.kind === "rerun"
        ? processRerun(intent, commandDepsFor(attempt), settings.appId)
        : processTrigger(intent, deps, attempt);
  const owners = new OwnerPolicy(settings.allowedOwners, app);
  const intake = new DurableIntake({
    store: stores.intake,
    process: async (intent, attempt) => {
      if (await owners.allows(intent.repository.owner)) return processIntent(intent, attempt);
      metrics.webhookIgnored("owner_not_allowed");
      app.log.warn({ deliveryId: intent.deliveryId, owner: intent.repository.owner }, "event from an owner outside ALLOWED_OWNERS ignored");
    },
    onGiveUp: (intent, attempts) => closeGivenUpIntent(intent, attempts, deps),
    log: app.log,
    replica,
    leaseMs: settings.leaseDurationMs,
    queue,
    ...(options.dispatch && { dispatch: options.dispatch }),
  });
  const watcher = new BuildWatcher(deps, { watchers: stores.records, replica });
  countWebhooks(app, metrics);
  const receive = receiver(intake, (intent) => sealPlainSecrets(intent, appKey.publicKey, new Date()), metrics);
  registerBuildEvents(app, receive);
  registerCommentEvents(app, receive);

  const access = new RepositoryAccessResolver({ app: () => app.auth(), installation: (id) => app.auth(id) }, owners);
  const sessions = new Sessions(settings.sessionSecret, settings.publicUrl);
  const users = new GitHubUsers(settings);
  const routes = [
    envRoutes({ users, access, variables: deps.variables, editor: deps.editor }),
    buildRoutes({
      settings,
      records: deps.records,
      logStore: deps.logStore,
      maskers: new BuildMaskers(deps),
      runner: deps.runner,
      sessions,
      access,
      users,
      log: app.log,
    }),
    signInRoutes({ settings, sessions, log: app.log }),
    sealRoutes(appKey),
    healthRoutes(() => deps.variables.ping()),
    homeRoutes(() => deps.variables.ping()),
    metricsRoutes(metrics),
  ];
  const missed = new MissedDeliveries({ octokit: () => app.auth(), known: (guid) => stores.intake.has(guid), log: app.log });
  return {
    deps,
    replica,
    intake,
    watcher,
    missed,
    http: createHttpApp(app.log, routes),
    async close() {
      await missed.stop();
      await intake.stop();
      await watcher.stop();
      // Everything handed back: the heartbeat goes, so no replica waits for it to run out.
      await replica.stop().catch((err: unknown) => app.log.warn({ err }, "removing this replica's heartbeat failed; the others take over once it runs out"));
      await builds.close();
      await stores.close();
    },
  };
}

/** The Probot application of the server: everything assembled, the routes served beside the webhooks. */
export function codebuildChecks(
  settings: Settings,
  metrics: AppMetrics,
  started: (handle: AppHandle) => void,
  options: AssembleOptions = {},
): ApplicationFunction {
  return async (app, { addHandler }) => {
    const assembled = await assemble(app, settings, metrics, options);
    addHandler(httpHandler(assembled.http));
    const { replica, intake, watcher, missed } = assembled;
    started({
      intake,
      watcher,
      start() {
        replica.start();
        intake.start();
        watcher.start();
        missed.start(settings.redeliveryIntervalMs);
      },
      stop: () => assembled.close(),
    });
  };
}

/** The runner, telling `started` of each build it started (by deployment id, StartBuild's idempotency token). */
function announcingStarts(runner: BuildRunner, started: (deploymentId: string) => Promise<void>, log: Logger): BuildRunner {
  return {
    get: (ids) => runner.get(ids),
    stop: (id) => runner.stop(id),
    async start(request) {
      const result = await runner.start(request);
      await started(request.idempotencyToken).catch((err: unknown) =>
        log.warn({ err, deploymentId: request.idempotencyToken }, "scheduling the build's first refresh failed"),
      );
      return result;
    },
  };
}

/** The secret store, every value read from it kept out of the app's log lines from then on. */
function hidingFromLog(secrets: SecretStore, logMasking: LogMasking): SecretStore {
  return {
    put: (name, value, tags) => secrets.put(name, value, tags),
    createIfAbsent: (name, value, tags) => secrets.createIfAbsent(name, value, tags),
    delete: (name) => secrets.delete(name),
    tag: (name, tags) => secrets.tag(name, tags),
    async getValue(name) {
      const value = await secrets.getValue(name);
      if (value !== undefined) logMasking.hide(value);
      return value;
    },
  };
}

/** This process's name on the work it holds: unique even when a restarted process gets the same pid. */
function processInstanceId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
}
