import { Badge, Group } from "@mantine/core";
import { Link } from "react-router";
import { BASE } from "../../routes";
import { errorClassLabel } from "../../components/ui/format";
import { TONES } from "../../components/ui/StatusBadges";

/** Failed deliveries by error class, most first, each a link to exactly those deliveries. */
export function FailureChips({ byClass, webhookId, range }: { byClass: Record<string, number>; webhookId?: string; range: string }) {
  const classes = Object.entries(byClass)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  if (classes.length === 0) return null;
  const base = webhookId ? `${BASE}/${webhookId}?tab=deliveries&` : `${BASE}/deliveries?`;
  return (
    <Group gap={4} wrap="wrap">
      {classes.map(([errorClass, n]) => (
        <Badge
          key={errorClass}
          component={Link}
          to={`${base}status=failed&errorClass=${errorClass}&range=${range}`}
          color={TONES.red}
          variant="outline"
          style={{ textTransform: "none", cursor: "pointer" }}
          aria-label={`${n} ${errorClassLabel(errorClass)}: show these failed deliveries`}
        >
          {n} {errorClassLabel(errorClass)}
        </Badge>
      ))}
    </Group>
  );
}
