import { FieldValue, Timestamp } from "firebase-admin/firestore";
import { z } from "zod";
import { DELIVERY_STATUSES, ERROR_CLASSES } from "../api/vocabulary";

export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;
import { finalFields } from "./core";
export { OPEN_STATUSES, RETENTION_DAYS } from "./core";

export const errorClassSchema = z.enum(ERROR_CLASSES);
export type ErrorClass = z.infer<typeof errorClassSchema>;

export const attemptSchema = z.object({
  attempt: z.number().int(),
  at: z.instanceof(Timestamp),
  statusCode: z.number().int().nullable(),
  durationMs: z.number(),
  errorClass: errorClassSchema.nullable(),
  errorMessage: z.string().nullable(),
  responseExcerpt: z.string().nullable(),
  /** The delivery shard (task queue) that ran the attempt. */
  shard: z.number().int().optional(),
  /** How many times the queue had already dispatched this attempt's task: >0 means an earlier try may have sent it. */
  queueRetries: z.number().int().optional(),
  /** The attempt was the probe of the endpoint's open circuit. */
  probe: z.boolean().optional(),
  /** Sent from what the fan-out carried in the task, without reading the record or the endpoint first (delivery/fromTask.ts). */
  carried: z.boolean().optional(),
  /** Credentials were hidden from `responseExcerpt`; the answer as received is in webhookExcerpts/{excerptKey} (admins, through the API). */
  excerptHidden: z.boolean().optional(),
  /** The headers sent (custom header values hidden) and a few of the response's. */
  requestHeaders: z.record(z.string(), z.string()).optional(),
  responseHeaders: z.record(z.string(), z.string()).optional(),
});
export type Attempt = z.infer<typeof attemptSchema>;

/** Where an attempt's answer as received is kept when members see it with credentials hidden (attempt numbers never repeat in a record). */
export const excerptKey = (deliveryId: string, attempt: number) => `${deliveryId}_${attempt}`;

export const deliverySchema = z.object({
  webhookId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: deliveryStatusSchema,
  attempts: z.number().int(),
  attemptLog: z.array(attemptSchema),
  /** Attempts left out of the capped log between its first and its latest ones (core.appendCapped). */
  attemptsOmitted: z.number().int().optional(),
  nextAttemptAt: z.instanceof(Timestamp).nullable(),
  createdAt: z.instanceof(Timestamp),
  completedAt: z.instanceof(Timestamp).nullable(),
  payload: z.string(),
  /** The TTL: 30 days after the delivery became final; null while it is open, so an open delivery is never removed. */
  expireAt: z.instanceof(Timestamp).nullable(),
  /** Set by a manual redelivery: when the record was reopened. */
  reopenedAt: z.instanceof(Timestamp).optional(),
  /** The last attempt's figures, kept on the record for the stats' aggregation queries. */
  lastStatusCode: z.number().int().nullable().optional(),
  lastErrorClass: errorClassSchema.nullable().optional(),
  lastDurationMs: z.number().optional(),
  /** Set by a manual redelivery: the attempt after which the delivery stops, whatever maxAttempts says. */
  lastAttempt: z.number().int().optional(),
  /**
   * Bumped whenever the open attempt is queued anew (a manual redelivery, the reconciler reviving a
   * lost task): a task of an older generation finds it different and does nothing.
   */
  generation: z.number().int().default(0),
  /** Waiting for one of its endpoint's in-flight leases, with no task (see delivery/inflight.ts). */
  parked: z.boolean().optional(),
  /** Why an attempt that was sent could not be recorded, ending the delivery (see deliver.ts endUnrecordable). */
  recordError: z.string().optional(),
  /** False from recording an attempt that must disable the endpoint or count a failure until that is done. */
  effectApplied: z.boolean().optional(),
});
export type Delivery = z.infer<typeof deliverySchema>;

/** A Firestore timestamp as [seconds, nanoseconds]: exact, as a precondition needs. */
const time = z.tuple([z.number().int(), z.number().int()]);

/** What a first task carries from the fan-out (see delivery/fromTask.ts): never the URL or a header value. */
export const carrySchema = z.object({
  /** When the fan-out read the endpoint (ms since epoch, Firestore's clock). */
  readAt: z.number(),
  endpoint: z.object({
    timeoutMs: z.number().int(),
    maxAttempts: z.number().int(),
    secretVersion: z.number().int().optional(),
    inFlightLimit: z.number().optional(),
    circuitOpenings: z.number().int(),
    created: time,
    updated: time,
  }),
  record: z.object({ written: time, createdAt: z.number(), eventId: z.string(), eventType: z.string(), payload: z.string() }),
});
export type Carry = z.infer<typeof carrySchema>;

/**
 * The body of a delivery task. A task that came too early is handed on as a continuation with a
 * `hop` count; `slotAt` marks one that already holds its rate-limit slot (ms since epoch).
 */
export const deliveryTaskSchema = z.object({
  teamId: z.string(),
  deliveryId: z.string(),
  attempt: z.number().int().min(1),
  /** Lets the handler read the endpoint together with the delivery; a task without it reads them one after the other. */
  webhookId: z.string().optional(),
  slotAt: z.number().optional(),
  hop: z.number().int().optional(),
  /** The time the task was queued for (ms since epoch): a dispatch before it came early. */
  dueAt: z.number().optional(),
  generation: z.number().int().optional(),
  /** The in-flight lease a releasing attempt handed to this woken delivery (see delivery/inflight.ts wakeParked). */
  lease: z.object({ k: z.number().int().min(0), until: z.number() }).optional(),
  /** What a first task carries from the fan-out, so that its attempt reads nothing before sending (delivery/fromTask.ts). */
  carry: carrySchema.optional(),
});
export type DeliveryTask = z.infer<typeof deliveryTaskSchema>;

/**
 * The task that ends an open circuit's cool-down (see delivery/circuit.ts): it wakes one delivery
 * parked behind the circuit, which goes as the probe. Queued on the endpoint's shard for `wakeAt`.
 */
export const circuitWakeSchema = z.object({
  teamId: z.string(),
  webhookId: z.string(),
  wakeAt: z.number(),
  hop: z.number().int().optional(),
  dueAt: z.number().optional(),
});
export type CircuitWake = z.infer<typeof circuitWakeSchema>;

/**
 * The fields that close a record with a final status, as stored (see core.finalFields). A final
 * record waits for no lease: were it left `parked`, it would sit first among the wake-up candidates.
 */
export function closedFields(status: DeliveryStatus, atMs: number) {
  const f = finalFields(status, atMs);
  return {
    status,
    nextAttemptAt: null,
    completedAt: Timestamp.fromMillis(f.completedAtMs),
    expireAt: Timestamp.fromMillis(f.expireAtMs),
    parked: FieldValue.delete(),
  };
}
