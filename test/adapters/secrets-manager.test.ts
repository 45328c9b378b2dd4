import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  TagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { jest } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { isScheduledForDeletion, SECRET_DESCRIPTION, SECRET_RECOVERY_WINDOW_DAYS, SecretsManagerStore } from "../../src/adapters/aws/secrets-manager.js";

const NAME = "codebuild-checks/42/all/NPM_TOKEN";
const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:codebuild-checks/42/all/NPM_TOKEN-AbCdEf";
const VALUE = "s3cr3t-value-that-must-not-leak";
const TAGS = { "codebuild-checks:repository-id": "42", "codebuild-checks:environment": "all", "codebuild-checks:project": "builds" };
const AWS_TAGS = [
  { Key: "codebuild-checks:repository-id", Value: "42" },
  { Key: "codebuild-checks:environment", Value: "all" },
  { Key: "codebuild-checks:project", Value: "builds" },
];

const meta = { $metadata: {} };
const notFound = () => new ResourceNotFoundException({ ...meta, message: "Secrets Manager can't find the specified secret." });
const markedForDeletion = () =>
  new InvalidRequestException({ ...meta, message: "You can't perform this operation on the secret because it was marked for deletion." });
const exists = () => new ResourceExistsException({ ...meta, message: `The operation failed because the secret ${NAME} already exists.` });
/** Not modelled by the SDK: it comes back as the service's base exception with this name. */
const denied = () =>
  new SecretsManagerServiceException({
    ...meta,
    name: "AccessDeniedException",
    $fault: "client",
    message: "User is not authorized to perform: secretsmanager:PutSecretValue",
  });

const sm = mockClient(SecretsManagerClient);
const store = new SecretsManagerStore(new SecretsManagerClient({ region: "us-east-1" }));
afterEach(() => sm.reset());

/** The actions sent, in order. */
function actions(): string[] {
  return sm.calls().map((call) => (call.args[0] as object).constructor.name.replace(/Command$/, ""));
}

describe("put", () => {
  test("a new secret is created with its value, tags and the app's description", async () => {
    sm.on(PutSecretValueCommand).rejects(notFound());
    sm.on(CreateSecretCommand).resolves({ ARN, Name: NAME });
    await expect(store.put(NAME, VALUE, TAGS)).resolves.toEqual({ arn: ARN });
    expect(actions()).toEqual(["PutSecretValue", "CreateSecret"]);
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input).toEqual({
      Name: NAME,
      SecretString: VALUE,
      Tags: AWS_TAGS,
      Description: SECRET_DESCRIPTION,
    });
  });

  test("an existing secret gets the new value, then the given tags", async () => {
    sm.on(PutSecretValueCommand).resolves({ ARN, Name: NAME, VersionId: "v2" });
    sm.on(TagResourceCommand).resolves({});
    await expect(store.put(NAME, VALUE, TAGS)).resolves.toEqual({ arn: ARN });
    expect(actions()).toEqual(["PutSecretValue", "TagResource"]);
    expect(sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: NAME, SecretString: VALUE });
    expect(sm.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ SecretId: ARN, Tags: AWS_TAGS });
  });

  test("a secret scheduled for deletion is restored, then updated and tagged", async () => {
    sm.on(PutSecretValueCommand).rejectsOnce(markedForDeletion()).resolves({ ARN, Name: NAME });
    sm.on(RestoreSecretCommand).resolves({ ARN, Name: NAME });
    sm.on(TagResourceCommand).resolves({});
    await expect(store.put(NAME, VALUE, TAGS)).resolves.toEqual({ arn: ARN });
    expect(actions()).toEqual(["PutSecretValue", "RestoreSecret", "PutSecretValue", "TagResource"]);
    expect(sm.commandCalls(RestoreSecretCommand)[0]!.args[0].input).toEqual({ SecretId: NAME });
  });

  test("a secret created by someone else between PutSecretValue and CreateSecret is updated", async () => {
    sm.on(PutSecretValueCommand).rejectsOnce(notFound()).resolves({ ARN, Name: NAME });
    sm.on(CreateSecretCommand).rejects(exists());
    sm.on(TagResourceCommand).resolves({});
    await expect(store.put(NAME, VALUE, TAGS)).resolves.toEqual({ arn: ARN });
    expect(actions()).toEqual(["PutSecretValue", "CreateSecret", "PutSecretValue", "TagResource"]);
  });

  test("another InvalidRequestException is not taken for a scheduled deletion", async () => {
    const replicated = new InvalidRequestException({ ...meta, message: "You can't modify a replica secret." });
    sm.on(PutSecretValueCommand).rejects(replicated);
    await expect(store.put(NAME, VALUE, TAGS)).rejects.toBe(replicated);
    expect(actions()).toEqual(["PutSecretValue"]);
  });

  test.each([
    ["PutSecretValue", () => sm.on(PutSecretValueCommand).rejects(denied())],
    ["CreateSecret", () => (sm.on(PutSecretValueCommand).rejects(notFound()), sm.on(CreateSecretCommand).rejects(denied()))],
    ["TagResource", () => (sm.on(PutSecretValueCommand).resolves({ ARN }), sm.on(TagResourceCommand).rejects(denied()))],
  ])("an unexpected error from %s propagates", async (_action, arrange) => {
    arrange();
    await expect(store.put(NAME, VALUE, TAGS)).rejects.toMatchObject({ name: "AccessDeniedException" });
  });

  test("an answer without an ARN is an error naming the secret", async () => {
    sm.on(PutSecretValueCommand).resolves({ Name: NAME });
    await expect(store.put(NAME, VALUE, TAGS)).rejects.toThrow(`Secrets Manager answered PutSecretValue for secret ${NAME} without its ARN`);
  });
});

