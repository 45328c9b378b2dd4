import { createHmac } from "node:crypto";
import { availableParallelism } from "node:os";
import { z } from "zod";
import { mapsEveryRepository, parseProjectMap, type ProjectRule } from "./builds/project-map.js";
import { PROJECT_PLACEHOLDER } from "./builds/service-role.js";
import { GITHUB_CONTENT_CREATIONS_PER_HOUR } from "./ports/write-budget.js";

/**
 * The app's process configuration (SPEC 1), validated once at start-up.
 * Probot reads its own variables (APP_ID, PRIVATE_KEY, WEBHOOK_SECRET, PORT, …) itself;
 * they are checked here too so that a bad value stops the process with one clear line.
 */
const csv = z.string().transform((v) =>
  v
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

const number = () => z.coerce.number({ error: "expected a number" });
const positiveInt = (fallback: number) => number().int("expected a whole number").positive("expected a number above 0").default(fallback);

const boolean = z.enum(["true", "false", "1", "0"], { error: "expected true or false" }).transform((v) => v === "true" || v === "1");

const sourceAuth = z
  .string()
  .regex(/^(CODECONNECTIONS|SECRETS_MANAGER):arn:\S+$/, "expected CODECONNECTIONS:<connection arn> or SECRETS_MANAGER:<secret arn>")
  .transform((v) => {
    const at = v.indexOf(":");
    return { type: v.slice(0, at) as "CODECONNECTIONS" | "SECRETS_MANAGER", resource: v.slice(at + 1) };
  });

/** An IAM role ARN (IAM API reference: role names and paths), where `{project}` may stand for the build's project. */
const roleArn = z
  .string()
  .refine(
    (v) => /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(v.replaceAll(PROJECT_PLACEHOLDER, "p")),
    `expected an IAM role ARN, where ${PROJECT_PLACEHOLDER} may stand for the project (arn:aws:iam::123456789012:role/${PROJECT_PLACEHOLDER}-preview)`,
  );

const projectMap = z.string().transform((v, ctx): ProjectRule[] => {
  const parsed = parseProjectMap(v);
  if (parsed.ok) return parsed.rules;
  ctx.addIssue({ code: "custom", message: parsed.problem });
  return z.NEVER;
});

const envSchema = z.object({
  PORT: number().int("expected a whole number").min(0).max(65535, "expected a port number up to 65535").default(3000),
  WEBHOOK_PATH: z.string().startsWith("/").default("/api/github/webhooks"),
  GHE_HOST: z
    .string()
    .regex(/^[^/\s]+$/, "expected a host name with an optional port, without a scheme or path")
    .optional(),
  GHE_PROTOCOL: z.enum(["http", "https"], { error: "expected http or https" }).default("https"),
  CODEBUILD_PROJECT: z.string().min(1).optional(),
  CODEBUILD_PROJECTS: projectMap.optional(),
  CODEBUILD_PREVIEW_ROLE: roleArn.optional(),
  CODEBUILD_SOURCE_AUTH: sourceAuth.optional(),
  CODEBUILD_UNTRUSTED_ROLE: roleArn.optional(),
  TRUSTED_BOTS: csv.optional(),
  CONFIG_EXTENDS_ALLOWED: csv
    .refine((globs) => globs.every((g) => /^[^/\s]+\/[^/\s]+$/.test(g)), "expected comma-separated owner/name globs, such as acme/ci-config or acme/*")
    .optional(),
  ALLOWED_OWNERS: csv.optional(),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  STORE: z.enum(["dynamodb", "embedded"], { error: "expected dynamodb or embedded" }).optional(),
  TABLE_NAME: z
    .string()
    .regex(/^[a-zA-Z0-9_.-]{3,255}$/, "expected a DynamoDB table name")
    .default("codebuild-checks"),
  TABLE_AUTO_CREATE: boolean.optional(),
  SECRETS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9/_+=.@-]*$/, "expected characters allowed in Secrets Manager names")
    .default("codebuild-checks/"),
  PUBLIC_URL: z.url({ error: "expected an absolute URL such as https://builds.example.com" }).optional(),
  WEBHOOK_PROXY_URL: z.url({ protocol: /^https?$/, error: "expected a webhook relay channel's URL such as https://smee.io/AbC123xyz" }).optional(),
  SESSION_SECRET: z.string().min(16, "expected at least 16 characters").optional(),
  WEBHOOK_SECRET: z.string().optional(),
  RUNNER: z.enum(["codebuild", "local"], { error: "expected codebuild or local" }).optional(),
  DATA_DIR: z.string().min(1).default("./.data"),
  LOCAL_SECRETS_KEY: z.string().optional(),
  LOCAL_ISOLATION: z.enum(["bubblewrap", "none"], { error: "expected bubblewrap or none" }).default("bubblewrap"),
  LOCAL_CONCURRENCY: positiveInt(availableParallelism()),
  PRIVATE_KEY_PATH: z.string().min(1).optional(),
  POLL_INTERVAL_MS: positiveInt(5000),
  CHECK_UPDATE_INTERVAL_MS: number().int("expected a whole number").min(0, "expected 0 or more").default(10000),
  LOGS_RPS: number().positive("expected a number above 0").default(5),
  GITHUB_WRITES_PER_MINUTE: positiveInt(60),
  GITHUB_WRITES_PER_HOUR: number().int("expected a whole number").positive("expected a number above 0").optional(),
  LEASE_DURATION_MS: number().int("expected a whole number").min(1000, "expected at least 1000 (one second)").default(12_000),
  REDELIVERY_INTERVAL_MS: number().int("expected a whole number").min(10_000, "expected at least 10000 (ten seconds)").default(300_000),
  AWS_REGION: z.string().min(1).optional(),
  AWS_DEFAULT_REGION: z.string().min(1).optional(),
  AWS_PROFILE: z.string().min(1).optional(),
});

