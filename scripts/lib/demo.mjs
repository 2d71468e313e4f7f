// The demo team of `npm start`, shared by the seed script, the sample receiver and the demo commands.
export const DEMO_PROJECT = "demo-jiwaku";
export const DEMO_TEAM = "demo-team";
export const DEMO_WEBHOOK = "demo-receiver";
export const RECEIVER_PORT = 8787;
export const RECEIVER_URL = `http://127.0.0.1:${RECEIVER_PORT}/webhooks`;
/** A fixed secret so that the sample receiver can verify without asking; never use it anywhere real. */
export const DEMO_SECRET = "whsec_" + Buffer.from("jiwaku-demo-secret-not-for-prod!").toString("base64");
export const PORTS = { firestore: 8080, functions: 5001, pubsub: 8085, auth: 9099, tasks: 9499, hub: 4400, ui: 4000, hosting: 3000 };
export const DASHBOARD_URL = `http://localhost:${PORTS.hosting}/dashboard/webhooks`;
/** The demo team's users in the Auth emulator; the dashboard's sign-in page offers them (dashboard/src/firebase.ts). */
export const DEMO_USERS = [
  { uid: "demo-admin", role: "admin", email: "admin@demo.jiwaku.test", password: "jiwaku-demo", displayName: "Demo Admin" },
  { uid: "demo-agent", role: "agent", email: "agent@demo.jiwaku.test", password: "jiwaku-demo", displayName: "Demo Agent" },
];
