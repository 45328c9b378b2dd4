import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import { GITHUB_DELIVERY_RETENTION_MS } from "../domain/github-deliveries.js";

/** The most `GET /app/hook/deliveries` answers per page (its `per_page` parameter). */
const DELIVERIES_PER_PAGE = 100;
/** Redeliveries asked for in one sweep; the rest wait for the next one, so a long outage is replayed gradually. */
export const MAX_REDELIVERIES_PER_SWEEP = 100;
/** Attempts (the first delivery and its redeliveries) after which a delivery is left failed: the app rejects it for good. */
export const MAX_ATTEMPTS_PER_DELIVERY = 5;
/**
 * How far a sweep looks back before the start of the last complete one: GitHub's clock and ours
 * differ, and a delivery is listed only once its attempt ends (GitHub waits up to 10 s for an answer).
 */
export const SWEEP_OVERLAP_MS = 15 * 60_000;
/** How long a redelivery we asked for is awaited before it is asked for again, when GitHub lists no new attempt of it. */
export const REDELIVERY_PATIENCE_MS = 30 * 60_000;
/** Sweeps after the one at start-up: a delivery that failed while the app was up is replayed within this time. */
export const DEFAULT_SWEEP_INTERVAL_MS = 5 * 60_000;
/** Redeliveries remembered (for their attempt count); the oldest go first. */
const REMEMBERED_REDELIVERIES = 10_000;

/** One attempt to deliver a webhook, as `GET /app/hook/deliveries` lists it; attempts of one event share its `guid`. */
export interface DeliveryAttempt {
  id: number;
  /** The event's `X-GitHub-Delivery`: the id the intake store records. */
  guid: string;
  delivered_at: string;
  /** The app's HTTP answer; 0 when GitHub got none (could not connect, timed out). */
  status_code: number;
  event: string;
  action: string | null;
}

/** A webhook no attempt of which succeeded: what redelivering it means asking GitHub to repeat. */
export interface MissedDelivery {
  guid: string;
  /** The newest attempt: the one to redeliver. */
  attemptId: number;
  deliveredAt: string;
  event: string;
  action: string | null;
  /** Attempts listed so far. */
  attempts: number;
}

/** A redelivery this process asked for. */
export interface RequestedRedelivery {
  /** The attempt GitHub was asked to repeat. */
  attemptId: number;
  /** When (ms since the epoch). */
  at: number;
  /** Redeliveries of this delivery asked for so far. */
  count: number;
}

export interface MissedDeliveryFacts {
  /** Deliveries whose newest attempt is older (ms since the epoch) were dealt with by an earlier sweep. */
  since: number;
  now: number;
  requested: ReadonlyMap<string, RequestedRedelivery>;
}

/**
 * The failed deliveries worth redelivering, newest first: no attempt got a 2xx, the newest attempt is
 * inside the window, attempts are not used up, and no redelivery we asked for is still awaited (GitHub
 * has listed no attempt since). Whether the app has a record of them is for the caller to ask.
 */
export function missedDeliveries(attempts: readonly DeliveryAttempt[], { since, now, requested }: MissedDeliveryFacts): MissedDelivery[] {
  const missed: MissedDelivery[] = [];
  for (const [guid, tries] of attemptsByGuid(attempts)) {
    if (tries.some((a) => a.status_code >= 200 && a.status_code < 300)) continue;
    const newest = tries.reduce((a, b) => (isNewer(b, a) ? b : a));
    if (Date.parse(newest.delivered_at) < since) continue;
    const asked = requested.get(guid);
    if (Math.max(tries.length, 1 + (asked?.count ?? 0)) >= MAX_ATTEMPTS_PER_DELIVERY) continue;
    if (asked && asked.attemptId === newest.id && now - asked.at < REDELIVERY_PATIENCE_MS) continue;
    const { event, action, delivered_at: deliveredAt } = newest;
    missed.push({ guid, attemptId: newest.id, deliveredAt, event, action, attempts: tries.length });
  }
  return missed.sort((a, b) => Date.parse(b.deliveredAt) - Date.parse(a.deliveredAt) || b.attemptId - a.attemptId);
}

function attemptsByGuid(attempts: readonly DeliveryAttempt[]): Map<string, DeliveryAttempt[]> {
  const byGuid = new Map<string, DeliveryAttempt[]>();
  for (const attempt of attempts) {
    const tries = byGuid.get(attempt.guid);
    if (tries) tries.push(attempt);
    else byGuid.set(attempt.guid, [attempt]);
  }
  return byGuid;
}

function isNewer(a: DeliveryAttempt, b: DeliveryAttempt): boolean {
  const byTime = Date.parse(a.delivered_at) - Date.parse(b.delivered_at);
  return byTime > 0 || (byTime === 0 && a.id > b.id);
}

