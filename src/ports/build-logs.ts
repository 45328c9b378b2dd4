import type { LogEvent, LogLocation, MaskedLogLine } from "../builds/build-log.js";

/** The log's lines and where to read them are the core's words: the watcher's pure step takes them in. */
export type { LogEvent, LogLocation, MaskedLogLine } from "../builds/build-log.js";

export interface LogPage {
  events: LogEvent[];
  /** Where the next read starts (CloudWatch's nextForwardToken); kept with the build. */
  cursor: string | undefined;
  /** Nothing more to read now: the token returned equals the one sent, or the stream does not exist yet. */
  atEnd: boolean;
  /** The stream does not exist yet (CodeBuild creates it while provisioning): normal, not an error. */
  missing?: boolean;
}

/** Reads a build's log incrementally, never the same event twice. */
export interface LogSource {
  read(location: LogLocation, cursor: string | undefined): Promise<LogPage>;
}

/** No stored line is longer (in UTF-8 bytes): the watcher cuts long lines, and a store splits any line too long for it. */
export const STORED_LINE_MAX_BYTES = 64 * 1024;

/** A stored chunk of a build's (masked) log: what the log page and check runs are served from. */
export interface LogChunk {
  /** Position of the chunk's first line in the whole log, from 0. */
  firstLine: number;
  lines: { timestamp: number; text: string }[];
}

/**
 * Where the watcher keeps what it read of each build's log, already masked, so that viewers
 * never cause CloudWatch reads (SPEC 7) and replicas share one copy.
 */
export interface BuildLogStore {
  /** Appends masked lines after the ones stored; returns the number of lines now stored. */
  append(deploymentId: string, lines: readonly MaskedLogLine[]): Promise<number>;
  /** The last `count` lines. */
  tail(deploymentId: string, count: number): Promise<string[]>;
  /**
   * Up to `limit` lines from line `from` (0-based), no more than `maxBytes` of text together (but at
   * least one line), and where the next page starts.
   */
  page(deploymentId: string, from: number, limit: number, maxBytes?: number): Promise<{ lines: { timestamp: number; text: string }[]; next: number }>;
}
