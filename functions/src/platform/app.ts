import { App, getApp, getApps, initializeApp } from "firebase-admin/app";
import { Firestore, getFirestore } from "firebase-admin/firestore";
import { runningOnEmulator, tasksServiceAccount } from "./params";

/** Any id does on the emulators: the Cloud Tasks emulator checks no token, and there is no metadata server to ask. */
const EMULATED_SERVICE_ACCOUNT = "emulated-service-acct@email.com";

let firestore: Firestore | undefined;

/**
 * The default admin app. firebase-functions creates a named app of its own, so getApps() alone
 * says nothing. Without a service account id, enqueueing a task asks the metadata server for the
 * default account, which exists only on Google Cloud.
 */
export function adminApp(): App {
  if (getApps().some((a) => a.name === "[DEFAULT]")) return getApp();
  const serviceAccountId = tasksServiceAccount.value() || (runningOnEmulator() ? EMULATED_SERVICE_ACCOUNT : "");
  return initializeApp(serviceAccountId ? { serviceAccountId } : undefined);
}

export function db(): Firestore {
  if (!firestore) {
    firestore = getFirestore(adminApp());
    firestore.settings({ ignoreUndefinedProperties: true });
  }
  return firestore;
}
