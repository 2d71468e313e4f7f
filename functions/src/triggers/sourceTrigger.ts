import { DocumentSnapshot } from "firebase-admin/firestore";
import { onDocumentWritten } from "firebase-functions/v2/firestore";
import { buildEnvelope } from "../events/envelope";
import { Detector, Doc } from "../events/detect/types";
import { toJson } from "../events/json";
import { publishEvent } from "../events/publish";
import { logs } from "../platform/logs";

type Params = Record<string, string>;

/** `data` carries the document id, and the parent's id for a subcollection (`ticketId` of a comment). */
function asDoc(snap: DocumentSnapshot | undefined, params: Params, idParam: string, parentParam?: string): Doc | undefined {
  if (!snap?.exists) return undefined;
  const doc = toJson(snap.data()) as Doc;
  return {
    ...(parentParam ? { [parentParam]: params[parentParam] } : {}),
    ...doc,
    id: params[idParam],
  };
}

/** A thin Firestore trigger: detect events in the change and publish one envelope each. */
export function sourceTrigger(path: string, detect: Detector, idParam: string, parentParam?: string) {
  return onDocumentWritten({ document: path, retry: true, timeoutSeconds: 60 }, async (event) => {
    const params = event.params as Params;
    const before = asDoc(event.data?.before, params, idParam, parentParam);
    const after = asDoc(event.data?.after, params, idParam, parentParam);
    const detected = detect(before, after);
    if (detected.length === 0) return;
    const envelopes = detected.map((d) => buildEnvelope({ sourceEventId: event.id, teamId: params.teamId, time: event.time, event: d }));
    await Promise.all(envelopes.map(publishEvent));
    logs.eventsPublished(
      params.teamId,
      path,
      envelopes.map((e) => ({ id: e.id, type: e.event })),
    );
  });
}
