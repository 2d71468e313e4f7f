import type { ListFigures } from "../../api/types";
import { TONES } from "../../components/ui/StatusBadges";

const W = 120;
const H = 28;

/**
 * The last 24 hours as 24 small stacked bars, failures on top in red: drawn as plain SVG so that
 * the list page loads no chart library.
 */
export function Sparkline({ series }: { series: ListFigures["series"] }) {
  const totals = series.succeeded.map((s, i) => s + series.failed[i]);
  const max = Math.max(1, ...totals);
  const step = W / totals.length;
  const failedHours = series.failed.filter((n) => n > 0).length;
  const label = `Last 24 hours: ${sum(series.succeeded)} succeeded, ${sum(series.failed)} failed${failedHours ? ` (failures in ${failedHours} of 24 hours)` : ""}`;
  return (
    <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-sparkline>
      <title>{label}</title>
      <line x1={0} y1={H - 0.5} x2={W} y2={H - 0.5} stroke="#ced4da" strokeWidth={1} />
      {totals.map((total, i) => {
        const okH = (series.succeeded[i] / max) * (H - 1);
        const failH = (series.failed[i] / max) * (H - 1);
        return total === 0 ? null : (
          <g key={i} data-hour={i}>
            <rect x={i * step + 0.5} y={H - 1 - okH} width={step - 1} height={okH} fill={TONES.green} />
            {failH > 0 && <rect x={i * step + 0.5} y={H - 1 - okH - failH} width={step - 1} height={failH} fill={TONES.red} data-failed />}
          </g>
        );
      })}
    </svg>
  );
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
