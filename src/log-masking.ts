import { createMasker, type Masker } from "./variables/masking.js";

/** Distinct values kept before starting over: values come back as they are read again (secret values are cached a minute). */
const MAX_HIDDEN_VALUES = 10_000;
/** How a log line names its build (the watcher's and processing's bindings). */
const DEPLOYMENT_ID_FIELD = '"deploymentId":"';

/**
 * What keeps secret values out of the app's own log lines (SPEC 5): every line is masked, as
 * written (JSON), before it leaves the process, with every secret value the process has read
 * (to mask it, or opened from a sealed command) and, for a line about a followed build, that
 * build's own `::add-mask::` values. A build's values never hide words of other builds' lines.
 */
export class LogMasking {
  private values = new Set<string>();
  private masker = createMasker();
  private readonly builds = new Map<string, Pick<Masker, "mask">>();

  /** A value the process now knows to be secret. */
  hide(value: string): void {
    if (this.values.has(value)) return;
    if (this.values.size >= MAX_HIDDEN_VALUES) {
      this.values = new Set();
      this.masker = createMasker();
    }
    this.values.add(value);
    this.masker.add(value);
  }

  /** Lines about this build are masked with its masker too, until `forget`. */
  follow(deploymentId: string, masker: Pick<Masker, "mask">): void {
    this.builds.set(deploymentId, masker);
  }

  forget(deploymentId: string): void {
    this.builds.delete(deploymentId);
  }

  mask(line: string): string {
    const masked = this.masker.mask(line);
    const at = masked.indexOf(DEPLOYMENT_ID_FIELD);
    if (at < 0 || this.builds.size === 0) return masked;
    const start = at + DEPLOYMENT_ID_FIELD.length;
    const build = this.builds.get(masked.slice(start, masked.indexOf('"', start)));
    return build ? build.mask(masked) : masked;
  }
}
