import { z } from "zod";
import { VARIABLE_NAME } from "../domain/variable-names.js";

/** Where a value came from, for error messages that point at the file. */
export const CONFIG_PATH = ".github/codebuild.yml";

export const LOG_LINES_MAX = 500;
export const TIMEOUT_MINUTES = { min: 5, max: 480 } as const;

/*
 * Regular expressions over a repository's config (linear time): each is either anchored at both ends
 * with one character class per part (tried once, reading the value once) or a single character class
 * tried at each position (VARIABLE_NAME included). Branch, tag and path globs are not regular
 * expressions at all (builds/globs.ts).
 */
const globs = z.array(z.string().min(1, "a glob cannot be empty"));

const variableMap = z.record(
  z.string().regex(VARIABLE_NAME, "variable names match ^[A-Z_][A-Z0-9_]*$"),
  z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
);

/**
 * `builtin:<name>` or a relative path inside the repository. CodeBuild reads a
 * buildspecOverride that is not a path as inline YAML, and `arn:` as an S3 object,
 * so anything that could be taken for those is refused.
 */
export const buildspecSchema = z
  .string()
  .min(1)
  .refine((v) => !/[\r\n]/.test(v), "buildspec must be one line: a path or builtin:<name>")
  .refine((v) => !v.startsWith("builtin:") || /^builtin:[a-z0-9-]+$/.test(v), "builtin buildspecs are named builtin:<name> with <name> of [a-z0-9-]+")
  .refine((v) => v.startsWith("builtin:") || !v.startsWith("/"), "buildspec must be a relative path, not start with /")
  .refine((v) => v.startsWith("builtin:") || !v.toLowerCase().startsWith("arn:"), "buildspec cannot be an ARN")
  .refine((v) => v.startsWith("builtin:") || !v.split(/[\\/]/).includes(".."), "buildspec cannot contain ..");

export const repoConfigSchema = z
  .object({
    project: z.string().min(1).max(255).optional(),
    buildspec: buildspecSchema.optional(),
    check_name: z.string().min(1).max(100).default("CodeBuild"),
    on: z
      .object({
        push: z
          .object({ branches: globs.optional(), tags: globs.default([]) })
          .strict()
          .default({ tags: [] }),
        pull_request: z
          .object({ branches: globs.default(["**"]) })
          .strict()
          .default({ branches: ["**"] }),
        paths: globs.default([]),
        paths_ignore: globs.default([]),
      })
      .strict()
      .default({ push: { tags: [] }, pull_request: { branches: ["**"] }, paths: [], paths_ignore: [] }),
    cancel_in_progress: z.boolean().optional(),
    forks: z.enum(["require-approval", "build", "ignore"]).default("require-approval"),
    log_lines: z.number().int().min(1).max(LOG_LINES_MAX).default(50),
    timeout_minutes: z.number().int().min(TIMEOUT_MINUTES.min).max(TIMEOUT_MINUTES.max).optional(),
    deployment: z.boolean().default(false),
    env: variableMap.default({}),
    environments: z
      .object({
        production: z
          .object({ env: variableMap.default({}) })
          .strict()
          .optional(),
        preview: z
          .object({ env: variableMap.default({}) })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** A validated `.github/codebuild.yml` with defaults applied. */
export type RepoConfig = z.output<typeof repoConfigSchema>;

/** The configuration of a repository without the file. */
export const DEFAULT_REPO_CONFIG: RepoConfig = repoConfigSchema.parse({});