describe("createIfAbsent", () => {
  test("creates a secret that does not exist, with its tags", async () => {
    sm.on(CreateSecretCommand).resolves({ ARN });
    expect(await store.createIfAbsent(NAME, VALUE, TAGS)).toBe(true);
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input).toMatchObject({ Name: NAME, SecretString: VALUE, Tags: AWS_TAGS });
  });

  test("leaves an existing secret as it is", async () => {
    sm.on(CreateSecretCommand).rejects(exists());
    expect(await store.createIfAbsent(NAME, VALUE, TAGS)).toBe(false);
    expect(actions()).toEqual(["CreateSecret"]);
  });

  test("brings back a secret scheduled for deletion instead of replacing it", async () => {
    sm.on(CreateSecretCommand).rejects(markedForDeletion());
    sm.on(RestoreSecretCommand).resolves({ ARN });
    expect(await store.createIfAbsent(NAME, VALUE, TAGS)).toBe(false);
    expect(actions()).toEqual(["CreateSecret", "RestoreSecret"]);
  });

  test("other errors reach the caller", async () => {
    sm.on(CreateSecretCommand).rejects(denied());
    await expect(store.createIfAbsent(NAME, VALUE, TAGS)).rejects.toThrow("not authorized");
  });
});

describe("delete", () => {
  test("schedules the deletion with the shortest recovery window", async () => {
    sm.on(DeleteSecretCommand).resolves({ ARN, Name: NAME });
    await store.delete(ARN);
    expect(SECRET_RECOVERY_WINDOW_DAYS).toBe(7);
    expect(sm.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({ SecretId: ARN, RecoveryWindowInDays: 7 });
  });

  test.each([
    ["missing", notFound],
    ["already scheduled for deletion", markedForDeletion],
  ])("a secret that is %s is fine", async (_state, error) => {
    sm.on(DeleteSecretCommand).rejects(error());
    await expect(store.delete(ARN)).resolves.toBeUndefined();
  });

  test("other errors propagate", async () => {
    sm.on(DeleteSecretCommand).rejects(denied());
    await expect(store.delete(ARN)).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});

describe("getValue", () => {
  test("returns the current value", async () => {
    sm.on(GetSecretValueCommand).resolves({ ARN, Name: NAME, SecretString: VALUE });
    await expect(store.getValue(NAME)).resolves.toBe(VALUE);
    expect(sm.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toEqual({ SecretId: NAME });
  });

  test.each([
    ["missing", notFound],
    ["scheduled for deletion", markedForDeletion],
  ])("a secret that is %s has no value", async (_state, error) => {
    sm.on(GetSecretValueCommand).rejects(error());
    await expect(store.getValue(NAME)).resolves.toBeUndefined();
  });

  test("other errors propagate", async () => {
    sm.on(GetSecretValueCommand).rejects(denied());
    await expect(store.getValue(NAME)).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});

test("tag sends the tags as Secrets Manager's list", async () => {
  sm.on(TagResourceCommand).resolves({});
  await store.tag(ARN, { "codebuild-checks:project": "other" });
  expect(sm.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ SecretId: ARN, Tags: [{ Key: "codebuild-checks:project", Value: "other" }] });
});

describe("isScheduledForDeletion", () => {
  test.each([
    ["AWS's wording", markedForDeletion(), true],
    [
      "AWS's wording with a typographic apostrophe",
      new InvalidRequestException({ ...meta, message: "You can’t perform this operation on the secret because it was marked for deletion." }),
      true,
    ],
    [
      "CreateSecret on a scheduled name",
      new InvalidRequestException({ ...meta, message: "You can't create this secret because a secret with this name is already scheduled for deletion." }),
      true,
    ],
    [
      "emulators' wording",
      new InvalidRequestException({ ...meta, message: "You tried to perform the operation on a secret that's currently marked deleted." }),
      true,
    ],
    [
      "another invalid request",
      new InvalidRequestException({ ...meta, message: "You can't delete secret x that still has replica regions [eu-west-1]" }),
      false,
    ],
    ["a missing secret", notFound(), false],
    ["not an error", "marked for deletion", false],
  ])("%s", (_case, error, expected) => {
    expect(isScheduledForDeletion(error)).toBe(expected);
  });
});

describe("the value never leaks", () => {
  const sinks = () => [
    jest.spyOn(console, "log"),
    jest.spyOn(console, "info"),
    jest.spyOn(console, "warn"),
    jest.spyOn(console, "error"),
    jest.spyOn(console, "debug"),
    jest.spyOn(process.stdout, "write"),
    jest.spyOn(process.stderr, "write"),
  ];

  test("in no error of any failing call, and in no log", async () => {
    const spies = sinks();
    const failures: unknown[] = [];
    const attempts: [string, () => void][] = [
      ["PutSecretValue denied", () => sm.on(PutSecretValueCommand).rejects(denied())],
      ["CreateSecret denied", () => (sm.on(PutSecretValueCommand).rejects(notFound()), sm.on(CreateSecretCommand).rejects(denied()))],
      ["RestoreSecret denied", () => (sm.on(PutSecretValueCommand).rejects(markedForDeletion()), sm.on(RestoreSecretCommand).rejects(denied()))],
      ["TagResource denied", () => (sm.on(PutSecretValueCommand).resolves({ ARN }), sm.on(TagResourceCommand).rejects(denied()))],
      ["no ARN", () => sm.on(PutSecretValueCommand).resolves({})],
      ["no ARN on create", () => (sm.on(PutSecretValueCommand).rejects(notFound()), sm.on(CreateSecretCommand).resolves({}))],
    ];
    try {
      for (const [, arrange] of attempts) {
        sm.reset();
        arrange();
        await store.put(NAME, VALUE, TAGS).then(
          () => failures.push(new Error("put should have failed")),
          (error: unknown) => failures.push(error),
        );
      }
      expect(failures).toHaveLength(attempts.length);
      for (const error of failures) {
        expect(error).toBeInstanceOf(Error);
        const { message, stack } = error as Error;
        expect(`${message}\n${stack}\n${JSON.stringify(error)}`).not.toContain(VALUE);
      }
      for (const spy of spies) expect(JSON.stringify(spy.mock.calls)).not.toContain(VALUE);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});
