/**
 * Converts Firestore values to plain JSON: timestamps to ISO 8601, references to their path,
 * bytes to base64, geo points to {latitude, longitude}. Duck-typed so that it needs no Firebase import.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export function toJson(value: unknown): Json {
  if (value === null || value === undefined) return null;
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (typeof v.toDate === "function" && typeof v.seconds === "number") return (v.toDate as () => Date)().toISOString();
    if (typeof v.path === "string" && typeof v.id === "string" && "firestore" in v) return v.path;
    if (typeof v.toBase64 === "function" && typeof v.toUint8Array === "function") return (v.toBase64 as () => string)();
    if (typeof v.latitude === "number" && typeof v.longitude === "number" && typeof v.isEqual === "function") {
      return { latitude: v.latitude, longitude: v.longitude };
    }
    const out: Record<string, Json> = {};
    for (const key of Object.keys(v).sort()) out[key] = toJson(v[key]);
    return out;
  }
  return null;
}

export function jsonEqual(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The old values of the top-level fields that differ between two documents (absent fields as null). */
export function changedFields(before: Record<string, Json>, after: Record<string, Json>): Record<string, Json> {
  const previous: Record<string, Json> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!jsonEqual(before[key], after[key])) previous[key] = before[key] ?? null;
  }
  return previous;
}
