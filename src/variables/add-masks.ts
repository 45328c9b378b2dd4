import { decodeCommandData } from "../checks/workflow-escapes.js";
import { ADD_MASK_MAX_BYTES, ADD_MASK_MAX_VALUES } from "../domain/variable-names.js";
import { MASK } from "./masking.js";

/** GitHub's workflow command by which a build hides a value of its own. */
const ADD_MASK_COMMAND = "::add-mask::";

/** What the app writes into a build's log where masking became full (once per build). */
export const MASKING_FULL_LINE = `[codebuild-checks] Masking is full: this build already hides ${ADD_MASK_MAX_VALUES} values or ${ADD_MASK_MAX_BYTES / 1024} KiB with ::add-mask::. Later values are hidden on their own ::add-mask:: line only.`;

/** A build's own `::add-mask::` values, as kept with the build. */
export interface AddMaskState {
  values: string[];
  /** A value was refused because the caps were reached. */
  full: boolean;
}

/** What reading one line did. */
export interface AddMaskReading {
  /** The line as it should be shown: a refused value is replaced on its own command line. */
  line: string;
  /** Values accepted from this line. */
  added: string[];
  /** This line is the first one refused: MASKING_FULL_LINE follows it in the log. */
  becameFull: boolean;
}

/**
 * The values a build hides with `::add-mask::VALUE`, within the caps. As GitHub's runner does, the
 * command counts only at the start of a line (after white space) and its data is unescaped (`%25`,
 * `%0D`, `%0A`); the data as written counts too, so the command's own line shows none of it.
 */
export class AddMaskValues {
  private readonly values: string[];
  private readonly known: Set<string>;
  private bytes: number;
  private isFull: boolean;

  constructor(state: AddMaskState = { values: [], full: false }) {
    this.values = [...state.values];
    this.known = new Set(this.values);
    this.bytes = this.values.reduce((sum, value) => sum + Buffer.byteLength(value, "utf8"), 0);
    this.isFull = state.full;
  }

  get state(): AddMaskState {
    return { values: [...this.values], full: this.isFull };
  }

  get full(): boolean {
    return this.isFull;
  }

  /** Reads a plain log line (escapes already removed). */
  read(line: string): AddMaskReading {
    const command = line.trimStart();
    if (!command.startsWith(ADD_MASK_COMMAND)) return { line, added: [], becameFull: false };
    const written = command.slice(ADD_MASK_COMMAND.length).trim();
    const candidates = [...new Set([decodeCommandData(written), written])].filter((v) => v !== "" && !this.known.has(v));
    const bytes = candidates.reduce((sum, value) => sum + Buffer.byteLength(value, "utf8"), 0);
    if (candidates.length === 0) return { line, added: [], becameFull: false };
    if (this.values.length + candidates.length > ADD_MASK_MAX_VALUES || this.bytes + bytes > ADD_MASK_MAX_BYTES) {
      const becameFull = !this.isFull;
      this.isFull = true;
      return { line: `${line.slice(0, line.length - command.length)}${ADD_MASK_COMMAND}${MASK}`, added: [], becameFull };
    }
    for (const value of candidates) {
      this.values.push(value);
      this.known.add(value);
    }
    this.bytes += bytes;
    return { line, added: candidates, becameFull: false };
  }
}
