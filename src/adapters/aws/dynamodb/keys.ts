import { randomBytes } from "node:crypto";
import type { VariableScope } from "../../../variables/types.js";

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
