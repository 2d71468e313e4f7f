import { Timestamp } from "firebase-admin/firestore";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { ALREADY_EXISTS, hasCode } from "../platform/grpcErrors";

const MAX_TRIES = 40;
const SLOT_RETENTION_MS = 60 * 60 * 1000;

/**
 * Per-endpoint rate limit without a hot document. Time is cut into slots of 1/rate seconds and a
 * delivery owns a slot by creating its document `{webhookId}_{slot}`: every slot document is
 * written once, so the limit holds across instances and no document takes more than one write.
 * The search starts after the highest slot taken (one indexed read) and probes forward on
 * collisions. Returns the start of the slot, in ms since the epoch.
 */
export async function claimRateSlot(teamId: string, webhookId: string, perSecond: number, deliveryId: string): Promise<number> {
  const interval = 1000 / perSecond;
  const col = db().collection(paths.rateSlots(teamId));
  const highest = async () => {
    const q = await col.where("webhookId", "==", webhookId).orderBy("slot", "desc").limit(1).get();
    return q.empty ? -1 : (q.docs[0].get("slot") as number);
  };
  // Only a slot that has not begun yet: a send then waits for its slot's start rather than going
  // out late and bunching up with the slot after it. Collisions take time, so "now" is re-read.
  const notStarted = () => Math.ceil(Date.now() / interval);
  let candidate = Math.max(notStarted(), (await highest()) + 1);
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
      // Many claimers race for the same slots under a burst: look again at the frontier now and then.
      const next = tries % 4 === 0 ? (await highest()) + 1 : candidate + 1 + Math.floor(Math.random() * 2);
      candidate = Math.max(next, candidate + 1, notStarted());
    }
  }
  throw new Error(`no rate-limit slot found for endpoint ${webhookId} after ${MAX_TRIES} tries`);
}
