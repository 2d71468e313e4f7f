import { App, getApp, getApps, initializeApp } from "firebase-admin/app";
import { Firestore, getFirestore } from "firebase-admin/firestore";

let firestore: Firestore | undefined;

/** The default admin app. firebase-functions creates a named app of its own, so getApps() alone says nothing. */
export function adminApp(): App {
  return getApps().some((a) => a.name === "[DEFAULT]") ? getApp() : initializeApp();
}

export function db(): Firestore {
  if (!firestore) {
    firestore = getFirestore(adminApp());
    firestore.settings({ ignoreUndefinedProperties: true });
  }
  return firestore;
}
