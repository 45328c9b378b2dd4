import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import ajvFormats from "ajv-formats";

/**
 * Checks a request against GitHub's OpenAPI description of api.github.com (@octokit/openapi),
 * as the judging harness does: the path must be an operation, its parameters and JSON body
 * must fit the operation's schemas. One stricter rule on purpose: a body property the schema
 * does not name is a problem, because GitHub silently ignores it (a typo is a lost field).
 */

type Schema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: Schema;
  "x-multi-segment"?: boolean;
}

interface Operation {
  parameters?: unknown[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Schema }> };
}

type PathItem = Partial<Record<string, Operation>> & { parameters?: unknown[] };

interface Spec {
  paths: Record<string, PathItem>;
}

interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
  /** Literal characters in the template: the more, the more specific (`/check-runs/{id}` over `/{path}`). */
  specificity: number;
  item: PathItem;
}

interface CompiledOperation {
  params: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
}

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
/** Formats in GitHub's spec that JSON Schema does not define; they constrain nothing we check. */
const OPENAPI_ONLY_FORMATS = ["int32", "int64", "double", "binary", "timestamp", "repo.nwo"];
const SPEC_FILE = "@octokit/openapi/generated/api.github.com.json";

let loaded: { spec: Spec; routes: Route[] } | undefined;
const operations = new Map<string, CompiledOperation>();
const bodyAjv = newAjv(false);
const paramsAjv = newAjv("array");

/** Problems with one request (empty when GitHub's description allows it). `body` is the raw text sent, or a parsed value. */
export function validateGitHubRequest(method: string, pathWithQuery: string, body?: unknown): string[] {
  const url = new URL(pathWithQuery, "http://api.github.com");
  const verb = method.toLowerCase();
  const { routes } = load();
  const matches = routes.filter((r) => r.pattern.test(url.pathname)).sort((a, b) => b.specificity - a.specificity);
  if (matches.length === 0) return [`no operation in GitHub's API has the path ${url.pathname}`];
  const route = matches.find((r) => r.item[verb]) ?? matches[0]!;
  if (!route.item[verb]) {
    const allowed = HTTP_METHODS.filter((m) => route.item[m]).map((m) => m.toUpperCase());
    return [`${method.toUpperCase()} is not an operation of ${route.template} (it has ${allowed.join(", ")})`];
  }
  const operation = compile(route, verb);
  const captured = route.pattern.exec(url.pathname)!.slice(1);
  const params = {
    path: Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(captured[i] ?? "")])),
    query: queryObject(url.searchParams),
  };
  const problems = check(operation.params, params, "");
  return problems.concat(checkBody(operation, body));
}

function checkBody(operation: CompiledOperation, body: unknown): string[] {
  if (body === undefined || body === "") return operation.bodyRequired ? ["body: is required"] : [];
  if (!operation.body) return [];
  let value = body;
  if (typeof body === "string") {
    try {
      value = JSON.parse(body);
    } catch {
      return ["body: is not JSON"];
    }
  }
  return check(operation.body, value, "body");
}

function check(validate: ValidateFunction, data: unknown, root: string): string[] {
  return validate(data) ? [] : (validate.errors ?? []).map((e) => describe(e, root));
}

function describe(error: ErrorObject, root: string): string {
  const at = [root, ...error.instancePath.split("/").slice(1)].filter(Boolean).join(".");
  const field = (name: unknown) => [at, String(name)].filter(Boolean).join(".");
  switch (error.keyword) {
    case "required":
      return `${field(error.params.missingProperty)}: is required`;
    case "additionalProperties":
      return `${field(error.params.additionalProperty)}: is not defined for this operation`;
    case "enum":
      return `${at}: ${JSON.stringify(error.data)} is not one of ${(error.params.allowedValues as unknown[]).join(", ")}`;
    default:
      return `${at}: ${error.message ?? error.keyword}`;
  }
}

function queryObject(search: URLSearchParams): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    query[key] = values.length === 1 ? values[0]! : values;
  }
  return query;
}

function load(): { spec: Spec; routes: Route[] } {
  if (loaded) return loaded;
  const file = createRequire(import.meta.url).resolve(SPEC_FILE);
  const spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
  const routes = Object.entries(spec.paths).map(([template, item]) => route(spec, template, item));
  loaded = { spec, routes };
  return loaded;
}

