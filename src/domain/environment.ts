/** The environments a build belongs to (SPEC 3), each with its own variables and secrets. */
export const ENVIRONMENT_NAMES = ["production", "preview"] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];