export interface SweepCounts {
  /** Delivery attempts listed. */
  listed: number;
  /** Failed deliveries worth redelivering, recorded by the app or not. */
  failed: number;
  /** Redeliveries GitHub accepted. */
  redelivered: number;
}

export interface MissedDeliveriesOptions {
  /** An Octokit authenticated as the app (a JWT: `app.auth()` without an installation). */
  octokit: () => Promise<ProbotOctokit>;
  /** Whether the app recorded a delivery id (the intake store's `has`). */
  known: (guid: string) => Promise<boolean>;
  log: Logger;
  now?: () => number;
}

/**
 * SPEC 8: GitHub never redelivers a failed webhook by itself, so the app lists its recent deliveries
 * and asks for failed ones it has no record of again, at start-up and periodically.
 */
export class MissedDeliveries {
  private readonly requested = new Map<string, RequestedRedelivery>();
  /** Start of the last sweep that listed its whole window and asked for every redelivery it chose. */
  private completedAt: number | undefined;
  private running: Promise<SweepCounts> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: MissedDeliveriesOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Sweeps now and every `intervalMs`; the timer does not keep the process alive. */
  start(intervalMs = DEFAULT_SWEEP_INTERVAL_MS): void {
    if (this.timer) return;
    this.stopped = false;
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  /** No further sweeps; resolves once a sweep under way has given up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep (joins the one under way, if any). Never rejects: failures are logged. */
  sweep(): Promise<SweepCounts> {
    this.running ??= this.sweepOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sweepOnce(): Promise<SweepCounts> {
    const startedAt = this.now();
    const since = Math.max(startedAt - GITHUB_DELIVERY_RETENTION_MS, (this.completedAt ?? -Infinity) - SWEEP_OVERLAP_MS);
    const counts: SweepCounts = { listed: 0, failed: 0, redelivered: 0 };
    try {
      const octokit = await this.options.octokit();
      const attempts = await this.list(octokit, since);
      counts.listed = attempts.length;
      this.forget(startedAt - GITHUB_DELIVERY_RETENTION_MS);
      const missed = missedDeliveries(attempts, { since, now: startedAt, requested: this.requested });
      counts.failed = missed.length;
      if ((await this.redeliver(octokit, missed, counts)) && !this.stopped) this.completedAt = startedAt;
    } catch (err) {
      this.options.log.error({ err }, "missed webhook deliveries: the sweep failed; the next one tries again");
    }
    const level = counts.failed > 0 ? "info" : "debug";
    this.options.log[level](
      { ...counts, since: new Date(since).toISOString() },
      `missed webhook deliveries: ${counts.listed} listed, ${counts.failed} failed, ${counts.redelivered} redelivered`,
    );
    return counts;
  }

  /** Attempts newest first, page by page, until a page reaches back past `since`. */
  private async list(octokit: ProbotOctokit, since: number): Promise<DeliveryAttempt[]> {
    const attempts: DeliveryAttempt[] = [];
    for await (const { data } of octokit.paginate.iterator(octokit.rest.apps.listWebhookDeliveries, { per_page: DELIVERIES_PER_PAGE })) {
      attempts.push(...data);
      const oldest = data.at(-1);
      if (!oldest || Date.parse(oldest.delivered_at) < since || this.stopped) break;
    }
    return attempts;
  }

  /** Asks for the ones the app has no record of, up to the cap; true when none was left out. */
  private async redeliver(octokit: ProbotOctokit, missed: MissedDelivery[], counts: SweepCounts): Promise<boolean> {
    let asked = 0;
    let complete = true;
    for (const delivery of missed) {
      if (this.stopped || asked >= MAX_REDELIVERIES_PER_SWEEP) return false;
      if (await this.options.known(delivery.guid)) continue;
      asked++;
      const { guid, attemptId, event, action } = delivery;
      try {
        await octokit.rest.apps.redeliverWebhookDelivery({ delivery_id: attemptId });
      } catch (err) {
        this.options.log.warn({ err, guid, attemptId, event, action }, "missed webhook deliveries: GitHub did not accept a redelivery");
        complete = false;
        continue;
      }
      counts.redelivered++;
      this.remember(guid, attemptId);
      this.options.log.info({ guid, attemptId, event, action, attempts: delivery.attempts }, "missed webhook deliveries: asked GitHub to redeliver");
    }
    return complete;
  }

  private remember(guid: string, attemptId: number): void {
    const count = (this.requested.get(guid)?.count ?? 0) + 1;
    this.requested.delete(guid);
    this.requested.set(guid, { attemptId, at: this.now(), count });
    if (this.requested.size > REMEMBERED_REDELIVERIES) this.requested.delete(this.requested.keys().next().value!);
  }

  /** Entries are kept in the order they were asked for, so the old ones are at the front. */
  private forget(before: number): void {
    for (const [guid, { at }] of this.requested) {
      if (at >= before) return;
      this.requested.delete(guid);
    }
  }
}
