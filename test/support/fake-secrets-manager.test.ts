import { inspect } from "node:util";
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { SECRET_DESCRIPTION, SecretsManagerStore } from "../../src/adapters/aws/secrets-manager.js";
import { FakeSecretsManager } from "./fake-secrets-manager.js";

const NAME = "codebuild-checks/42/preview/NPM_TOKEN";
const TAGS = { "codebuild-checks:repository-id": "42", "codebuild-checks:environment": "preview", "codebuild-checks:project": "builds" };

let fake: FakeSecretsManager;
let client: SecretsManagerClient;
let store: SecretsManagerStore;

beforeEach(async () => {
  fake = new FakeSecretsManager();
  const endpoint = await fake.start();
  client = new SecretsManagerClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  store = new SecretsManagerStore(client);
});
afterEach(async () => {
  client.destroy();
  await fake.stop();
});

describe("SecretsManagerStore against the fake, through the real SDK", () => {
  test("create: a new secret with its value, tags and description", async () => {
    const { arn } = await store.put(NAME, "first", TAGS);
    const secret = fake.secrets.get(NAME)!;
    expect(arn).toBe(secret.arn);
    expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:codebuild-checks\/42\/preview\/NPM_TOKEN-[A-Za-z0-9]{6}$/);
    expect(secret).toMatchObject({ tags: TAGS, description: SECRET_DESCRIPTION });
    expect(fake.currentValue(NAME)).toBe("first");
    expect(fake.requests.map((r) => r.action)).toEqual(["PutSecretValue", "CreateSecret"]);
  });

  test("update: a new current version, the old one previous, tags brought up to date", async () => {
    const { arn } = await store.put(NAME, "first", TAGS);
    await store.put(NAME, "second", { ...TAGS, "codebuild-checks:project": "other" });
    const secret = fake.secrets.get(NAME)!;
    expect(secret.versions.map((v) => [v.value, v.stages])).toEqual([
      ["first", ["AWSPREVIOUS"]],
      ["second", ["AWSCURRENT"]],
    ]);
    expect(secret.tags["codebuild-checks:project"]).toBe("other");
    expect(fake.calls("TagResource")).toEqual([{ SecretId: arn, Tags: expect.arrayContaining([{ Key: "codebuild-checks:project", Value: "other" }]) }]);
    await expect(store.getValue(NAME)).resolves.toBe("second");
  });

  test("delete: scheduled with a 7-day window, then deleting again or a missing secret is fine", async () => {
    const { arn } = await store.put(NAME, "first", TAGS);
    await store.delete(arn);
    const secret = fake.secrets.get(NAME)!;
    expect(secret.deletedDate).toBeDefined();
    expect(secret.deletionDate! - secret.deletedDate!).toBe(7 * 24 * 60 * 60);
    await expect(store.delete(arn)).resolves.toBeUndefined();
    await expect(store.delete("codebuild-checks/42/all/NEVER_SET")).resolves.toBeUndefined();
    expect(fake.calls("DeleteSecret")[0]).toEqual({ SecretId: arn, RecoveryWindowInDays: 7 });
  });

  test("restore on put: a secret scheduled for deletion comes back with the new value and the same ARN", async () => {
    const { arn } = await store.put(NAME, "first", TAGS);
    await store.delete(arn);
    const again = await store.put(NAME, "second", TAGS);
    expect(again.arn).toBe(arn);
    expect(fake.secrets.get(NAME)!.deletedDate).toBeUndefined();
    expect(fake.currentValue(NAME)).toBe("second");
    expect(fake.requests.slice(-4).map((r) => r.action)).toEqual(["PutSecretValue", "RestoreSecret", "PutSecretValue", "TagResource"]);
  });

  test("getValue: the current value; missing or scheduled for deletion is undefined", async () => {
    await expect(store.getValue(NAME)).resolves.toBeUndefined();
    const { arn } = await store.put(NAME, "first", TAGS);
    await expect(store.getValue(arn)).resolves.toBe("first");
    await store.delete(arn);
    await expect(store.getValue(NAME)).resolves.toBeUndefined();
  });

  test("the create race: CreateSecret's ResourceExistsException leads to an update", async () => {
    await store.put(NAME, "first", TAGS);
    fake.failNext.set("PutSecretValue", [{ status: 400, type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." }]);
    await store.put(NAME, "second", TAGS);
    expect(fake.requests.slice(-4).map((r) => r.action)).toEqual(["PutSecretValue", "CreateSecret", "PutSecretValue", "TagResource"]);
    expect(fake.currentValue(NAME)).toBe("second");
  });

  test("an error the SDK builds from a refusal does not carry the value", async () => {
    const value = "value-that-must-not-leak";
    fake.failNext.set("PutSecretValue", [
      { status: 400, type: "AccessDeniedException", message: "User is not authorized to perform: secretsmanager:PutSecretValue" },
    ]);
    const error = await store.put(NAME, value, TAGS).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AccessDeniedException" });
    expect(inspect(error, { depth: 10 })).not.toContain(value);
    expect(JSON.stringify(error)).not.toContain(value);
  });
});

describe("the fake refuses what Secrets Manager refuses", () => {
  async function refusal(call: Promise<unknown>): Promise<{ name: string; message: string }> {
    const error = (await call.then(
      () => new Error("the call should have been refused"),
      (e: unknown) => e,
    )) as Error;
    return { name: error.name, message: error.message };
  }

  test.each([
    [
      "GetSecretValue of a missing secret",
      () => client.send(new GetSecretValueCommand({ SecretId: "nope" })),
      "ResourceNotFoundException",
      "Secrets Manager can't find the specified secret.",
    ],
    [
      "DescribeSecret of a missing secret",
      () => client.send(new DescribeSecretCommand({ SecretId: "nope" })),
      "ResourceNotFoundException",
      "Secrets Manager can't find the specified secret.",
    ],
    [
      "PutSecretValue of a missing secret",
      () => client.send(new PutSecretValueCommand({ SecretId: "nope", SecretString: "x" })),
      "ResourceNotFoundException",
      "Secrets Manager can't find the specified secret.",
    ],
    [
      "DeleteSecret with both a window and force",
      () => client.send(new DeleteSecretCommand({ SecretId: "nope", RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })),
      "InvalidParameterException",
      "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
    ],
    [
      "DeleteSecret with a 3-day window",
      () => client.send(new DeleteSecretCommand({ SecretId: "nope", RecoveryWindowInDays: 3 })),
      "InvalidParameterException",
      "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
    ],
  ])("%s", async (_case, call, name, message) => {
    await expect(refusal(call())).resolves.toEqual({ name, message });
  });

  test("a secret without a value has no AWSCURRENT version", async () => {
    await client.send(new CreateSecretCommand({ Name: NAME }));
    await expect(refusal(client.send(new GetSecretValueCommand({ SecretId: NAME })))).resolves.toEqual({
      name: "ResourceNotFoundException",
      message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    });
  });

  test("a name in use, live or scheduled for deletion", async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: "x" }));
    await expect(refusal(client.send(new CreateSecretCommand({ Name: NAME, SecretString: "y" })))).resolves.toEqual({
      name: "ResourceExistsException",
      message: `The operation failed because the secret ${NAME} already exists.`,
    });
    await client.send(new DeleteSecretCommand({ SecretId: NAME, RecoveryWindowInDays: 7 }));
    await expect(refusal(client.send(new CreateSecretCommand({ Name: NAME, SecretString: "y" })))).resolves.toEqual({
      name: "InvalidRequestException",
      message: "You can't create this secret because a secret with this name is already scheduled for deletion.",
    });
  });

  test("a secret scheduled for deletion can be described but not read or changed", async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: "x" }));
    await client.send(new DeleteSecretCommand({ SecretId: NAME, RecoveryWindowInDays: 7 }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: NAME }));
    expect(described.DeletedDate).toBeInstanceOf(Date);
    const marked = { name: "InvalidRequestException", message: "You can't perform this operation on the secret because it was marked for deletion." };
    await expect(refusal(client.send(new GetSecretValueCommand({ SecretId: NAME })))).resolves.toEqual(marked);
    await expect(refusal(client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: "y" })))).resolves.toEqual(marked);
  });

  test("a forced delete removes the secret at once, and of a missing secret is no error", async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: "x" }));
    await client.send(new DeleteSecretCommand({ SecretId: NAME, ForceDeleteWithoutRecovery: true }));
    expect(fake.secrets.has(NAME)).toBe(false);
    await expect(client.send(new DeleteSecretCommand({ SecretId: NAME, ForceDeleteWithoutRecovery: true }))).resolves.toMatchObject({ Name: NAME });
  });

  test("a retried PutSecretValue with the same token makes no second version", async () => {
    await client.send(new CreateSecretCommand({ Name: NAME, SecretString: "x" }));
    const token = "11111111-2222-3333-4444-555555555555";
    await client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: "y", ClientRequestToken: token }));
    await client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: "y", ClientRequestToken: token }));
    expect(fake.secrets.get(NAME)!.versions).toHaveLength(2);
    await expect(refusal(client.send(new PutSecretValueCommand({ SecretId: NAME, SecretString: "z", ClientRequestToken: token })))).resolves.toEqual({
      name: "ResourceExistsException",
      message: "You can't modify an existing version, you can only create a new version.",
    });
  });
});
