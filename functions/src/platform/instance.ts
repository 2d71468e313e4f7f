/**
 * The function kit instance this code runs as. firebase-tools sets FIREBASE_KIT_INSTANCE_ID for each
 * instance of a kit, on deploy and in the emulator, and deploys the instance's exports as
 * `kit-<instance>-<export>` (so its task queues carry that name too). Unset when the backend is
 * deployed as a codebase of its own, as this repository does: names are then the exports' own.
 */
export const KIT_INSTANCE_ID = process.env.FIREBASE_KIT_INSTANCE_ID ?? "";

/** The deployed id of an exported function, which is also the name of its task queue. */
export const deployedName = (exported: string, instance = KIT_INSTANCE_ID): string => (instance ? `kit-${instance}-${exported}` : exported);

/** A Pub/Sub topic of this instance: a second instance in the project publishes and listens on topics of its own. */
export const topicOf = (base: string, instance = KIT_INSTANCE_ID): string => (instance ? `${base}-${instance}` : base);
