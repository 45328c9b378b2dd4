import { z } from "zod";
import type { BuildSeal } from "../../secrets/build-seal.js";
import { TtlCache } from "../../lib/ttl-cache.js";
import { type AddMaskState } from "../../variables/add-masks.js";
import { createMasker, type Masker } from "../../variables/masking.js";
import type { SecretValues } from "../variables/secret-values.js";
import type { StoredEntry, VariableStore } from "../../ports/variable-store.js";
import type { BuildRecord } from "../../ports/build-records.js";
import { ADD_MASK_MAX_VALUES } from "../../domain/variable-names.js";

/**
 * Which values hide what the app writes about a build (SPEC 3 and 5), in one place: the values of
 * the secrets the build received and of every secret its repository stores. A build's own
 * `::add-mask::` values are added by whoever reads its log (see AddMaskValues). An untrusted build
 * is masked with those alone (SPEC 3, Trust): it receives no secrets, and masking its output with
 * the stored ones would let its code print guesses and watch which become ***.
 */
export function secretsToMask(build: Pick<BuildRecord, "secretIds" | "plan">, repositorySecretIds: readonly string[]): string[] {
  if (!build.plan.trusted) return [];
  return [...new Set([...build.secretIds, ...repositorySecretIds])];
}

/** The names of the secrets among a repository's stored entries. */
export function secretIdsOf(entries: readonly StoredEntry[]): string[] {
  return entries.flatMap((e) => (e.isSecret ? [e.secretId] : []));
}

/** The names of the secrets a repository stores. */
export async function repositorySecretIds(variables: Pick<VariableStore, "list">, repositoryId: number): Promise<string[]> {
  return secretIdsOf(await variables.list(repositoryId));
}

export interface MaskingSources {
  variables: Pick<VariableStore, "list">;
  secretValues: Pick<SecretValues, "valuesOf">;
}

/**
 * A masker for what the app writes about a repository with no build yet (decisions, command
 * replies), from its stored entries as the caller read them.
 */
export async function repositoryMasker(secretValues: Pick<SecretValues, "valuesOf">, entries: readonly StoredEntry[]): Promise<Masker> {
  return createMasker(await secretValues.valuesOf(secretIdsOf(entries)));
}

const addMaskStateSchema = z.object({ values: z.array(z.string()).max(ADD_MASK_MAX_VALUES), full: z.boolean() });

const NO_ADD_MASKS: AddMaskState = { values: [], full: false };

/** A build's own `::add-mask::` values as kept with its record; none when there are none or they do not open. */
export function openAddMasks(seal: BuildSeal, record: Pick<BuildRecord, "deploymentId" | "sealedAddMasks">): AddMaskState {
  if (record.sealedAddMasks === undefined) return NO_ADD_MASKS;
  return seal.open(record.deploymentId, record.sealedAddMasks, addMaskStateSchema) ?? NO_ADD_MASKS;
}

/** How long the log pages of one build share a masker: as long as secret values are cached. */
const BUILD_MASKER_TTL_MS = 60_000;
/** Builds whose maskers are kept at once (a masker of a build with many values holds a few MB at most). */
const BUILD_MASKERS_KEPT = 200;

export interface BuildMask {
  masker: Masker;
  /** The build asked to hide more `::add-mask::` values than the app keeps. */
  full: boolean;
}

/**
 * Maskers for what the app serves about a build outside the watcher (log pages and their API),
 * made from its record: shared for a minute by the views of one build, made again as soon as the
 * build has hidden a new value of its own.
 */
export class BuildMaskers {
  private readonly cache: TtlCache<BuildMask & { sealed: string | undefined }>;

  constructor(
    private readonly sources: MaskingSources & { seal: BuildSeal },
    now: () => number = Date.now,
  ) {
    this.cache = new TtlCache(BUILD_MASKER_TTL_MS, now, BUILD_MASKERS_KEPT);
  }

  async forBuild(record: Pick<BuildRecord, "deploymentId" | "repository" | "secretIds" | "plan" | "sealedAddMasks" | "createdAt">): Promise<BuildMask> {
    const cached = this.cache.get(record.deploymentId);
    if (cached && cached.sealed === record.sealedAddMasks) return cached;
    const ids = secretsToMask(record, await repositorySecretIds(this.sources.variables, record.repository.id));
    const addMasks = openAddMasks(this.sources.seal, record);
    const values = await this.sources.secretValues.valuesOf(ids, Date.parse(record.createdAt));
    const made = { masker: createMasker([...values, ...addMasks.values]), full: addMasks.full, sealed: record.sealedAddMasks };
    this.cache.set(record.deploymentId, made);
    return made;
  }
}