export interface Settings {
  /** The GitHub App's id (APP_ID, which main.ts checks is numeric): the app's own check runs carry it. */
  appId: number;
  port: number;
  webhookPath: string;
  /** Base URL of GitHub's REST API, as Probot computes it from GHE_PROTOCOL/GHE_HOST. */
  githubApiUrl: string;
  /** Base URL of GitHub's web pages (OAuth, links). */
  githubWebUrl: string;
  enterprise: boolean;
  awsMode: boolean;
  store: "dynamodb" | "embedded";
  runner: "codebuild" | "local";
  codebuild: {
    /** CODEBUILD_PROJECT: the project of repositories the map leaves out. */
    defaultProject?: string;
    /** CODEBUILD_PROJECTS: the operator's map of repositories to projects, first matching rule first. */
    projectMap: ProjectRule[];
    sourceAuth?: { type: "CODECONNECTIONS" | "SECRETS_MANAGER"; resource: string };
    /** Role ARNs, `{project}` not yet replaced. */
    previewRole?: string;
    untrustedRole?: string;
  };
  /** Bot logins whose pull requests and pushes are trusted, lower-cased. */
  trustedBots: string[];
  /** Globs of `owner/name` that `_extends` may name besides the owner's `.github`. */
  configExtendsAllowed: string[];
  /** Account logins served; `["*"]` = any; undefined = the app's own owner. */
  allowedOwners?: string[];
  oauth?: { clientId: string; clientSecret: string };
  tableName: string;
  tableAutoCreate: boolean;
  secretsPrefix: string;
  publicUrl: string;
  /** Probot's webhook relay (a smee.io channel) that brings GitHub's webhooks to an app GitHub cannot reach. */
  webhookProxyUrl?: string;
  /** Signs log-page session cookies: SESSION_SECRET, else derived from WEBHOOK_SECRET. */
  sessionSecret: string;
  dataDir: string;
  /** Key of the encrypted secrets file in embedded mode (LOCAL_SECRETS_KEY); else one is generated under DATA_DIR. */
  localSecretsKey?: string;
  local: {
    /** How local builds are kept from the app and from each other (SPEC 9); `none` only where the operator accepts the risk. */
    isolation: "bubblewrap" | "none";
    /** Local builds that run at once; the others wait, queued. */
    concurrency: number;
    /** The GitHub App's key file (Probot's PRIVATE_KEY_PATH), which builds must not see. */
    privateKeyPath?: string;
  };
  pollIntervalMs: number;
  checkUpdateIntervalMs: number;
  logsRps: number;
  githubWritesPerMinute: number;
  /** Content creations (check runs, comments, reactions) per installation in any hour: GITHUB_WRITES_PER_HOUR. */
  githubWritesPerHour?: number;
  /** How long a replica's heartbeat lasts (it beats every third of it): its builds and pending events are taken over once it ran out. */
  leaseDurationMs: number;
  /** How often GitHub's list of recent deliveries is checked for failed ones to redeliver. */
  redeliveryIntervalMs: number;
}

/** A bad process configuration: one line naming the variable and what is expected. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

/**
 * SESSION_SECRET's default (SPEC 1): a key derived from WEBHOOK_SECRET, so the operator keeps one
 * secret and a leaked session key does not reveal the webhook secret.
 */
export function deriveSessionSecret(webhookSecret: string): string {
  return createHmac("sha256", webhookSecret).update("codebuild-checks session cookies").digest("hex");
}

/** Variables of earlier versions that a newer one replaced, and what replaced them. */
const REPLACED: Readonly<Record<string, string>> = {
  CODEBUILD_PROJECTS_ALLOWED:
    "CODEBUILD_PROJECTS_ALLOWED was replaced by CODEBUILD_PROJECTS, the operator's map of repositories to projects (REPO_GLOB=PROJECT[|PROJECT…], comma-separated): a repository may now name only the projects of its own rule. Remove CODEBUILD_PROJECTS_ALLOWED and map your repositories",
};

