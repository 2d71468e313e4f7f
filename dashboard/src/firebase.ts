import { initializeApp, type FirebaseOptions } from "firebase/app";
import { connectAuthEmulator, getAuth } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions } from "firebase/functions";

/** The emulators' ports, as in firebase.json. */
const EMULATOR_PORTS = { auth: 9099, firestore: 8080, functions: 5001 };

/**
 * The Firebase app of the page. Its configuration comes from Hosting's reserved URL
 * /__/firebase/init.json (real Hosting and the Hosting emulator both serve it). A `demo-` project
 * exists only on the emulators, so the page then talks to them, on the host that served it.
 */
export async function loadFirebase() {
  const res = await fetch("/__/firebase/init.json");
  if (!res.ok) throw new Error(`could not read the Firebase configuration (/__/firebase/init.json: HTTP ${res.status})`);
  const config = (await res.json()) as FirebaseOptions & { projectId: string };
  const app = initializeApp(config);
  const auth = getAuth(app);
  const functions = getFunctions(app, "us-central1");
  const emulated = config.projectId.startsWith("demo-");
  const host = location.hostname === "localhost" ? "127.0.0.1" : location.hostname;
  if (emulated) {
    connectAuthEmulator(auth, `http://${host}:${EMULATOR_PORTS.auth}`, { disableWarnings: true });
    connectFunctionsEmulator(functions, host, EMULATOR_PORTS.functions);
  }
  // Firestore is connected where it is first used (src/api/live.ts), so that its SDK loads later.
  const firestoreEmulator = emulated ? { host, port: EMULATOR_PORTS.firestore } : null;
  return { app, auth, functions, emulated, firestoreEmulator };
}

export type FirebaseSetup = Awaited<ReturnType<typeof loadFirebase>>;

/** The demo users seeded into the Auth emulator (emulator-data/); offered on the sign-in page of a demo project. */
export const DEMO_USERS = [
  { label: "demo admin", email: "admin@demo.jiwaku.test", password: "jiwaku-demo" },
  { label: "demo agent", email: "agent@demo.jiwaku.test", password: "jiwaku-demo" },
];

/** The team whose webhooks the page shows: `?team=`, else the last one shown, else the demo team. */
export function chosenTeam(): string {
  const fromUrl = new URLSearchParams(location.search).get("team");
  if (fromUrl) localStorage.setItem("jiwaku.webhooks.team", fromUrl);
  return fromUrl ?? localStorage.getItem("jiwaku.webhooks.team") ?? (import.meta.env.VITE_TEAM_ID as string | undefined) ?? "demo-team";
}
