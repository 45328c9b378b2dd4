/** A quota counted over a rolling window, as AWS and GitHub count theirs: at most `limit` per `windowMs`. */
export class RollingLimit {
  private readonly admitted: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** True, and counted, when one more request at `now` stays within the quota. */
  admit(now: number): boolean {
    while (this.admitted.length > 0 && this.admitted[0]! <= now - this.windowMs) this.admitted.shift();
    if (this.admitted.length >= this.limit) return false;
    this.admitted.push(now);
    return true;
  }
}
