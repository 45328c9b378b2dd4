import { parseComment } from "../../src/workflows/commands/registry.js";
import { secretSet } from "../../src/workflows/commands/verbs/secret-set.js";
import type { CommentIntent } from "../../src/commands/intent.js";
import { keyIdOf, type AppKeyPair } from "../../src/secrets/app-key.js";
import { openSealedValue, sealedBase64, sealValue } from "../../src/secrets/sealed-value.js";
import { sodium } from "../../src/secrets/sodium.js";
import { sealPlainSecrets } from "../../src/intake/seal-intent.js";
import { repository } from "../support/build-records.js";

const { publicKey, privateKey } = sodium.crypto_box_keypair();
const appKey: AppKeyPair = { publicKey, privateKey, keyId: keyIdOf(publicKey) };
const NOW = new Date("2026-11-25T12:00:00Z");
const PLAIN = "hunter2-plain-value";

function commentIntent(body: string): CommentIntent {
  const { commands } = parseComment(body);
  return {
    kind: "comment",
    deliveryId: "d-1",
    installationId: 7,
    repository: repository({ private: true }),
    sender: { login: "octocat", id: 1, type: "User" },
    issueNumber: 3,
    isPullRequest: true,
    commentId: 99,
    commands,
    holdsSecret: commands.some((c) => c.ok && c.command.verb === "secret set"),
  };
}

describe("sealPlainSecrets: what intake records of a comment holds no secret", () => {
  test("a plain /secret set value is sealed to the app's key, bound to the command, and marked as written plain", () => {
    const intent = commentIntent(`/secret set API_TOKEN=${PLAIN} --environment production\n/env set A=1`);
    const recorded = sealPlainSecrets(intent, appKey.publicKey, NOW);

    expect(JSON.stringify(recorded)).not.toContain(PLAIN);
    const line = recorded.kind === "comment" ? recorded.commands[0] : undefined;
    if (!line?.ok || line.command.verb !== "secret set") throw new Error("expected a /secret set line");
    const { assignment } = secretSet.schema.parse(line.command);
    expect(assignment.writtenPlain).toBe(true);
    const opened = openSealedValue(appKey, sealedBase64(assignment.value)!, { repositoryId: 102, environment: "production", key: "API_TOKEN" }, NOW);
    expect(opened).toEqual({ ok: true, value: PLAIN });
    // Other commands are recorded as they were.
    expect(recorded.kind === "comment" && recorded.commands[1]).toEqual(intent.commands[1]);
  });

  test("a value sealed on the /seal page is recorded as it came, not marked plain", () => {
    const sealed = sealValue(appKey.publicKey, { repositoryId: 102, environment: "all", key: "API_TOKEN" }, PLAIN, new Date(NOW.getTime() + 60_000));
    const intent = commentIntent(`/secret set API_TOKEN=sealed:${sealed}`);
    expect(sealPlainSecrets(intent, appKey.publicKey, NOW)).toEqual(intent);
  });

  test("intents without secrets are recorded unchanged", () => {
    const intent = commentIntent("/env set A=1");
    expect(sealPlainSecrets(intent, appKey.publicKey, NOW)).toBe(intent);
  });
});
