import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { ALREADY_EXISTS, hasCode } from "../platform/grpcErrors";
import { queries, runQuery } from "../platform/queries";

const MAX_TRIES = 40;
/** How far past the highest taken slot a claimer spreads its tries at most, once it has lost a few. */
const MAX_SPREAD = 128;
const SLOT_RETENTION_MS = 60 * 60 * 1000;

/**
 * Per-endpoint rate limit without a hot document. Time is cut into slots of 1/rate seconds and a
 * delivery owns a slot by creating its document `{webhookId}_{slot}`: every slot document is
 * written once, so the limit holds across instances and no document takes more than one write.
 * A claimer tries just past the highest slot taken (one indexed read per try); after losing a race
 * it reads the frontier again and spreads over a window that doubles up to MAX_SPREAD, so that a
 * burst of many concurrent claimers settles in a few tries each instead of one slot per round.
 * Returns the start of the slot in ms since the epoch, or undefined when no slot was won in
 * MAX_TRIES (the caller hands the delivery on and claims again later; nothing is dropped).
 */
export async function claimRateSlot(teamId: string, webhookId: string, perSecond: number, deliveryId: string): Promise<number | undefined> {
  const interval = 1000 / perSecond;
  const col = db().collection(paths.rateSlots(teamId));
  const frontier = async () => {
    const q = await runQuery(queries.highestRateSlot(teamId, webhookId));
    // Only a slot that has not begun yet: a send then waits for its slot's start rather than going
    // out late and bunching up with the slot after it.
    return Math.max(Math.ceil(Date.now() / interval), q.empty ? 0 : (q.docs[0].get("slot") as number) + 1);
  };
  for (let tries = 1; tries <= MAX_TRIES; tries++) {
    const spread = Math.min(MAX_SPREAD, 2 ** (tries - 1));
    const candidate = (await frontier()) + Math.floor(Math.random() * spread);
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
  }
  return undefined;
}
