import { TABLE_DEFINITION } from "../../src/adapters/aws/dynamodb/table.js";
import { parseSettings } from "../../src/settings.js";
import { SECRET_TAGS } from "../../src/ports/variable-store.js";
import {
  actionMatches,
  actionsOf,
  allowing,
  branches,
  isObject,
  listOf,
  loadProjectTemplate,
  loadTemplate,
  parseTemplate,
  references,
  roleStatements,
  subReferences,
  type Json,
  type JsonObject,
  type Resource,
  type Template,
} from "./cloudformation.js";
import { VARIABLE_SCOPES } from "../../src/domain/variables.js";

const template = loadTemplate();
const project = loadProjectTemplate();
const defaults = parseSettings({});

function resource(id: string, t: Template = template): Resource {
  const found = t.Resources[id];
  if (!found) throw new Error(`the template has no resource ${id}`);
  return found;
}

function properties(id: string, t: Template = template): JsonObject {
  return resource(id, t).Properties ?? {};
}

/** Attributes GetAtt may read, of the resource types the template uses (CloudFormation's reference, "Return values"). */
const ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  "AWS::DynamoDB::Table": ["Arn", "StreamArn"],
  "AWS::SQS::Queue": ["Arn", "QueueName", "QueueUrl"],
  "AWS::IAM::Role": ["Arn", "RoleId"],
  "AWS::CodeBuild::Project": ["Arn"],
  "AWS::Logs::LogGroup": ["Arn"],
  "AWS::Events::Rule": ["Arn"],
  "AWS::Lambda::Url": ["FunctionArn", "FunctionUrl"],
  "AWS::Serverless::Function": ["Arn"],
  // The one nested stack is project.yaml (a test below checks it): its outputs.
  "AWS::CloudFormation::Stack": Object.keys(project.Outputs ?? {}).map((name) => `Outputs.${name}`),
};

/** What a template refers to that it does not define. */
function undefinedReferences(t: Template): string[] {
  const named = new Set([...Object.keys(t.Parameters ?? {}), ...Object.keys(t.Resources)]);
  const conditions = new Set(Object.keys(t.Conditions ?? {}));
  const found = [
    ...references(t.Resources as unknown as Json, "Resources"),
    ...references((t.Globals ?? {}) as Json, "Globals"),
    ...references((t.Outputs ?? {}) as unknown as Json, "Outputs"),
    ...references((t.Conditions ?? {}) as Json, "Conditions"),
  ];
  const problems = found.flatMap((ref) => {
    if (ref.kind === "Condition") return conditions.has(ref.name) ? [] : [`${ref.at}: no condition ${ref.name}`];
    if (ref.name.startsWith("AWS::")) return [];
    return named.has(ref.name) ? [] : [`${ref.at}: nothing named ${ref.name}`];
  });
  for (const [id, r] of Object.entries(t.Resources)) {
    for (const dependency of branches(r.DependsOn as Json)) {
      if (!(String(dependency) in t.Resources)) problems.push(`Resources.${id}.DependsOn: no resource ${String(dependency)}`);
    }
  }
  return problems;
}

/** GetAtt attributes (also `${Resource.Attribute}` in Sub strings) a resource of that type does not have. */
function unknownAttributes(t: Template): string[] {
  const used = new Set<string>();
  const walk = (value: Json | undefined): void => {
    if (Array.isArray(value)) return value.forEach(walk);
    if (!isObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === "Fn::GetAtt" && Array.isArray(inner)) used.add(`${String(inner[0])}.${String(inner[1])}`);
      const text = key === "Fn::Sub" ? (Array.isArray(inner) ? inner[0] : inner) : undefined;
      if (typeof text === "string") for (const name of subReferences(text)) if (name.includes(".")) used.add(name);
      walk(inner);
    }
  };
  walk(t as unknown as Json);
  return [...used].flatMap((ref) => {
    const dot = ref.indexOf(".");
    const [id, attribute] = [ref.slice(0, dot), ref.slice(dot + 1)];
    const type = t.Resources[id]?.Type;
    if (!type) return [`${ref}: no resource ${id}`];
    const known = ATTRIBUTES[type];
    if (!known) return [`${ref}: add the attributes of ${type} to this test`];
    return known.includes(attribute) ? [] : [`${ref}: ${type} has no attribute ${attribute}`];
  });
}

