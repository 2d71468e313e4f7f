import type { CallableRequest } from "firebase-functions/v2/https";
import { z } from "zod";
import { ROLES } from "./vocabulary";
import { teamIdSchema } from "../events/envelope";
import { db } from "../platform/app";
import { paths } from "../platform/collections";
import { docIdSchema } from "../platform/ids";
import { ApiError } from "./callable";

/** Team membership: `teams/{teamId}/members/{uid}` with role `admin` (manages endpoints) or `agent` (reads). */
export const memberSchema = z.object({ role: z.enum(ROLES) });
export type Role = z.infer<typeof memberSchema>["role"];

export const teamInput = z.object({ teamId: teamIdSchema });
export const webhookInput = teamInput.extend({ webhookId: docIdSchema });

export async function requireRole(req: CallableRequest, teamId: string, needed: "admin" | "member"): Promise<{ uid: string; role: Role }> {
  const uid = req.auth?.uid;
  if (!uid) throw new ApiError("unauthenticated", "sign in to manage webhooks");
  const snap = await db().doc(paths.member(teamId, uid)).get();
  const member = memberSchema.safeParse(snap.data());
  if (!snap.exists || !member.success) throw new ApiError("permission-denied", `not a member of team ${teamId}`);
  if (needed === "admin" && member.data.role !== "admin") throw new ApiError("permission-denied", "only team admins may do this");
  return { uid, role: member.data.role };
}
