import { readFileSync } from "node:fs";
import { parse, type Tags } from "yaml";

/** The deploy/ folder, where the template and the container path's IAM policy live. */
export const DEPLOY_DIR = new URL("../../deploy/", import.meta.url);

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface Resource {
  Type: string;
  Properties?: JsonObject;
  Condition?: string;
  DependsOn?: string | string[];
  [attribute: string]: Json | undefined;
}

export interface Template {
  Parameters?: Record<string, JsonObject>;
  Conditions?: Record<string, Json>;
  Globals?: JsonObject;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, JsonObject>;
}

/** CloudFormation's short forms of intrinsic functions; each parses to its long form (`!Ref x` → `{Ref: x}`). */
const SHORT_FORMS = [
  "Ref",
  "GetAtt",
  "Sub",
  "Join",
  "If",
  "Equals",
  "Select",
  "Split",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Not",
  "And",
  "Or",
  "Condition",
  "Base64",
  "Cidr",
] as const;

function longForm(name: (typeof SHORT_FORMS)[number]): string {
  return name === "Ref" || name === "Condition" ? name : `Fn::${name}`;
}

/** `!GetAtt Resource.Attribute` is `{"Fn::GetAtt": ["Resource", "Attribute"]}`; the attribute may hold dots. */
function scalarArgument(name: (typeof SHORT_FORMS)[number], value: string): Json {
  if (name !== "GetAtt") return value;
  const dot = value.indexOf(".");
  return dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)];
}

export const CLOUDFORMATION_TAGS: Tags = SHORT_FORMS.flatMap((name) => [
  { tag: `!${name}`, resolve: (value: string) => ({ [longForm(name)]: scalarArgument(name, value) }) },
  { tag: `!${name}`, collection: "seq" as const, resolve: (seq: { toJSON(): unknown }) => ({ [longForm(name)]: seq.toJSON() }) },
  { tag: `!${name}`, collection: "map" as const, resolve: (map: { toJSON(): unknown }) => ({ [longForm(name)]: map.toJSON() }) },
]);

export function parseTemplate(text: string): Template {
  return parse(text, { customTags: CLOUDFORMATION_TAGS }) as Template;
}

export function loadTemplate(): Template {
  return parseTemplate(readFileSync(new URL("template.yaml", DEPLOY_DIR), "utf8"));
}

/** deploy/project.yaml: one project and its three roles, the default project's nested stack in template.yaml. */
export function loadProjectTemplate(): Template {
  return parseTemplate(readFileSync(new URL("project.yaml", DEPLOY_DIR), "utf8"));
}

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The names a `Fn::Sub` string refers to: `${Name}` and `${Name.Attribute}`, not `${!Literal}`. */
export function subReferences(text: string): string[] {
  return [...text.matchAll(/\$\{([^}!][^}]*)\}/g)].map((m) => m[1]!.trim());
}

export interface Reference {
  kind: "Ref" | "GetAtt" | "Sub" | "Condition";
  /** The logical id (or parameter, or condition) referred to. */
  name: string;
  /** Where in the template, for failure messages. */
  at: string;
}

/** Every reference in a part of a template: Ref, GetAtt, `${…}` in Sub strings, conditions of Fn::If and Condition. */
export function references(value: Json | undefined, at: string): Reference[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => references(item, `${at}[${i}]`));
  if (!isObject(value)) return [];
  const found: Reference[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const here = `${at}.${key}`;
    if (key === "Ref" && typeof inner === "string") found.push({ kind: "Ref", name: inner, at: here });
    if (key === "Fn::GetAtt") {
      const target = Array.isArray(inner) ? inner[0] : typeof inner === "string" ? inner.split(".")[0] : undefined;
      if (typeof target === "string") found.push({ kind: "GetAtt", name: target, at: here });
    }
    if (key === "Fn::Sub") {
      const [text, variables] = Array.isArray(inner) ? [inner[0], inner[1]] : [inner, undefined];
      const local = new Set(isObject(variables) ? Object.keys(variables) : []);
      if (typeof text === "string") {
        for (const name of subReferences(text)) {
          const target = name.split(".")[0]!;
          if (!local.has(target)) found.push({ kind: "Sub", name: target, at: here });
        }
      }
    }
    if (key === "Fn::If" && Array.isArray(inner) && typeof inner[0] === "string") found.push({ kind: "Condition", name: inner[0], at: here });
    if (key === "Condition" && typeof inner === "string") found.push({ kind: "Condition", name: inner, at: here });
    found.push(...references(inner, here));
  }
  return found;
}

/** Both branches of every `Fn::If` (a policy holds under some parameters if either branch does); AWS::NoValue dropped. */
export function branches(value: Json | undefined): Json[] {
  if (isObject(value) && Array.isArray(value["Fn::If"])) {
    const [, whenTrue, whenFalse] = value["Fn::If"];
    return [...branches(whenTrue), ...branches(whenFalse)];
  }
  if (isObject(value) && value.Ref === "AWS::NoValue") return [];
  return value === undefined ? [] : [value];
}

/** A value that may be one item or a list (IAM's Action, Resource; CloudFormation's lists under Fn::If). */
export function listOf(value: Json | undefined): Json[] {
  return branches(value).flatMap((v) => (Array.isArray(v) ? v.flatMap((item) => branches(item)) : [v]));
}

export interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: Json;
  NotAction?: Json;
  Resource?: Json;
  NotResource?: Json;
  Condition?: JsonObject;
}

export function statementsOf(document: Json | undefined): Statement[] {
  if (!isObject(document)) return [];
  return listOf(document.Statement) as unknown as Statement[];
}

/**
 * Every statement that applies to a role of the template: its inline policies, and policies of
 * AWS::IAM::Policy resources attached to it. Managed policies are refused: they cannot be checked here.
 */
export function roleStatements(template: Template, roleId: string): Statement[] {
  const role = template.Resources[roleId];
  if (role?.Type !== "AWS::IAM::Role") throw new Error(`${roleId} is not an AWS::IAM::Role of the template`);
  if (role.Properties?.ManagedPolicyArns !== undefined) throw new Error(`${roleId} has managed policies, which this test cannot read`);
  const inline = listOf(role.Properties?.Policies).flatMap((policy) => (isObject(policy) ? statementsOf(policy.PolicyDocument) : []));
  const attached = Object.values(template.Resources)
    .filter((r) => r.Type === "AWS::IAM::Policy" && listOf(r.Properties?.Roles).some((ref) => isObject(ref) && ref.Ref === roleId))
    .flatMap((r) => statementsOf(r.Properties?.PolicyDocument));
  return [...inline, ...attached];
}

export function actionsOf(statement: Statement): string[] {
  return listOf(statement.Action).map(String);
}

/** IAM's action matching: case-insensitive, `*` any run of characters, `?` one character. */
export function actionMatches(pattern: string, action: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${regex}$`, "i").test(action);
}

/** The Allow statements whose actions cover `action`. */
export function allowing(statements: Statement[], action: string): Statement[] {
  return statements.filter((s) => s.Effect === "Allow" && actionsOf(s).some((pattern) => actionMatches(pattern, action)));
}

/** Every action a set of Allow statements names, as written. */
export function grantedActions(statements: Statement[]): Set<string> {
  return new Set(statements.filter((s) => s.Effect === "Allow").flatMap(actionsOf));
}
