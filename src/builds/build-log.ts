import type { MaskedText } from "../variables/masking.js";

/** One event of a build's log (a CloudWatch event, or a line of the local runner). */
export interface LogEvent {
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** As the build wrote it; may hold several lines. */
  message: string;
}

/** Where a build's log is read from: the build's own `logs` (never hard-coded). */
export interface LogLocation {
  groupName: string;
  streamName: string;
}

/** A line of a build's log as the app keeps it: plain text, masked and cut before it is written. */
export interface MaskedLogLine {
  timestamp: number;
  text: MaskedText;
}
