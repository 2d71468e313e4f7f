import type { Timestamp } from "firebase-admin/firestore";
import { SecretDoc } from "./secrets";

/**
 * Secrets an instance has read, so that a delivery costs no secret read once the instance has
 * seen the endpoint. An entry serves only the endpoint document it was read for (same create
 * time, so a deleted and recreated endpoint misses) at the secret version that document names
 * (rotation bumps it, so a rotated secret misses). The TTL bounds a secret edited by hand.
 */
export const SECRET_CACHE_TTL_MS = 5 * 60_000;
const MAX_ENTRIES = 5_000;

interface Entry {
  doc: SecretDoc;
  expiresAtMs: number;
}

export interface EndpointRevision {
  teamId: string;
  webhookId: string;
  createTime: Timestamp;
  secretVersion: number | undefined;
}

export class SecretCache {
  private readonly entries = new Map<string, Entry>();
  /** Until when an entry of each endpoint (any revision) lives: whether reading the secret with the endpoint is worth it. */
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs = SECRET_CACHE_TTL_MS,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  private key(e: EndpointRevision): string {
    return `${e.teamId}/${e.webhookId}@${e.createTime.seconds}.${e.createTime.nanoseconds}`;
  }

  get(e: EndpointRevision, nowMs: number): SecretDoc | undefined {
    const entry = this.entries.get(this.key(e));
    if (!entry || e.secretVersion === undefined || entry.doc.version !== e.secretVersion || entry.expiresAtMs <= nowMs) return undefined;
    return entry.doc;
  }

  /**
   * Whether this instance may hold the endpoint's secret (it read one within the TTL): when it does
   * not, the handler reads the secret in the same round trip as the delivery and the endpoint.
   */
  mayHold(teamId: string, webhookId: string, nowMs: number): boolean {
    return (this.seen.get(`${teamId}/${webhookId}`) ?? 0) > nowMs;
  }

  set(e: EndpointRevision, doc: SecretDoc, nowMs: number): void {
    const key = this.key(e);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value!;
      this.entries.delete(oldest);
      this.seen.delete(oldest.slice(0, oldest.lastIndexOf("@")));
    }
    this.entries.set(key, { doc, expiresAtMs: nowMs + this.ttlMs });
    this.seen.set(`${e.teamId}/${e.webhookId}`, nowMs + this.ttlMs);
  }
}
