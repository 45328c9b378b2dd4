import boundaries from "eslint-plugin-boundaries";

/*
 * The layers of src/ and which way imports run between them (docs/architecture.md). An element's
 * type is the first pattern its path matches; an import is allowed only where a rule below says so.
 */
const elements = [
  // Bottom: helpers in no product's words, then the shared nouns.
  { type: "lib", pattern: "src/lib/**" },
  { type: "domain", pattern: "src/domain/**" },
  // The pure core, one type per folder: each may import the ones listed before it, never after.
  { type: "config", pattern: "src/config/**" },
  { type: "checks", pattern: "src/checks/**" },
  { type: "variables", pattern: "src/variables/**" },
  { type: "deployments", pattern: "src/deployments/**" },
  { type: "builds", pattern: "src/builds/**" },
  { type: "commands", pattern: "src/commands/**" },
  // What workflows need from the world, and the rules those needs carry (the write budget).
  { type: "ports", pattern: "src/ports/**" },
  // The app's long-lived helpers, made once at start-up from its settings and handed around.
  { type: "services", pattern: ["src/settings.ts", "src/log-masking.ts", "src/metrics/**", "src/secrets/**", "src/replicas/**"] },
  { type: "workflows", pattern: "src/workflows/**" },
  // GitHub calls the workflows still make themselves, until a port for permissions takes them over.
  { type: "github-calls", pattern: ["src/adapters/github/permissions.ts"] },
  { type: "adapters", pattern: "src/adapters/**" },
  // The pages' scripts: browser code, served alone (eslint.config.js keeps them to their own folder).
  { type: "browser", pattern: "src/browser/**" },
  // Edges: receive the world's events and wire everything else together.
  {
    type: "edges",
    pattern: ["src/http/**", "src/intake/**", "src/handlers/**", "src/lambda/**", "src/demo/**", "src/*.ts"],
  },
];

const core = ["config", "checks", "variables", "deployments", "builds", "commands"];
const below = (list, type) => list.slice(0, list.indexOf(type));

/** What each type may import; anything else is an error. */
const allowed = {
  lib: [],
  domain: ["lib", "domain"],
  ...Object.fromEntries(core.map((type) => [type, ["lib", "domain", ...below(core, type), type]])),
  ports: ["lib", "domain", ...core, "ports"],
  services: ["lib", "domain", ...core, "ports", "services"],
  workflows: ["lib", "domain", ...core, "ports", "services", "workflows", "github-calls"],
  "github-calls": ["lib", "domain", ...core, "ports", "services", "github-calls", "adapters"],
  adapters: ["lib", "domain", ...core, "ports", "services", "github-calls", "adapters"],
  browser: ["browser"],
  edges: elements.map((element) => element.type).filter((type) => type !== "browser"),
};

const policies = Object.entries(allowed).map(([from, to]) => ({
  from: { element: { type: from } },
  allow: { to: { element: { types: { anyOf: to } } } },
}));

/** ESLint settings that fail `npm run lint` when an import in src/ runs against the layers. */
export const layerRules = {
  files: ["src/**/*.ts"],
  plugins: { boundaries },
  settings: {
    "boundaries/elements": elements.map((element) => ({ ...element, mode: "full" })),
    "boundaries/include": ["src/**/*.ts"],
    "import/resolver": { typescript: { project: "tsconfig.json" } },
  },
  rules: {
    "boundaries/dependencies": ["error", { default: "disallow", policies }],
    "boundaries/no-unknown-files": "error",
  },
};
