import { randomBytes } from "node:crypto";
import type { VariableScope } from "../../../domain/variables.js";
import { buildKey } from "./log-chunks.js";

/** The table's primary key of one item. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/** Variables and their audit trail live in one item collection per repository, keyed by its numeric id. */
export function repositoryKey(repositoryId: number): string {
  return `REPO#${repositoryId}`;
}

/** The pointer to a scope's current version of its variable set. */
export function variableSetKey(repositoryId: number, scope: VariableScope): ItemKey {
  return { pk: repositoryKey(repositoryId), sk: `VARSET#${scope}` };
}

/** The sort-key prefix of one version of a scope's variables. */
export function versionPrefix(scope: VariableScope, version: string): string {
  return `VAR#${scope}#${version}#`;
}

export function variableKey(repositoryId: number, scope: VariableScope, version: string, name: string): ItemKey {
  return { pk: repositoryKey(repositoryId), sk: versionPrefix(scope, version) + name };
}

export const AUDIT_PREFIX = "AUDIT#";

/** ISO time first, so a descending query reads the newest changes first. */
export function auditKey(repositoryId: number, at: string): ItemKey {
  return { pk: repositoryKey(repositoryId), sk: `${AUDIT_PREFIX}${at}#${randomBytes(6).toString("hex")}` };
}

const SEQ_DIGITS = 12;

function paddedSeq(seq: number): string {
  return String(seq).padStart(SEQ_DIGITS, "0");
}

/**
 * A version id for a replace that read the pointer at `baseSeq`: the base first, so versions sort in
 * the order their replaces started from and a cleaner can tell which can never become current
 * (those whose base the pointer's `seq` has passed), without trusting any clock. Fixed length,
 * so comparing sort keys compares versions.
 */
export function newVersion(baseSeq: number): string {
  return `${paddedSeq(baseSeq)}-${randomBytes(6).toString("hex")}`;
}

/** An inclusive range of sort keys, for `sk BETWEEN :from AND :to`. */
export interface SortKeyRange {
  from: string;
  to: string;
}

/**
 * The sort keys of a scope's dead versions, given the pointer as a writer left it: every version
 * other than the current one that was started from an older `seq` (a finished or abandoned
 * replace, whose switch needs a `seq` that is gone). Versions started from the current `seq` may
 * still be switched to, so they stay. Two ranges skip the current version's own items.
 */
export function garbageRanges(scope: VariableScope, pointer: { version: string; seq: number }): SortKeyRange[] {
  const base = `VAR#${scope}#`;
  const current = base + pointer.version;
  const ranges = [
    { from: base, to: current },
    // "$" sorts right after "#", so this starts past every "<current>#NAME".
    { from: `${current}$`, to: base + paddedSeq(pointer.seq) },
  ];
  return ranges.filter((r) => r.from < r.to);
}

/** A build's record sits beside its log chunks, in the build's item collection. */
export function buildRecordKey(deploymentId: string): ItemKey {
  return { pk: buildKey(deploymentId), sk: "RECORD" };
}

/** The trigger of a check run completed without a build, kept for a re-run (see `rememberTrigger`). */
export function rememberedTriggerKey(deploymentId: string): ItemKey {
  return { pk: buildKey(deploymentId), sk: "TRIGGER" };
}

/** The `gsi1` partition of builds that started and have not completed. */
export const RUNNING_BUILDS = "BUILDS#RUNNING";

/** Creation time first, so running builds list oldest first. */
export function runningBuildSortKey(createdAt: string, deploymentId: string): string {
  return `${createdAt}#${deploymentId}`;
}

/** One item per webhook delivery, so a conditional put recognises a duplicate. */
export function intentKey(deliveryId: string): ItemKey {
  return { pk: `INTAKE#${deliveryId}`, sk: "INTENT" };
}

/** The `gsi1` partitions of intents still to process and of those done (kept for duplicate detection). */
export const PENDING_INTENTS = "INTAKE#PENDING";
export const DONE_INTENTS = "INTAKE#DONE";

/** Receipt time first, so pending intents list oldest first and done ones can be purged by age. */
export function intentSortKey(receivedAt: string, deliveryId: string): string {
  return `${receivedAt}#${deliveryId}`;
}

/** A pull request's deployment thread (the comment that shows its previews). */
export function deploymentThreadKey(repositoryId: number, pullRequest: number): ItemKey {
  return { pk: `PULL#${repositoryId}#${pullRequest}`, sk: "DEPLOYMENTS" };
}

/** One item per replica: its heartbeat. */
export function heartbeatKey(replica: string): ItemKey {
  return { pk: `REPLICA#${replica}`, sk: "HEARTBEAT" };
}

/** The `gsi1` partition of heartbeats, where the ones that ran out are found to be removed. */
export const REPLICAS = "REPLICAS";
