import { Timestamp, GeoPoint, getFirestore } from "firebase-admin/firestore";
import { initializeApp } from "firebase-admin/app";
import { changedFields, toJson } from "../../src/events/json";

describe("Firestore values to JSON", () => {
  it("converts timestamps, references, bytes, geo points, nested maps and arrays", () => {
    const db = getFirestore(initializeApp({ projectId: "demo-unit" }, "json-test"));
    const value = {
      at: Timestamp.fromMillis(Date.UTC(2026, 10, 28, 12, 0, 0, 5)),
      when: new Date(Date.UTC(2026, 0, 1)),
      ref: db.doc("teams/t1/contacts/k1"),
      bytes: Buffer.from([0, 1, 2, 250]),
      place: new GeoPoint(52.5, 13.4),
      nested: { list: [1, "two", null, { deep: Timestamp.fromMillis(0) }] },
      missing: undefined,
      nan: Number.NaN,
    };
    expect(toJson(value)).toEqual({
      at: "2026-11-28T12:00:00.005Z",
      when: "2026-01-01T00:00:00.000Z",
      ref: "teams/t1/contacts/k1",
      bytes: "AAEC+g==",
      place: { latitude: 52.5, longitude: 13.4 },
      nested: { list: [1, "two", null, { deep: "1970-01-01T00:00:00.000Z" }] },
      missing: null,
      nan: null,
    });
  });

  it("orders keys so that equal documents give equal JSON", () => {
    expect(JSON.stringify(toJson({ b: 1, a: { d: 1, c: 2 } }))).toBe('{"a":{"c":2,"d":1},"b":1}');
  });

  it("lists the old values of changed, added and removed fields only", () => {
    expect(changedFields({ a: 1, b: { x: 1 }, c: "same" }, { a: 2, b: { x: 1 }, c: "same", d: true })).toEqual({ a: 1, d: null });
    expect(changedFields({ a: [1, 2] }, { a: [2, 1] })).toEqual({ a: [1, 2] });
    expect(changedFields({ a: 1 }, { a: 1 })).toEqual({});
  });
});