function route(spec: Spec, template: string, item: PathItem): Route {
  const names: string[] = [];
  const multiSegment = new Set(
    allParameters(spec, item)
      .filter((p) => p["x-multi-segment"])
      .map((p) => p.name),
  );
  const source = template.replace(/\{([^}]+)\}|[^{]+/g, (part, name: string | undefined) => {
    if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
    names.push(name);
    return multiSegment.has(name) ? "(.+)" : "([^/]+)";
  });
  const specificity = template.replace(/\{[^}]+\}/g, "").length;
  return { template, pattern: new RegExp(`^${source}$`), names, specificity, item };
}

function allParameters(spec: Spec, item: PathItem, verb?: string): Parameter[] {
  const operations = verb ? [item[verb]] : HTTP_METHODS.map((m) => item[m]);
  const listed = [item.parameters ?? [], ...operations.map((o) => o?.parameters ?? [])].flat();
  return listed.map((p) => resolve(spec, p) as Parameter);
}

function compile(route: Route, verb: string): CompiledOperation {
  const key = `${verb} ${route.template}`;
  const cached = operations.get(key);
  if (cached) return cached;
  const { spec } = load();
  const operation = route.item[verb]!;
  const params = allParameters(spec, route.item, verb);
  const group = (where: "path" | "query") => {
    const list = params.filter((p) => p.in === where);
    return {
      type: "object",
      properties: Object.fromEntries(list.map((p) => [p.name, toJsonSchema(spec, p.schema ?? {})])),
      required: list.filter((p) => p.required).map((p) => p.name),
      additionalProperties: false,
    };
  };
  const bodySchema = operation.requestBody?.content?.["application/json"]?.schema;
  const compiled: CompiledOperation = {
    params: paramsAjv.compile({ type: "object", properties: { path: group("path"), query: group("query") } }),
    body: bodySchema && bodyAjv.compile(toJsonSchema(spec, bodySchema)),
    bodyRequired: operation.requestBody?.required === true,
  };
  operations.set(key, compiled);
  return compiled;
}

/** Follows a local `$ref` ("#/components/..."); anything else is returned as is. */
function resolve(spec: Spec, node: unknown): unknown {
  const ref = (node as { $ref?: unknown } | null)?.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return node;
  const keys = ref
    .slice(2)
    .split("/")
    .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
  return resolve(
    spec,
    keys.reduce<unknown>((at, k) => (at as Record<string, unknown>)[k], spec),
  );
}

/**
 * An OpenAPI 3.0 schema as plain JSON Schema: `$ref`s inlined (a cycle becomes `{}`),
 * `nullable` turned into a null type, and properties closed (see the file comment).
 */
function toJsonSchema(spec: Spec, node: Schema, seen: ReadonlySet<string> = new Set(), underCombinator = false): Schema {
  const ref = node.$ref;
  if (typeof ref === "string") {
    if (seen.has(ref)) return {};
    return toJsonSchema(spec, resolve(spec, node) as Schema, new Set([...seen, ref]), underCombinator);
  }
  const convert = (child: unknown, combinator = false) => toJsonSchema(spec, child as Schema, seen, combinator);
  const out: Schema = { ...node };
  if (isSchema(node.properties)) {
    out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, convert(v)]));
    if (!("additionalProperties" in node) && !underCombinator && branchesAddNoFields(spec, node)) out.additionalProperties = false;
  }
  for (const k of ["items", "not"]) if (isSchema(node[k])) out[k] = convert(node[k]);
  if (isSchema(node.additionalProperties)) out.additionalProperties = convert(node.additionalProperties);
  for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(node[k])) out[k] = (node[k] as unknown[]).map((s) => convert(s, true));
  if (node.nullable !== true) return out;
  delete out.nullable;
  if (out.type === undefined) return { anyOf: [{ type: "null" }, out] };
  out.type = [out.type, "null"].flat();
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out;
}

/** True when `allOf`/`anyOf`/`oneOf` beside `properties` only restate fields `properties` already names (as in PATCH check-runs). */
function branchesAddNoFields(spec: Spec, node: Schema): boolean {
  const named = new Set(Object.keys(node.properties as Schema));
  const branches = ["allOf", "anyOf", "oneOf"].flatMap((k) => (Array.isArray(node[k]) ? (node[k] as unknown[]) : []));
  return branches.every((branch) => {
    const { properties } = resolve(spec, branch) as Schema;
    return Object.keys(isSchema(properties) ? properties : {}).every((name) => named.has(name));
  });
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function newAjv(coerceTypes: false | "array"): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false, coerceTypes });
  ajvFormats.default(ajv);
  for (const format of OPENAPI_ONLY_FORMATS) ajv.addFormat(format, true);
  return ajv;
}
