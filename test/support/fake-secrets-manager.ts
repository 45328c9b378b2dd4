import { randomUUID } from "node:crypto";
import { AwsJsonFake, ok, refuse, type AwsJsonAnswer, type AwsJsonHandler } from "./aws-json-fake.js";

export interface FakeSecretVersion {
  id: string;
  value: string;
  /** AWSCURRENT, AWSPREVIOUS. */
  stages: string[];
  createdDate: number;
}

export interface FakeSecret {
  name: string;
  arn: string;
  description?: string;
  tags: Record<string, string>;
  versions: FakeSecretVersion[];
  createdDate: number;
  lastChangedDate: number;
  /** Set while the secret is scheduled for deletion (DeleteSecret with a recovery window). */
  deletedDate?: number;
  /** When the recovery window ends. */
  deletionDate?: number;
}

const ACCOUNT_ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
const DAY_SECONDS = 24 * 60 * 60;

/** Secrets Manager's own words for the cases the fake refuses. */
const MESSAGES = {
  notFound: "Secrets Manager can't find the specified secret.",
  noCurrentValue: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
  markedForDeletion: "You can't perform this operation on the secret because it was marked for deletion.",
  createScheduled: "You can't create this secret because a secret with this name is already scheduled for deletion.",
  exists: (name: string) => `The operation failed because the secret ${name} already exists.`,
  versionExists: "You can't modify an existing version, you can only create a new version.",
  recoveryWindow: "The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).",
  forceWithWindow: "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
};

/**
 * A small Secrets Manager on 127.0.0.1 speaking the service's JSON 1.1 protocol, so the app
 * reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER exactly as it reaches AWS. Secrets keep
 * versions, tags and the scheduled-for-deletion state, and refuse what AWS refuses.
 */
export class FakeSecretsManager extends AwsJsonFake {
  /** By name. */
  readonly secrets = new Map<string, FakeSecret>();

  /** The AWSCURRENT value of a secret, whatever its state. */
  currentValue(name: string): string | undefined {
    return this.secrets.get(name)?.versions.find((v) => v.stages.includes("AWSCURRENT"))?.value;
  }

  /** A secret by name or full ARN, as SecretId takes it. */
  private find(secretId: unknown): FakeSecret | undefined {
    const id = String(secretId);
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
  }

  /** The secret, or AWS's refusal when it is missing or (unless allowed) scheduled for deletion. */
  private usable(secretId: unknown, options: { whileScheduled?: boolean } = {}): FakeSecret | AwsJsonAnswer {
    const secret = this.find(secretId);
    if (!secret) return refuse("ResourceNotFoundException", MESSAGES.notFound);
    if (secret.deletedDate !== undefined && !options.whileScheduled) return refuse("InvalidRequestException", MESSAGES.markedForDeletion);
    return secret;
  }

