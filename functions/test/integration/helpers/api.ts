import { randomUUID } from "node:crypto";
import { firestore } from "./emulators";

const project = () => process.env.GCLOUD_PROJECT!;
const authHost = () => process.env.FIREBASE_AUTH_EMULATOR_HOST ?? "127.0.0.1:9099";
const functionsHost = () => process.env.FUNCTIONS_EMULATOR_HOST ?? "127.0.0.1:5001";

export interface User {
  uid: string;
  email: string;
  token: string;
}

/** A real Auth-emulator user with an ID token. */
export async function signUp(): Promise<User> {
  const email = `${randomUUID()}@jiwaku.test`;
  const res = await fetch(`http://${authHost()}/identitytoolkit.googleapis.com/v1/accounts:signUp?key=demo`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "secret-password", returnSecureToken: true }),
  });
  const body = (await res.json()) as { localId: string; idToken: string };
  if (!res.ok) throw new Error(`signUp failed: ${JSON.stringify(body)}`);
  return { uid: body.localId, email, token: body.idToken };
}

export async function addMember(teamId: string, user: User, role: "admin" | "agent") {
  await firestore().doc(`teams/${teamId}/members/${user.uid}`).set({ role });
}

export type CallResult<T> = { ok: true; result: T } | { ok: false; status: string; message: string };

/** Calls a callable function over the callable protocol, as the dashboard's SDK does. */
export async function call<T = Record<string, unknown>>(name: string, data: unknown, user?: User): Promise<CallResult<T>> {
  const res = await fetch(`http://${functionsHost()}/${project()}/us-central1/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(user ? { authorization: `Bearer ${user.token}` } : {}) },
    body: JSON.stringify({ data }),
  });
  const body = (await res.json()) as { result?: T; error?: { status: string; message: string } };
  return body.error ? { ok: false, status: body.error.status, message: body.error.message } : { ok: true, result: body.result as T };
}

export async function ok<T = Record<string, unknown>>(name: string, data: unknown, user?: User): Promise<T> {
  const r = await call<T>(name, data, user);
  if (!r.ok) throw new Error(`${name} failed: ${r.status} ${r.message}`);
  return r.result;
}
