import { z } from "zod";

/**
 * A Firestore document id: what Firestore refuses (a '/', '.', '..', `__name__`-style ids, more
 * than 1,500 bytes) is refused here, where the id enters, with a reason, instead of failing later.
 */
export const docIdSchema = z
  .string({ error: "must be a string" })
  .min(1, "must not be empty")
  .refine((s) => Buffer.byteLength(s) <= 1500, "must be at most 1500 bytes")
  .refine((s) => !s.includes("/"), "must be a document id (no '/')")
  .refine((s) => s !== "." && s !== "..", "must be a document id (not '.' or '..')")
  .refine((s) => !/^__.*__$/.test(s), "must be a document id (not '__...__')");