  protected readonly handlers: Record<string, AwsJsonHandler> = {
    CreateSecret: (input) => {
      const name = String(input.Name);
      const existing = this.secrets.get(name);
      if (existing?.deletedDate !== undefined) return refuse("InvalidRequestException", MESSAGES.createScheduled);
      if (existing) return refuse("ResourceExistsException", MESSAGES.exists(name));
      const now = nowSeconds();
      const secret: FakeSecret = {
        name,
        arn: `${ACCOUNT_ARN_PREFIX}${name}-${randomSuffix()}`,
        description: input.Description === undefined ? undefined : String(input.Description),
        tags: fromTags(input.Tags),
        versions: [],
        createdDate: now,
        lastChangedDate: now,
      };
      this.secrets.set(name, secret);
      const version = typeof input.SecretString === "string" ? addVersion(secret, input.SecretString, input.ClientRequestToken) : undefined;
      return ok({ ARN: secret.arn, Name: name, ...(version && { VersionId: version.id }) });
    },
    PutSecretValue: (input) => {
      const secret = this.usable(input.SecretId);
      if (!isSecret(secret)) return secret;
      const value = String(input.SecretString ?? "");
      const token = input.ClientRequestToken === undefined ? undefined : String(input.ClientRequestToken);
      const repeated = secret.versions.find((v) => v.id === token);
      if (repeated && repeated.value !== value) return refuse("ResourceExistsException", MESSAGES.versionExists);
      const version = repeated ?? addVersion(secret, value, token);
      return ok({ ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: version.stages });
    },
    GetSecretValue: (input) => {
      const secret = this.usable(input.SecretId);
      if (!isSecret(secret)) return secret;
      const current = secret.versions.find((v) => v.stages.includes("AWSCURRENT"));
      if (!current) return refuse("ResourceNotFoundException", MESSAGES.noCurrentValue);
      return ok({
        ARN: secret.arn,
        Name: secret.name,
        VersionId: current.id,
        SecretString: current.value,
        VersionStages: current.stages,
        CreatedDate: current.createdDate,
      });
    },
    DescribeSecret: (input) => {
      const secret = this.usable(input.SecretId, { whileScheduled: true });
      if (!isSecret(secret)) return secret;
      return ok({
        ARN: secret.arn,
        Name: secret.name,
        Description: secret.description,
        Tags: toTags(secret.tags),
        VersionIdsToStages: Object.fromEntries(secret.versions.filter((v) => v.stages.length > 0).map((v) => [v.id, v.stages])),
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        DeletedDate: secret.deletedDate,
      });
    },
    DeleteSecret: (input) => {
      const force = input.ForceDeleteWithoutRecovery === true;
      if (force && input.RecoveryWindowInDays !== undefined) return refuse("InvalidParameterException", MESSAGES.forceWithWindow);
      const days = input.RecoveryWindowInDays === undefined ? 30 : Number(input.RecoveryWindowInDays);
      if (!force && (days < 7 || days > 30)) return refuse("InvalidParameterException", MESSAGES.recoveryWindow);
      const now = nowSeconds();
      if (force) {
        // AWS answers a forced delete of a missing secret without ResourceNotFoundException.
        const secret = this.find(input.SecretId);
        if (secret) this.secrets.delete(secret.name);
        return ok({ ARN: secret?.arn, Name: secret?.name ?? String(input.SecretId), DeletionDate: now });
      }
      const secret = this.usable(input.SecretId);
      if (!isSecret(secret)) return secret;
      secret.deletedDate = now;
      secret.deletionDate = now + days * DAY_SECONDS;
      return ok({ ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate });
    },
    RestoreSecret: (input) => {
      const secret = this.usable(input.SecretId, { whileScheduled: true });
      if (!isSecret(secret)) return secret;
      secret.deletedDate = undefined;
      secret.deletionDate = undefined;
      return ok({ ARN: secret.arn, Name: secret.name });
    },
    TagResource: (input) => {
      const secret = this.usable(input.SecretId);
      if (!isSecret(secret)) return secret;
      Object.assign(secret.tags, fromTags(input.Tags));
      return ok({});
    },
  };
}

function isSecret(found: FakeSecret | AwsJsonAnswer): found is FakeSecret {
  return "arn" in found;
}

/** A new AWSCURRENT version; the one it replaces becomes AWSPREVIOUS, as PutSecretValue does. */
function addVersion(secret: FakeSecret, value: string, token: unknown): FakeSecretVersion {
  for (const v of secret.versions) v.stages = v.stages.includes("AWSCURRENT") ? ["AWSPREVIOUS"] : [];
  const version: FakeSecretVersion = {
    id: token === undefined ? randomUUID() : String(token),
    value,
    stages: ["AWSCURRENT"],
    createdDate: nowSeconds(),
  };
  secret.versions.push(version);
  secret.lastChangedDate = version.createdDate;
  return version;
}

function fromTags(tags: unknown): Record<string, string> {
  const list = Array.isArray(tags) ? (tags as { Key?: string; Value?: string }[]) : [];
  return Object.fromEntries(list.map((t) => [String(t.Key), String(t.Value ?? "")]));
}

function toTags(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Secrets Manager appends six random characters to the name in a secret's ARN. */
function randomSuffix(): string {
  const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from({ length: 6 }, () => letters[Math.floor(Math.random() * letters.length)]).join("");
}

function nowSeconds(): number {
  return Date.now() / 1000;
}
