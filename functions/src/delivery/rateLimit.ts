import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { ALREADY_EXISTS, hasCode } from "../platform/grpcErrors";
import { queries, runQuery } from "../platform/queries";

const MAX_TRIES = 40;
/** The largest jump past a lost slot: small enough that the slots skipped are soon taken by others. */
const MAX_JUMP = 32;
const SLOT_RETENTION_MS = 60 * 60 * 1000;

/**
 * Per-endpoint rate limit without a hot document. Time is cut into slots of 1/rate seconds and a
 * delivery owns a slot by creating its document `{webhookId}_{slot}`: every slot document is
 * written once, so the limit holds across instances and no document takes more than one write.
 * A claimer starts just past the highest slot taken (one indexed read). Each time it loses a race
 * it moves on past the slot it lost by a random jump that doubles up to MAX_JUMP, so that many
 * concurrent claimers spread out in a few tries instead of queueing one slot per round, while the
 * slots they skip are soon taken by the others. Returns the start of the slot in ms since the
 * epoch, or undefined when no slot was won in MAX_TRIES (the caller hands the delivery on and
 * claims again a moment later; nothing is dropped).
 */
export async function claimRateSlot(teamId: string, webhookId: string, perSecond: number, deliveryId: string): Promise<number | undefined> {
  const interval = 1000 / perSecond;
  const col = db().collection(paths.rateSlots(teamId));
  // Only a slot that has not begun yet: a send then waits for its slot's start rather than going
  // out late and bunching up with the slot after it.
  const notStarted = () => Math.ceil(Date.now() / interval);
  const highest = await runQuery(queries.highestRateSlot(teamId, webhookId));
  let candidate = Math.max(notStarted(), highest.empty ? 0 : (highest.docs[0].get("slot") as number) + 1);
  for (let tries = 1; tries <= MAX_TRIES; tries++) {
    try {
      await col.doc(`${webhookId}_${candidate}`).create({
        webhookId,
        slot: candidate,
        deliveryId,
        expireAt: Timestamp.fromMillis(candidate * interval + SLOT_RETENTION_MS),
      });
      return Math.ceil(candidate * interval);
    } catch (err) {
      if (!hasCode(err, ALREADY_EXISTS)) throw err;
    }
    candidate = Math.max(notStarted(), candidate + 1 + Math.floor(Math.random() * Math.min(MAX_JUMP, 2 ** tries)));
  }
  return undefined;
}