export function parseSettings(env: NodeJS.ProcessEnv): Settings {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const replaced = Object.keys(REPLACED).find((name) => name in present);
  if (replaced) throw new SettingsError(REPLACED[replaced]!);
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? "environment");
    throw new SettingsError(`Invalid ${name}=${JSON.stringify(present[name] ?? "")}: ${issue.message}`);
  }
  const e = parsed.data;
  const awsMode = Boolean(e.AWS_REGION || e.AWS_DEFAULT_REGION || e.AWS_PROFILE);
  const store = e.STORE ?? (awsMode ? "dynamodb" : "embedded");
  const runner = e.RUNNER ?? (awsMode ? "codebuild" : "local");
  const projectMap = e.CODEBUILD_PROJECTS ?? [];
  if (runner === "codebuild" && !e.CODEBUILD_PROJECT && !mapsEveryRepository(projectMap)) {
    throw new SettingsError(
      projectMap.length === 0
        ? "Missing CODEBUILD_PROJECT: the CodeBuild runner needs the project that builds repositories (or CODEBUILD_PROJECTS, a map of repositories to projects)"
        : "Missing CODEBUILD_PROJECT: the CodeBuild runner needs the project of the repositories no rule of CODEBUILD_PROJECTS maps (or a rule such as */*=<project> that maps every repository)",
    );
  }
  if (Boolean(e.GITHUB_CLIENT_ID) !== Boolean(e.GITHUB_CLIENT_SECRET)) {
    const missing = e.GITHUB_CLIENT_ID ? "GITHUB_CLIENT_SECRET" : "GITHUB_CLIENT_ID";
    throw new SettingsError(`Missing ${missing}: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are set together (the GitHub App's OAuth credentials)`);
  }
  const githubWebUrl = e.GHE_HOST ? `${e.GHE_PROTOCOL}://${e.GHE_HOST}` : "https://github.com";
  return {
    appId: Number(env.APP_ID ?? 0),
    port: e.PORT,
    webhookPath: e.WEBHOOK_PATH,
    githubApiUrl: e.GHE_HOST ? `${githubWebUrl}/api/v3` : "https://api.github.com",
    githubWebUrl,
    enterprise: Boolean(e.GHE_HOST),
    awsMode,
    store,
    runner,
    codebuild: {
      defaultProject: e.CODEBUILD_PROJECT,
      projectMap,
      sourceAuth: e.CODEBUILD_SOURCE_AUTH,
      previewRole: e.CODEBUILD_PREVIEW_ROLE,
      untrustedRole: e.CODEBUILD_UNTRUSTED_ROLE,
    },
    trustedBots: (e.TRUSTED_BOTS ?? []).map((login) => login.toLowerCase()),
    configExtendsAllowed: e.CONFIG_EXTENDS_ALLOWED ?? [],
    allowedOwners: e.ALLOWED_OWNERS,
    oauth: e.GITHUB_CLIENT_ID && e.GITHUB_CLIENT_SECRET ? { clientId: e.GITHUB_CLIENT_ID, clientSecret: e.GITHUB_CLIENT_SECRET } : undefined,
    tableName: e.TABLE_NAME,
    tableAutoCreate: e.TABLE_AUTO_CREATE ?? store === "embedded",
    secretsPrefix: e.SECRETS_PREFIX,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    webhookProxyUrl: e.WEBHOOK_PROXY_URL,
    sessionSecret: e.SESSION_SECRET ?? deriveSessionSecret(e.WEBHOOK_SECRET ?? ""),
    dataDir: e.DATA_DIR,
    localSecretsKey: e.LOCAL_SECRETS_KEY,
    local: { isolation: e.LOCAL_ISOLATION, concurrency: e.LOCAL_CONCURRENCY, privateKeyPath: e.PRIVATE_KEY_PATH },
    pollIntervalMs: e.POLL_INTERVAL_MS,
    checkUpdateIntervalMs: e.CHECK_UPDATE_INTERVAL_MS,
    logsRps: e.LOGS_RPS,
    githubWritesPerMinute: e.GITHUB_WRITES_PER_MINUTE,
    // GitHub's hourly cap on content creation is GitHub.com's; a GitHub Enterprise Server's administrator sets its own, if any.
    githubWritesPerHour: e.GITHUB_WRITES_PER_HOUR ?? (e.GHE_HOST ? undefined : GITHUB_CONTENT_CREATIONS_PER_HOUR),
    leaseDurationMs: e.LEASE_DURATION_MS,
    redeliveryIntervalMs: e.REDELIVERY_INTERVAL_MS,
  };
}
