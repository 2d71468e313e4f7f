import dns from "node:dns";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";
import { privateTargetsAllowed } from "../platform/params";

/** What a resolver gives back: every address of the host. Injected in tests. */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => dns.promises.lookup(host, { all: true, verbatim: true });

const LABELS: Record<string, string> = {
  private: "private",
  loopback: "loopback",
  linkLocal: "link-local",
  uniqueLocal: "private (unique local)",
  carrierGradeNat: "carrier-grade NAT",
  multicast: "multicast",
  broadcast: "broadcast",
  unspecified: "unspecified",
  reserved: "reserved",
};

/** IPv6 global unicast (RFC 4291): nothing outside it is a public address, whatever a library calls it. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/** Why an address may not be a webhook target, or undefined for a public unicast address. */
export function blockedRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return "invalid";
  // The URL parser's canonical form is what a socket connects to; ipaddr.js alone would read
  // ::8.8.8.8 (IPv4-compatible, ::808:808) as the mapped ::ffff:8.8.8.8.
  let ip = ipaddr.parse(address.includes(":") ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address);
  // ::ffff:10.0.0.1 is 10.0.0.1.
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range !== "unicast") return LABELS[range] ?? range;
  // ::/96 (deprecated IPv4-compatible, ::7f00:1 is 127.0.0.1) and other non-global space is "unicast" to ipaddr.js.
  if (ip.kind() === "ipv6" && !ip.match(GLOBAL_UNICAST_V6)) return "non-global IPv6";
  return undefined;
}

export class BlockedAddressError extends Error {
  readonly code = "ERR_BLOCKED_ADDRESS";
}

function bareHost(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}

/**
 * Resolves the host and refuses it when any of its addresses is not public; returns the address
 * to connect to. A literal IP is checked as it is.
 */
export async function resolveTarget(host: string, resolver: Resolver): Promise<{ address: string; family: number }> {
  const h = bareHost(host);
  const addresses = ipaddr.isValid(h) ? [{ address: h, family: h.includes(":") ? 6 : 4 }] : await resolver(h);
  if (addresses.length === 0) throw Object.assign(new Error(`${h} does not resolve`), { code: "ENOTFOUND" });
  // Sorted, so that the same answers in another order give the same reason.
  for (const a of [...addresses].sort((x, y) => x.address.localeCompare(y.address))) {
    const range = blockedRange(a.address);
    if (range)
      throw new BlockedAddressError(ipaddr.isValid(h) ? `${h} is a ${range} address` : `${h} resolves to ${range} address ${a.address}`);
  }
  return addresses[0];
}

/**
 * A `lookup` for http.request that checks what it resolves and hands the checked address to the
 * socket, so that a DNS answer that changes between check and connect cannot slip through.
 */
export function guardedLookup(resolver: Resolver = systemResolver): LookupFunction {
  return (
    host: string,
    options: dns.LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ) => {
    resolveTarget(host, resolver).then(
      (a) => (options?.all ? callback(null, [a]) : callback(null, a.address, a.family)),
      (err: NodeJS.ErrnoException) => callback(err, "", 0),
    );
  };
}

/** The endpoint-validation form: a reason a person can act on, or undefined. DNS failures pass (checked again at send). */
export async function targetProblem(url: string, resolver: Resolver = systemResolver): Promise<string | undefined> {
  try {
    await resolveTarget(new URL(url).hostname, resolver);
    return undefined;
  } catch (err) {
    return err instanceof BlockedAddressError ? `url ${err.message}` : undefined;
  }
}

/** Where an endpoint URL resolves, checked unless private targets are allowed (the emulators). */
export async function checkTarget(url: unknown, resolver: Resolver = systemResolver): Promise<string | undefined> {
  if (privateTargetsAllowed() || typeof url !== "string") return undefined;
  try {
    return await targetProblem(url, resolver);
  } catch {
    return undefined;
  }
}

/** A reason `targetProblem` gives: it depends on DNS answers, which may change from one lookup to the next. */
export const isTargetReason = (reason: unknown): boolean => typeof reason === "string" && /^url \S+ (resolves to|is a) /.test(reason);
