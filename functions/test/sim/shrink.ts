import { simulate, SimConfig } from "./model";

/** Fewer days, endpoints and faults, one at a time, as long as the seed still fails. */
export async function shrink(config: SimConfig) {
  let best = await simulate(config);
  const smaller = (c: SimConfig): SimConfig[] => [
    { ...c, days: Math.max(1, Math.floor(c.days / 2)) },
    { ...c, endpoints: Math.max(1, c.endpoints - 1) },
    { ...c, pCrash: 0 },
    { ...c, faults: { ...c.faults, pDuplicate: 0 } },
    { ...c, faults: { ...c.faults, pDrop: 0 } },
    { ...c, faults: { ...c.faults, pLate: 0 } },
    { ...c, pRedeliver: 0 },
    { ...c, pToggle: 0 },
    { ...c, pToggleMidAttempt: 0 },
    { ...c, pBurst: 0 },
  ];
  for (let progress = true; progress;) {
    progress = false;
    for (const candidate of smaller(best.config)) {
      if (JSON.stringify(candidate) === JSON.stringify(best.config)) continue;
      const r = await simulate(candidate);
      if (r.violations.length > 0) {
        best = r;
        progress = true;
        break;
      }
    }
  }
  return best;
}
