import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_KEY_TAGS } from "../../src/secrets/app-key.js";
import { parseSettings } from "../../src/settings.js";
import { SECRET_TAGS } from "../../src/ports/variable-store.js";
import {
  DEPLOY_DIR,
  actionMatches,
  actionsOf,
  allowing,
  grantedActions,
  listOf,
  loadTemplate,
  roleStatements,
  statementsOf,
  type Json,
  type Statement,
} from "./cloudformation.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** lib-dynamodb's document-client commands and the DynamoDB actions they call. */
const DOCUMENT_CLIENT_ACTIONS: Readonly<Record<string, string>> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  Query: "Query",
  Scan: "Scan",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
};

/** SQS authorizes a batch call with the action of its single-message form (SQS API reference, batch actions). */
const SQS_BATCH_ACTIONS: Readonly<Record<string, string>> = {
  SendMessageBatch: "SendMessage",
  DeleteMessageBatch: "DeleteMessage",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibility",
};

/** How each SDK package's commands become IAM actions: service prefix and action name. */
const SDK_PACKAGES: Readonly<Record<string, { prefix: string; action(operation: string): string | undefined }>> = {
  "@aws-sdk/client-codebuild": { prefix: "codebuild", action: (op) => op },
  "@aws-sdk/client-cloudwatch-logs": { prefix: "logs", action: (op) => op },
  "@aws-sdk/client-dynamodb": { prefix: "dynamodb", action: (op) => op },
  "@aws-sdk/lib-dynamodb": { prefix: "dynamodb", action: (op) => DOCUMENT_CLIENT_ACTIONS[op] },
  "@aws-sdk/client-secrets-manager": { prefix: "secretsmanager", action: (op) => op },
  "@aws-sdk/client-sqs": { prefix: "sqs", action: (op) => SQS_BATCH_ACTIONS[op] ?? op },
};

/** Waiters poll a describe call (the SDK's waiters, e.g. DynamoDB's waitForTableExists). */
const WAITER_ACTIONS: Readonly<Record<string, string>> = {
  "@aws-sdk/client-dynamodb#waitUntilTableExists": "dynamodb:DescribeTable",
  "@aws-sdk/client-dynamodb#waitUntilTableNotExists": "dynamodb:DescribeTable",
};

/** Calls the code can make that deploy/ leaves out on purpose, and why. */
const NOT_GRANTED: Readonly<Record<string, string>> = {
  "dynamodb:CreateTable": "only with TABLE_AUTO_CREATE=true; deploy/ creates the table, and deploy/README.md says what to add for auto-create",
};

/** Services only the Lambda path calls: the container path has no queues. */
const LAMBDA_ONLY_SERVICES: ReadonlySet<string> = new Set(["sqs"]);

/** What the functions' role needs beyond the app's own calls, and why. */
const LAMBDA_PLATFORM_ACTIONS: Readonly<Record<string, string>> = {
  "logs:CreateLogStream": "Lambda writes the functions' own logs with their role",
  "logs:PutLogEvents": "Lambda writes the functions' own logs with their role",
  "sqs:ReceiveMessage": "the SQS event sources poll the queues with the function's role",
  "sqs:DeleteMessage": "the SQS event sources delete processed messages with the function's role",
  "sqs:GetQueueAttributes": "the SQS event sources read the queues' attributes with the function's role",
  "sqs:SendMessage": "the Lambda handler sends a message per intent and delayed refreshes",
  "secretsmanager:GetSecretValue": "the handler reads the GitHub App's credentials at cold start",
};

