import { Timestamp } from "firebase-admin/firestore";
import { SecretCache } from "../../src/endpoints/secretCache";
import type { SecretDoc } from "../../src/endpoints/secrets";

const secret = (version: number): SecretDoc => ({ current: `whsec_v${version}`, version, previous: null, previousExpiresAt: null });
const created = new Timestamp(1_700_000_000, 5);
const endpoint = (secretVersion: number | undefined, createTime = created) => ({ teamId: "t", webhookId: "w", createTime, secretVersion });

describe("the secret cache", () => {
  it("serves the secret of the version the endpoint names", () => {
    const cache = new SecretCache(60_000);
    cache.set(endpoint(1), secret(1), 0);
    expect(cache.get(endpoint(1), 1_000)?.current).toBe("whsec_v1");
  });

  it("misses after a rotation, so the new secret is read", () => {
    const cache = new SecretCache(60_000);
    cache.set(endpoint(1), secret(1), 0);
    expect(cache.get(endpoint(2), 1_000)).toBeUndefined();
  });

  it("misses for an endpoint deleted and created again under the same id", () => {
    const cache = new SecretCache(60_000);
    cache.set(endpoint(1), secret(1), 0);
    expect(cache.get(endpoint(1, new Timestamp(1_700_000_100, 0)), 1_000)).toBeUndefined();
  });

  it("misses when the endpoint names no version, and after the TTL", () => {
    const cache = new SecretCache(60_000);
    cache.set(endpoint(1), secret(1), 0);
    expect(cache.get(endpoint(undefined), 1_000)).toBeUndefined();
    expect(cache.get(endpoint(1), 60_000)).toBeUndefined();
  });

  it("holds at most its size, dropping the oldest entry", () => {
    const cache = new SecretCache(60_000, 2);
    const other = (id: string) => ({ ...endpoint(1), webhookId: id });
    cache.set(other("a"), secret(1), 0);
    cache.set(other("b"), secret(1), 0);
    cache.set(other("c"), secret(1), 0);
    expect(cache.get(other("a"), 1)).toBeUndefined();
    expect(cache.get(other("b"), 1)).toBeDefined();
    expect(cache.get(other("c"), 1)).toBeDefined();
    // The dropped endpoint's secret is read with the delivery again.
    expect(cache.mayHold(endpoint(1).teamId, "a", 1)).toBe(false);
  });

  it("says when the handler should read an endpoint's secret in the same round trip as the delivery", () => {
    const cache = new SecretCache(60_000);
    const e = endpoint(1);
    expect(cache.mayHold(e.teamId, e.webhookId, 0)).toBe(false);
    cache.set(e, secret(1), 0);
    expect(cache.mayHold(e.teamId, e.webhookId, 59_999)).toBe(true);
    expect(cache.mayHold(e.teamId, "other", 1)).toBe(false);
    expect(cache.mayHold(e.teamId, e.webhookId, 60_000)).toBe(false);
  });
});
