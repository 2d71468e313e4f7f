import { privateTargetsAllowed } from "../platform/params";
import { Resolver, systemResolver, targetProblem } from "./ssrf";

/** Where an endpoint URL resolves, checked unless private targets are allowed (the emulators). */
export async function checkTarget(url: unknown, resolver: Resolver = systemResolver): Promise<string | undefined> {
  if (privateTargetsAllowed() || typeof url !== "string") return undefined;
  try {
    return await targetProblem(url, resolver);
  } catch {
    return undefined;
  }
}
