import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dashboardUrl, endpointMaxInFlight, endpointMaxInFlightCeiling } from "../../src/platform/params";

/** The production values (functions/.env), beside the test project's, which sets some of them otherwise. */
const production = Object.fromEntries(
  readFileSync(join(__dirname, "../../.env"), "utf8")
    .split("\n")
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
);
const defaultOf = (p: unknown) => (p as { options?: { default?: unknown } }).options?.default;

describe("production parameters", () => {
  it("ship no dashboard address: a deploy asks for it, so no mailed link points at localhost", () => {
    expect(production.WEBHOOK_DASHBOARD_URL).toBeUndefined();
    expect(defaultOf(dashboardUrl)).toBeUndefined();
  });

  it("let a healthy slow endpoint's in-flight limit grow from 10 up to 100 (the test project's base is 3)", () => {
    expect(production.WEBHOOK_ENDPOINT_MAX_IN_FLIGHT).toBe("10");
    expect(production.WEBHOOK_ENDPOINT_MAX_IN_FLIGHT_CEILING).toBe("100");
    expect(defaultOf(endpointMaxInFlight)).toBe(10);
    expect(defaultOf(endpointMaxInFlightCeiling)).toBe(100);
  });
});
