import { createHash } from "node:crypto";

/**
 * Delivery runs on several task queues, one per `deliverWebhook<n>` function (firebase-tools makes
 * one queue per onTaskDispatched function): the production ceiling is shards x 500 dispatches a
 * second, and a backed-up shard holds back only the endpoints hashed to it. The number decides
 * which functions exist, so it is read when the code loads, from `functions/.env` or
 * `.env.<project>` as firebase-tools loads them for both deploy and run, not from a runtime param.
 */
export const DELIVERY_SHARDS = Math.max(1, Math.floor(Number(process.env.WEBHOOK_DELIVERY_SHARDS ?? 10)) || 1);

export const deliveryFunctionName = (shard: number): string => `deliverWebhook${shard}`;

/** The shard of an endpoint: every attempt, retry and continuation of its deliveries stays there. */
export function shardOf(webhookId: string | undefined, shards = DELIVERY_SHARDS): number {
  if (!webhookId) return 0;
  return createHash("sha256").update(webhookId).digest().readUInt32BE(0) % shards;
}
