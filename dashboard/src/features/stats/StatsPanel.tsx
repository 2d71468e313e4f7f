import { Paper, SegmentedControl, SimpleGrid, Stack, Text } from "@mantine/core";
import { lazy, Suspense } from "react";
import { useWebhookStats } from "../../api/hooks";
import type { StatsWindow } from "../../api/types";
import { FailureChips } from "./FailureChips";
import { count, ms, percent } from "../../components/ui/format";
import { ErrorState, Loading } from "../../components/ui/States";

// Recharts is large: the chart loads after the figures.
const DeliveryChart = lazy(() => import("./DeliveryChart"));

export const WINDOWS: { value: StatsWindow; label: string }[] = [
  { value: "24h", label: "24 h" },
  { value: "7d", label: "7 d" },
  { value: "30d", label: "30 d" },
];

export function WindowPicker({ value, onChange }: { value: StatsWindow; onChange: (w: StatsWindow) => void }) {
  return <SegmentedControl aria-label="Stats window" size="xs" value={value} onChange={(v) => onChange(v as StatsWindow)} data={WINDOWS} />;
}

function Card({ label, value }: { label: string; value: string }) {
  return (
    <Paper withBorder p="sm" radius="md">
      <Text size="xs" tt="uppercase" fw={700} c="gray.7">
        {label}
      </Text>
      <Text size="xl" fw={700} aria-label={`${label}: ${value}`}>
        {value}
      </Text>
    </Paper>
  );
}

/** The team's (or one endpoint's) figures over a window: cards and a chart of deliveries and failures. */
export function StatsPanel({ window, webhookId, refreshMs }: { window: StatsWindow; webhookId?: string; refreshMs?: number }) {
  const stats = useWebhookStats(window, webhookId, refreshMs);
  if (stats.isPending) return <Loading label="Loading stats" />;
  if (stats.isError) return <ErrorState error={stats.error} what="the stats" />;
  const s = stats.data;
  return (
    <Stack gap="sm">
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Card label="Deliveries" value={count(s.total)} />
        <Card label="Success rate" value={percent(s.successRate)} />
        <Card label="Failures" value={count(s.failed)} />
        <Card label="p95 latency" value={s.latencyMs.p95 === null ? "–" : `≤ ${ms(s.latencyMs.p95)}`} />
      </SimpleGrid>
      <FailureChips byClass={s.failuresByErrorClass} webhookId={webhookId} range={window} />
      <Suspense fallback={<Loading label="Loading chart" />}>
        <DeliveryChart stats={s} />
      </Suspense>
    </Stack>
  );
}
