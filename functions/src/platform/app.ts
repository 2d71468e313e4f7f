import { App, getApp, getApps, initializeApp } from "firebase-admin/app";
import { Firestore, getFirestore } from "firebase-admin/firestore";
import { tasksServiceAccount } from "./params";

let firestore: Firestore | undefined;

/**
 * The default admin app. firebase-functions creates a named app of its own, so getApps() alone
 * says nothing. Without a service account id, enqueueing a task asks the metadata server for the
 * default account, which exists only on Google Cloud.
 */
export function adminApp(): App {
  if (getApps().some((a) => a.name === "[DEFAULT]")) return getApp();
  const serviceAccountId = tasksServiceAccount.value();
  return initializeApp(serviceAccountId ? { serviceAccountId } : undefined);
}

export function db(): Firestore {
  if (!firestore) {
    firestore = getFirestore(adminApp());
    firestore.settings({ ignoreUndefinedProperties: true });
  }
  return firestore;
}