interface AwsCall {
  /** IAM action, e.g. `dynamodb:GetItem`; undefined when the test cannot tell (see `unmapped`). */
  action?: string;
  /** The SDK name as written in the code, e.g. `GetCommand` from `@aws-sdk/lib-dynamodb`. */
  name: string;
  file: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Imported names of a file and the modules they come from (`{ A as B }` maps B to A). */
function imports(text: string): Map<string, { module: string; original: string }> {
  const names = new Map<string, { module: string; original: string }>();
  for (const [, list, module] of text.matchAll(/import\s*(?:type\s+)?(?:\w+\s*,\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const part of list!.split(",")) {
      const [original, local] = part
        .replace(/^\s*type\s+/, "")
        .split(/\s+as\s+/)
        .map((s) => s.trim());
      if (original) names.set(local ?? original, { module: module!, original });
    }
  }
  return names;
}

/**
 * The AWS calls of one source file: commands of an SDK package constructed with `new`, and the
 * SDK's waiters. A `new …Command(` of a name not imported at all cannot be placed: it is reported.
 */
function awsCallsIn(file: string, text: string): AwsCall[] {
  const imported = imports(text);
  const calls: AwsCall[] = [];
  for (const [, local] of text.matchAll(/new\s+(\w+)\s*\(/g)) {
    const source = imported.get(local!);
    if (!source) {
      if (local!.endsWith("Command")) calls.push({ name: local!, file });
      continue;
    }
    if (!source.module.startsWith("@aws-sdk/") || !source.original.endsWith("Command")) continue;
    const sdk = SDK_PACKAGES[source.module];
    const action = sdk?.action(source.original.replace(/Command$/, ""));
    calls.push({ name: `${source.original} from ${source.module}`, file, action: sdk && action ? `${sdk.prefix}:${action}` : undefined });
  }
  for (const [, local] of text.matchAll(/\b(waitUntil\w+)\s*\(/g)) {
    const source = imported.get(local!);
    const key = `${source?.module}#${source?.original}`;
    calls.push({ name: key, file, action: WAITER_ACTIONS[key] });
  }
  return calls;
}

const calls = sourceFiles(SRC).flatMap((file) => awsCallsIn(file.slice(SRC.length), readFileSync(file, "utf8")));
const codeActions = new Set(calls.flatMap((c) => (c.action ? [c.action] : [])));
const sourceText = sourceFiles(SRC)
  .map((file) => readFileSync(file, "utf8"))
  .join("\n");
const lambdaEntry = readdirSync(SRC).some((name) => /^lambda.*\.ts$/.test(name));

/** StartBuild with serviceRoleOverride passes that role to CodeBuild, which IAM checks as iam:PassRole. */
const passesRole = sourceText.includes("serviceRoleOverride");

function serviceOf(action: string): string {
  return action.split(":")[0]!;
}

function withoutNotGranted(actions: Iterable<string>): string[] {
  return [...actions].filter((a) => !(a in NOT_GRANTED));
}

const containerActions = [
  ...withoutNotGranted(codeActions).filter((a) => !LAMBDA_ONLY_SERVICES.has(serviceOf(a))),
  ...(passesRole ? ["iam:PassRole"] : []),
].sort();

const lambdaActions = [
  ...new Set([...withoutNotGranted(codeActions), ...(passesRole ? ["iam:PassRole"] : []), ...(lambdaEntry ? ["sqs:SendMessage"] : [])]),
].sort();

function resourcesOf(statement: Statement): Json[] {
  return listOf(statement.Resource);
}

/** The default project of the template, which iam-policy.json names too. */
const DEFAULT_PROJECT = String(loadTemplate().Parameters?.ProjectName?.Default);

/** Every tag key the app writes on a secret: a stored secret's, and its sealing key's. */
const APP_TAG_KEYS = [...Object.values(SECRET_TAGS), ...Object.keys(APP_KEY_TAGS)].sort();

/**
 * The tag keys a role may write: CreateSecret and TagResource are granted together, by one
 * statement limited by aws:TagKeys (a secret's tags decide which builds may read it).
 */
function tagKeysOf(statements: Statement[]): string[] {
  const tagging = allowing(statements, "secretsmanager:TagResource");
  expect(tagging).toHaveLength(1);
  expect(allowing(statements, "secretsmanager:CreateSecret")).toEqual(tagging);
  const keys = (tagging[0]!.Condition?.["ForAllValues:StringEquals"] as Record<string, Json> | undefined)?.["aws:TagKeys"];
  return [...(keys as string[])].sort();
}

describe("the AWS calls the code makes", () => {
  test("every SDK command in src/ maps to an IAM action", () => {
    const unmapped = calls.filter((c) => !c.action).map((c) => `${c.name} in src/${c.file}`);
    expect(unmapped).toEqual([]);
  });

  test("the scan finds the calls of every AWS service the app uses", () => {
    expect([...new Set([...codeActions].map(serviceOf))].sort()).toEqual(expect.arrayContaining(["codebuild", "dynamodb", "logs", "secretsmanager"]));
    expect(codeActions).toContain("dynamodb:DescribeTable");
    expect(passesRole).toBe(true);
  });

  test.each([
    ['import { GetCommand } from "@aws-sdk/lib-dynamodb";\nnew GetCommand({})', ["dynamodb:GetItem"]],
    ['import { BatchWriteCommand as Write } from "@aws-sdk/lib-dynamodb";\nnew Write({})', ["dynamodb:BatchWriteItem"]],
    ['import {\n  StartBuildCommand,\n  type Build,\n} from "@aws-sdk/client-codebuild";\nnew StartBuildCommand(x)', ["codebuild:StartBuild"]],
    ['import { SendMessageBatchCommand } from "@aws-sdk/client-sqs";\nnew SendMessageBatchCommand(x)', ["sqs:SendMessage"]],
    ['import { waitUntilTableExists } from "@aws-sdk/client-dynamodb";\nawait waitUntilTableExists(a, b)', ["dynamodb:DescribeTable"]],
    ['import { ParseCommand } from "./commands.js";\nnew ParseCommand()', []],
    ['import sdk, { PutSecretValueCommand } from "@aws-sdk/client-secrets-manager";\nnew PutSecretValueCommand(x)', ["secretsmanager:PutSecretValue"]],
  ])("reads the calls of %j", (text, actions) => {
    expect(awsCallsIn("example.ts", text).flatMap((c) => (c.action ? [c.action] : []))).toEqual(actions);
  });

  test.each([
    ["new GetCommand({})"],
    ['import { FrobnicateCommand } from "@aws-sdk/client-frobnicator";\nnew FrobnicateCommand({})'],
    ['import { ExecuteStatementCommand } from "@aws-sdk/lib-dynamodb";\nnew ExecuteStatementCommand({})'],
    ['import { waitUntilTableActive } from "@aws-sdk/client-dynamodb";\nawait waitUntilTableActive(a, b)'],
  ])("reports a call it cannot map: %j", (text) => {
    expect(awsCallsIn("example.ts", text).some((c) => c.action === undefined)).toBe(true);
  });
});

describe("deploy/iam-policy.json: the app's policy on the container path", () => {
  const policy = JSON.parse(readFileSync(new URL("iam-policy.json", DEPLOY_DIR), "utf8")) as Json;
  const statements = statementsOf(policy);
  const defaults = parseSettings({});

  test.each(containerActions)("allows %s", (action) => {
    expect(allowing(statements, action)).not.toHaveLength(0);
  });

  test("allows nothing the code does not call, and names every action without wildcards", () => {
    expect([...grantedActions(statements)].sort()).toEqual(containerActions);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      expect(statement.NotAction).toBeUndefined();
      expect(statement.NotResource).toBeUndefined();
      for (const action of actionsOf(statement)) expect(action).toMatch(/^[a-z-]+:[A-Za-z]+$/);
    }
  });

  test.each(Object.keys(NOT_GRANTED))("leaves out %s", (action) => {
    expect(allowing(statements, action)).toHaveLength(0);
  });

  test("scopes every statement to resources of its own service", () => {
    for (const statement of statements) {
      const services = new Set(actionsOf(statement).map(serviceOf));
      expect(services.size).toBe(1);
      const service = [...services][0]!;
      for (const resource of resourcesOf(statement)) {
        expect(resource).not.toBe("*");
        expect(String(resource)).toMatch(new RegExp(`^arn:aws:${service}:`));
      }
    }
  });

  test("scopes the table, the secrets and the build logs as the app's defaults name them", () => {
    const arns = (action: string) => allowing(statements, action).flatMap(resourcesOf);
    expect(arns("dynamodb:GetItem")).toEqual([
      `arn:aws:dynamodb:REGION:ACCOUNT_ID:table/${defaults.tableName}`,
      `arn:aws:dynamodb:REGION:ACCOUNT_ID:table/${defaults.tableName}/index/*`,
    ]);
    expect(arns("secretsmanager:GetSecretValue")).toEqual([`arn:aws:secretsmanager:REGION:ACCOUNT_ID:secret:${defaults.secretsPrefix}*`]);
    expect(arns("logs:GetLogEvents")).toEqual(["arn:aws:logs:REGION:ACCOUNT_ID:log-group:/aws/codebuild/*"]);
  });

  test("passes only the default project's preview and untrusted roles (as project.yaml names them), and only to CodeBuild", () => {
    const [passRole, ...others] = allowing(statements, "iam:PassRole");
    expect(others).toEqual([]);
    expect(resourcesOf(passRole!)).toEqual([
      `arn:aws:iam::ACCOUNT_ID:role/codebuild-checks/${DEFAULT_PROJECT}-preview`,
      `arn:aws:iam::ACCOUNT_ID:role/codebuild-checks/${DEFAULT_PROJECT}-untrusted`,
    ]);
    expect(passRole!.Condition).toEqual({ StringEquals: { "iam:PassedToService": "codebuild.amazonaws.com" } });
  });

  test("creates and tags secrets only with the tag keys the app writes", () => {
    expect(tagKeysOf(statements)).toEqual(APP_TAG_KEYS);
  });
});

describe("the template's role of the Lambda functions", () => {
  const template = loadTemplate();
  const functionRoles = new Set(
    Object.values(template.Resources)
      .filter((r) => r.Type === "AWS::Serverless::Function")
      .map((r) => JSON.stringify(r.Properties?.Role)),
  );
  const statements = roleStatements(template, "AppRole");

  test("is AppRole for every function", () => {
    expect([...functionRoles]).toEqual([JSON.stringify({ "Fn::GetAtt": ["AppRole", "Arn"] })]);
  });

  test.each(lambdaActions)("allows %s", (action) => {
    expect(allowing(statements, action)).not.toHaveLength(0);
  });

  test("allows only the code's calls and what Lambda needs of the role, without wildcards", () => {
    const allowed = new Set([...lambdaActions, ...Object.keys(LAMBDA_PLATFORM_ACTIONS)]);
    expect([...grantedActions(statements)].filter((a) => !allowed.has(a))).toEqual([]);
    for (const statement of statements) {
      expect(statement.Effect).toBe("Allow");
      for (const action of actionsOf(statement)) expect(action).toMatch(/^[a-z-]+:[A-Za-z]+$/);
      for (const resource of resourcesOf(statement)) expect(resource).not.toBe("*");
    }
  });

  test.each(Object.keys(NOT_GRANTED))("leaves out %s", (action) => {
    expect(allowing(statements, action)).toHaveLength(0);
  });

  test("reaches only the table and its indexes", () => {
    for (const statement of statements.filter((s) => actionsOf(s).some((a) => serviceOf(a) === "dynamodb"))) {
      expect(resourcesOf(statement)).toEqual([{ "Fn::GetAtt": ["Table", "Arn"] }, { "Fn::Sub": "${Table.Arn}/index/*" }]);
    }
  });

  test("reaches secrets under SECRETS_PREFIX, and otherwise only reads the GitHub App's credentials", () => {
    const prefixed = { "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${SecretsPrefix}*" };
    const secretStatements = statements.filter((s) => actionsOf(s).some((a) => serviceOf(a) === "secretsmanager"));
    expect(secretStatements.length).toBeGreaterThan(0);
    for (const statement of secretStatements) {
      const resources = resourcesOf(statement);
      if (JSON.stringify(resources) === JSON.stringify([{ Ref: "GitHubAppSecretArn" }])) {
        expect(actionsOf(statement)).toEqual(["secretsmanager:GetSecretValue"]);
      } else {
        expect(resources).toEqual([prefixed]);
      }
    }
  });

  test("passes only the preview and untrusted roles of the app's projects, and only to CodeBuild", () => {
    const [passRole, ...others] = allowing(statements, "iam:PassRole");
    expect(others).toEqual([]);
    const role = (project: string, kind: string) => ({
      "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/codebuild-checks/\${${project}}-${kind}`,
    });
    expect(new Set(resourcesOf(passRole!).map((r) => JSON.stringify(r)))).toEqual(
      new Set(["ProjectName", "ExtraProjectsPattern"].flatMap((p) => ["preview", "untrusted"].map((k) => JSON.stringify(role(p, k))))),
    );
    expect(passRole!.Condition).toEqual({ StringEquals: { "iam:PassedToService": "codebuild.amazonaws.com" } });
  });

  test("creates and tags secrets only with the tag keys the app writes", () => {
    expect(tagKeysOf(statements)).toEqual(APP_TAG_KEYS);
  });

  test("sends and receives only on the app's own queues", () => {
    const queues = [{ "Fn::GetAtt": ["IntakeQueue", "Arn"] }, { "Fn::GetAtt": ["RefreshQueue", "Arn"] }];
    for (const statement of statements.filter((s) => actionsOf(s).some((a) => serviceOf(a) === "sqs"))) {
      expect(resourcesOf(statement)).toEqual(queues);
    }
  });

  test("builds only in the app's projects", () => {
    for (const statement of statements.filter((s) => actionsOf(s).some((a) => serviceOf(a) === "codebuild"))) {
      for (const resource of resourcesOf(statement)) {
        const text = JSON.stringify(resource);
        expect(text.endsWith(':project/${ProjectName}"}') || text.endsWith(':project/${ExtraProjectsPattern}"}')).toBe(true);
      }
    }
  });
});

describe("IAM action matching used by these checks", () => {
  test.each([
    ["secretsmanager:GetSecretValue", "secretsmanager:GetSecretValue", true],
    ["secretsmanager:*", "secretsmanager:GetSecretValue", true],
    ["*", "secretsmanager:GetSecretValue", true],
    ["SecretsManager:get*", "secretsmanager:GetSecretValue", true],
    ["secretsmanager:Get?ecretValue", "secretsmanager:GetSecretValue", true],
    ["secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue", false],
    ["logs:*", "secretsmanager:GetSecretValue", false],
  ])("%s covers %s: %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  test("a role's statements include policies attached to it, and both branches of a condition", () => {
    const statements = roleStatements(
      {
        Resources: {
          Role: {
            Type: "AWS::IAM::Role",
            Properties: {
              Policies: [
                {
                  "Fn::If": [
                    "C",
                    { PolicyName: "a", PolicyDocument: { Statement: [{ Effect: "Allow", Action: "logs:A", Resource: "x" }] } },
                    { Ref: "AWS::NoValue" },
                  ],
                },
              ],
            },
          },
          Extra: {
            Type: "AWS::IAM::Policy",
            Properties: { Roles: [{ Ref: "Role" }], PolicyDocument: { Statement: { Effect: "Allow", Action: ["sqs:B"], Resource: "y" } } },
          },
        },
      },
      "Role",
    );
    expect([...grantedActions(statements)]).toEqual(["logs:A", "sqs:B"]);
  });
});
