import { describe, expect, it } from "vitest";
import { describeFailure, toApiFailure } from "../src/api/errors";

const invalid = (message: string) => ({ code: "functions/invalid-argument", message });

describe("API failures sorted into form fields", () => {
  it("takes every field of a zod message, and a reason that starts with the field's name", () => {
    const f = toApiFailure(invalid("maxAttempts: must be at most 20; url is not a valid URL; events: must name at least one event type"));
    expect(f.fields).toEqual({
      maxAttempts: "must be at most 20",
      url: "url is not a valid URL",
      events: "must name at least one event type",
    });
  });

  it("drops the HTTP status the JS SDK appends to the message", () => {
    expect(toApiFailure(invalid("url is not a valid URL [400]")).fields.url).toBe("url is not a valid URL");
  });

  it("puts a custom header's message on its row, whatever characters its name has", () => {
    const f = toApiFailure(
      invalid("headers.Bad Header: 'Bad Header' is not a valid header name; headers.X-Ok: header values must be printable ASCII"),
      ["Bad Header", "X-Ok"],
    );
    expect(f.headers).toEqual({ "Bad Header": "'Bad Header' is not a valid header name", "X-Ok": "header values must be printable ASCII" });
    expect(f.fields.headers).toContain("Bad Header: 'Bad Header' is not a valid header name");
  });

  it("leaves other failures whole, and says plainly when the service did not answer", () => {
    const f = toApiFailure({ code: "functions/permission-denied", message: "admins only" });
    expect(f).toMatchObject({ code: "permission-denied", fields: {} });
    expect(describeFailure({ code: "functions/unavailable", message: "fetch failed" })).toMatch(/did not answer/);
    expect(toApiFailure(invalid("urlx: nope")).fields).toEqual({});
  });
});