describe("the templates' references", () => {
  test.each([
    ["template.yaml", template],
    ["project.yaml", project],
  ])("every Ref, GetAtt, ${…} and condition of %s names something it defines", (_name, t) => {
    expect(undefinedReferences(t)).toEqual([]);
  });

  test.each([
    ["template.yaml", template],
    ["project.yaml", project],
  ])("every GetAtt of %s reads an attribute its resource has", (_name, t) => {
    expect(unknownAttributes(t)).toEqual([]);
  });

  test("the default project is project.yaml, given every parameter it needs and only those it has", () => {
    expect(properties("DefaultProject").TemplateURL).toBe("project.yaml");
    const given = Object.keys(properties("DefaultProject").Parameters as JsonObject);
    const declared = Object.entries(project.Parameters ?? {});
    expect(given.filter((name) => !(name in (project.Parameters ?? {})))).toEqual([]);
    expect(declared.filter(([name, p]) => p.Default === undefined && !given.includes(name)).map(([name]) => name)).toEqual([]);
  });

  test.each([
    ["!Ref Missing", ["Resources.a.Properties.v.Ref: nothing named Missing"]],
    ["!GetAtt Missing.Arn", ["Resources.a.Properties.v.Fn::GetAtt: nothing named Missing"]],
    ["!Sub '${Missing.Arn}/x ${AWS::Region} ${!Literal} ${Here}'", ["Resources.a.Properties.v.Fn::Sub: nothing named Missing"]],
    ["!Sub ['${Local}-${Missing}', { Local: x }]", ["Resources.a.Properties.v.Fn::Sub: nothing named Missing"]],
    ["!If [NoSuchCondition, !Ref Here, !Ref AWS::NoValue]", ["Resources.a.Properties.v.Fn::If: no condition NoSuchCondition"]],
    ["!Join ['', [!Ref Here, !Select [0, !GetAZs '']]]", []],
  ])("finds what %s leaves undefined", (value, problems) => {
    const t = parseTemplate(`Parameters: { Here: { Type: String } }\nResources:\n  a:\n    Type: X\n    Properties:\n      v: ${value}\n`);
    expect(undefinedReferences(t)).toEqual(problems);
  });

  test.each([
    ["!GetAtt Table.Arn", []],
    ["!GetAtt Table.Url", ["Table.Url: AWS::DynamoDB::Table has no attribute Url"]],
    ["!Sub '${Table.StreamArn}/x'", []],
    ["!Sub '${Nothing.Arn}'", ["Nothing.Arn: no resource Nothing"]],
  ])("finds the unknown attribute in %s", (value, problems) => {
    const t = parseTemplate(`Resources:\n  Table:\n    Type: AWS::DynamoDB::Table\n  a:\n    Type: X\n    Properties:\n      v: ${value}\n`);
    expect(unknownAttributes(t)).toEqual(problems);
  });
});

describe("the DynamoDB table", () => {
  const table = properties("Table");

  test("has exactly the keys, index and billing of TABLE_DEFINITION", () => {
    expect({
      AttributeDefinitions: table.AttributeDefinitions,
      KeySchema: table.KeySchema,
      GlobalSecondaryIndexes: table.GlobalSecondaryIndexes,
      BillingMode: table.BillingMode,
    }).toEqual(JSON.parse(JSON.stringify(TABLE_DEFINITION)));
  });

  test("is named by a parameter that defaults to the app's TABLE_NAME, and outlives the stack", () => {
    expect(table.TableName).toEqual({ Ref: "TableName" });
    expect(template.Parameters?.TableName?.Default).toBe(defaults.tableName);
    expect(resource("Table").DeletionPolicy).toBe("Retain");
    expect(template.Outputs?.TableName?.Value).toEqual({ Ref: "Table" });
  });
});

