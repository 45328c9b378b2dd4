import type { IncomingMessage } from "node:http";
import { AwsJsonProxy, type ProxiedRequest } from "./aws-proxy.js";

const WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"]);
/**
 * Writes whose only purpose is to say who works on what: heartbeat items, and a build's watcher
 * (`watchedBy`; an event's holder is written with its processing's own writes).
 */
const OWNERSHIP_WRITE = /"UpdateExpression":"[^"]*\bwatchedBy\b|"pk":\{"S":"REPLICA#/;

/** A write to the table, as it went through. */
export interface TableWrite {
  at: number;
  action: string;
  ownership: boolean;
}

/** A proxy in front of DynamoDB (dynalite) recording every write the app makes, and which of them only say who watches what. */
export class TableWrites extends AwsJsonProxy {
  readonly writes: TableWrite[] = [];

  /** Writes per second between `from` and `to`: all of them, and those that only say who watches what. */
  perSecond(from: number, to: number): { all: number; ownership: number } {
    const within = this.writes.filter((w) => w.at >= from && w.at < to);
    const seconds = (to - from) / 1000;
    return { all: within.length / seconds, ownership: within.filter((w) => w.ownership).length / seconds };
  }

  protected async answer(req: IncomingMessage, { action, body }: ProxiedRequest): Promise<{ status: number; body: string }> {
    const answer = await this.forward(req, body);
    if (WRITES.has(action)) this.writes.push({ at: Date.now(), action, ownership: OWNERSHIP_WRITE.test(body) });
    return answer;
  }
}
