// The helpdesk's own function: every new ticket gets a number, kept in a counter of the team.
const { initializeApp } = require("firebase-admin/app");
const { FieldValue, getFirestore } = require("firebase-admin/firestore");
const { onDocumentCreated } = require("firebase-functions/v2/firestore");

initializeApp();

exports.numberTicket = onDocumentCreated("teams/{teamId}/tickets/{ticketId}", async (event) => {
  const db = getFirestore();
  const counter = db.doc(`teams/${event.params.teamId}/counters/tickets`);
  await db.runTransaction(async (tx) => {
    const next = ((await tx.get(counter)).get("last") ?? 0) + 1;
    tx.set(counter, { last: next });
    tx.set(db.doc(`teams/${event.params.teamId}/ticketNumbers/${event.params.ticketId}`), { number: next, at: FieldValue.serverTimestamp() });
  });
});