describe("project.yaml: a project and its three roles, one trust domain", () => {
  const build = properties("BuildProject", project);
  const reads = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:BatchGetSecretValue"];
  const writes = [
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:CreateSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
    "secretsmanager:DeleteSecret",
  ];
  const domain = { "Fn::If": ["HasTrustDomain", { Ref: "TrustDomain" }, { Ref: "ProjectName" }] };
  const appSecrets = { "Fn::Sub": "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${SecretsPrefix}*" };
  const buildRoles = ["ProjectRole", "PreviewRole", "UntrustedRole"];
  const allowed = (id: string) => roleStatements(project, id).filter((s) => s.Effect === "Allow");

  test("the project takes its source from GitHub, leaves reporting to the app, logs to CloudWatch, and runs with its own role", () => {
    expect(build.Name).toEqual({ Ref: "ProjectName" });
    expect(build.Source).toMatchObject({ Type: "GITHUB", ReportBuildStatus: false });
    expect(build.LogsConfig).toEqual({ CloudWatchLogs: { Status: "ENABLED" } });
    expect(build.ServiceRole).toEqual({ "Fn::GetAtt": ["ProjectRole", "Arn"] });
  });

  test.each<[string, string[]]>([
    ["ProjectRole", ["all", "production"]],
    ["PreviewRole", ["all", "preview"]],
  ])("%s reads only the domain's secrets of %j, tagged by the keys the app writes", (id, environments) => {
    const reading = allowed(id).filter((s) => actionsOf(s).some((a) => a.toLowerCase().startsWith("secretsmanager:") || a === "*"));
    expect(reading).toHaveLength(1);
    expect(actionsOf(reading[0]!)).toEqual(["secretsmanager:GetSecretValue"]);
    expect(listOf(reading[0]!.Resource)).toEqual([appSecrets]);
    expect(reading[0]!.Condition).toEqual({
      StringEquals: {
        [`secretsmanager:ResourceTag/${SECRET_TAGS.project}`]: domain,
        [`secretsmanager:ResourceTag/${SECRET_TAGS.environment}`]: environments,
      },
    });
    for (const environment of environments) expect(VARIABLE_SCOPES).toContain(environment);
  });

  test("the untrusted role allows build logs and nothing else: no secret, no source connection", () => {
    const statements = allowed("UntrustedRole");
    expect(statements.length).toBeGreaterThan(0);
    for (const action of [...reads, "codeconnections:UseConnection", "codeconnections:GetConnectionToken", "codestar-connections:UseConnection"]) {
      expect(allowing(statements, action)).toEqual([]);
    }
    for (const statement of statements) {
      expect(statement.NotAction).toBeUndefined();
      for (const action of actionsOf(statement)) expect(action).toMatch(/^logs:/);
    }
  });

  test("the source connection is for the project's own and preview roles only", () => {
    const policy = properties("SourceConnectionPolicy", project);
    expect(resource("SourceConnectionPolicy", project).Condition).toBe("HasSourceConnection");
    expect(listOf(policy.Roles)).toEqual([{ Ref: "ProjectRole" }, { Ref: "PreviewRole" }]);
  });

  test.each(buildRoles)("%s may not create, change, tag or untag any of the app's secrets, whatever else it is given", (id) => {
    const statements = roleStatements(project, id);
    for (const action of writes) expect(allowing(statements, action)).toEqual([]);
    const denials = statements.filter((s) => s.Effect === "Deny");
    expect(denials).toEqual([{ Effect: "Deny", NotAction: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: appSecrets }]);
  });

  test.each(buildRoles)("%s can be assumed only by CodeBuild, for this project of this account", (id) => {
    const trust = properties(id, project).AssumeRolePolicyDocument as JsonObject;
    expect(listOf(trust.Statement)).toEqual([
      expect.objectContaining({
        Principal: { Service: "codebuild.amazonaws.com" },
        Condition: {
          StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
          ArnLike: { "aws:SourceArn": { "Fn::Sub": "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/${ProjectName}" } },
        },
      }),
    ]);
  });

  test.each<[string, string]>([
    ["PreviewRole", "CODEBUILD_PREVIEW_ROLE"],
    ["UntrustedRole", "CODEBUILD_UNTRUSTED_ROLE"],
  ])("%s is named as the functions' %s finds it, {project} being the project", (id, variable) => {
    const role = properties(id, project);
    const name = (role.RoleName as { "Fn::Sub": string })["Fn::Sub"].replace("${ProjectName}", "{project}");
    const arn = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role${String(role.Path)}${name}`;
    const globals = ((template.Globals?.Function as JsonObject).Environment as JsonObject).Variables as JsonObject;
    expect(globals[variable]).toEqual({ "Fn::Sub": arn });
    expect(parseSettings({ [variable]: arn.replace("${AWS::Partition}", "aws").replace("${AWS::AccountId}", "123456789012") })).toBeDefined();
  });

  test("a role's name fits IAM's 64 characters whatever the project's name", () => {
    const longest = Number(/\{1,(\d+)\}\$$/.exec(String(project.Parameters?.ProjectName?.AllowedPattern))?.[1]) + 1;
    expect(template.Parameters?.ProjectName?.AllowedPattern).toBe(project.Parameters?.ProjectName?.AllowedPattern);
    expect(longest + "-untrusted".length).toBeLessThanOrEqual(64);
  });

  test("the secrets' prefix defaults to the app's SECRETS_PREFIX", () => {
    expect(template.Parameters?.SecretsPrefix?.Default).toBe(defaults.secretsPrefix);
    expect(project.Parameters?.SecretsPrefix?.Default).toBe(defaults.secretsPrefix);
  });

  test("no role of either template reads secrets except the project's own, the preview role and the app's", () => {
    const readers = (t: Template) =>
      Object.entries(t.Resources)
        .filter(([, r]) => r.Type === "AWS::IAM::Role")
        .map(([id]) => id)
        .filter((id) => allowingIn(t, id, "secretsmanager:GetSecretValue"));
    expect(readers(template)).toEqual(["AppRole"]);
    expect(readers(project).sort()).toEqual(["PreviewRole", "ProjectRole"]);
  });
});

function allowingIn(t: Template, roleId: string, action: string): boolean {
  return roleStatements(t, roleId).some((s) => s.Effect === "Allow" && actionsOf(s).some((a) => actionMatches(a, action)));
}

describe("the functions", () => {
  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === "AWS::Serverless::Function");
  const globals = template.Globals?.Function as JsonObject;

  function environment(id: string): JsonObject {
    const shared = ((globals.Environment as JsonObject).Variables ?? {}) as JsonObject;
    const own = ((properties(id).Environment as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
    return { ...shared, ...own };
  }

  test("are the three handlers of dist/lambda.js", () => {
    expect(Object.fromEntries(functions.map(([id, r]) => [id, r.Properties?.Handler]))).toEqual({
      WebhookFunction: "dist/lambda.webhook",
      ProcessorFunction: "dist/lambda.processor",
      BuildEventsFunction: "dist/lambda.buildEvents",
    });
  });

  test("run Node.js 22 or later (Lambda no longer creates nodejs20.x functions) on arm64, from the package root", () => {
    expect(globals.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
    expect(globals.Architectures).toEqual(["arm64"]);
    expect(globals.CodeUri).toBe("../");
  });

  test.each(["WebhookFunction", "ProcessorFunction", "BuildEventsFunction"])("%s gets the app's configuration", (id) => {
    expect(Object.keys(environment(id))).toEqual(
      expect.arrayContaining([
        "TABLE_NAME",
        "CODEBUILD_PROJECT",
        "CODEBUILD_PROJECTS",
        "CODEBUILD_PREVIEW_ROLE",
        "CODEBUILD_UNTRUSTED_ROLE",
        "SECRETS_PREFIX",
        "PUBLIC_URL",
        "GITHUB_APP_SECRET_ARN",
        "INTAKE_QUEUE_URL",
        "REFRESH_QUEUE_URL",
      ]),
    );
    expect(environment(id).TABLE_NAME).toEqual({ Ref: "Table" });
    expect(environment(id).INTAKE_QUEUE_URL).toEqual({ Ref: "IntakeQueue" });
    expect(environment(id).REFRESH_QUEUE_URL).toEqual({ Ref: "RefreshQueue" });
  });

  test("the webhook function is served by a public function URL with both permissions it needs", () => {
    expect(properties("WebhookFunctionUrl")).toMatchObject({ AuthType: "NONE", TargetFunctionArn: { "Fn::GetAtt": ["WebhookFunction", "Arn"] } });
    const permissions = Object.values(template.Resources)
      .filter((r) => r.Type === "AWS::Lambda::Permission" && JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ Ref: "WebhookFunction" }))
      .map((r) => r.Properties);
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: "lambda:InvokeFunctionUrl", Principal: "*", FunctionUrlAuthType: "NONE" }),
        expect.objectContaining({ Action: "lambda:InvokeFunction", Principal: "*", InvokedViaFunctionUrl: true }),
      ]),
    );
  });

  test("the processor takes intents from IntakeQueue and refreshes from RefreshQueue, reporting failed items", () => {
    const events = properties("ProcessorFunction").Events as Record<string, JsonObject>;
    const sqs = Object.values(events)
      .filter((e) => e.Type === "SQS")
      .map((e) => e.Properties as JsonObject);
    expect(sqs.map((e) => e.Queue)).toEqual([{ "Fn::GetAtt": ["IntakeQueue", "Arn"] }, { "Fn::GetAtt": ["RefreshQueue", "Arn"] }]);
    for (const source of sqs) {
      expect(source.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
      const size = isObject(source.BatchSize)
        ? template.Parameters?.[String(source.BatchSize.Ref)]
        : { MinValue: source.BatchSize, MaxValue: source.BatchSize };
      expect(Number(size?.MinValue)).toBeGreaterThanOrEqual(1);
      expect(Number(size?.MaxValue)).toBeLessThanOrEqual(10);
    }
  });

  test.each(["IntakeQueue", "RefreshQueue"])("%s hides a message longer than the processor may run, and gives up after 5 receives", (id) => {
    const queue = properties(id);
    expect(Number(queue.VisibilityTimeout)).toBeGreaterThanOrEqual(Number(properties("ProcessorFunction").Timeout));
    const redrive = queue.RedrivePolicy as JsonObject;
    expect(redrive.maxReceiveCount).toBe(5);
    const deadLetter = (redrive.deadLetterTargetArn as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0]!;
    expect(resource(deadLetter).Type).toBe("AWS::SQS::Queue");
    expect(deadLetter).not.toBe(id);
  });

  test("build events come from CodeBuild's state and phase changes of the app's projects only", () => {
    const rule = properties("BuildEventsRule");
    const pattern = rule.EventPattern as JsonObject;
    expect(pattern.source).toEqual(["aws.codebuild"]);
    expect(pattern["detail-type"]).toEqual(["CodeBuild Build State Change", "CodeBuild Build Phase Change"]);
    const projects = branches((pattern.detail as JsonObject)["project-name"]);
    expect(projects.length).toBeGreaterThan(0);
    for (const names of projects) expect(names).toEqual(expect.arrayContaining([{ Ref: "ProjectName" }]));
    expect(listOf(rule.Targets)).toEqual([expect.objectContaining({ Arn: { "Fn::GetAtt": ["BuildEventsFunction", "Arn"] } })]);
    expect(properties("BuildEventsInvokePermission")).toMatchObject({
      Action: "lambda:InvokeFunction",
      FunctionName: { Ref: "BuildEventsFunction" },
      Principal: "events.amazonaws.com",
      SourceArn: { "Fn::GetAtt": ["BuildEventsRule", "Arn"] },
    });
  });

  test("the webhook URL output is the app's URL with the app's WEBHOOK_PATH", () => {
    // A function URL ends with a slash; PublicUrl has none.
    expect(branches(template.Outputs?.WebhookUrl?.Value)).toEqual([
      { "Fn::Sub": `\${PublicUrl}${defaults.webhookPath}` },
      { "Fn::Sub": `\${WebhookFunctionUrl.FunctionUrl}${defaults.webhookPath.slice(1)}` },
    ]);
  });
});
