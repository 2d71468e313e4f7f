import "@mantine/charts/styles.css";
import { BarChart } from "@mantine/charts";
import { Text, VisuallyHidden } from "@mantine/core";
import type { Stats } from "../../api/types";
import { bucketLabel, percent } from "../../components/ui/format";

/** Deliveries per hour or day, succeeded and failed stacked, from the stats series. */
export default function DeliveryChart({ stats }: { stats: Stats }) {
  const data = stats.series.map((p) => ({
    at: bucketLabel(p.start, stats.granularity),
    succeeded: p.succeeded,
    failed: p.failed,
    rate: percent(p.successRate),
  }));
  const zone = stats.granularity === "hour" ? "hours in your time zone" : "days in UTC";
  const summary = `${stats.total} ${stats.total === 1 ? "delivery" : "deliveries"} in the window, ${percent(stats.successRate)} succeeded (${zone})`;
  return (
    <figure style={{ margin: 0 }} aria-label={`Deliveries per ${stats.granularity}`}>
      <BarChart
        h={200}
        data={data}
        dataKey="at"
        type="stacked"
        withLegend
        series={[
          { name: "succeeded", color: "teal.7", label: "Succeeded" },
          { name: "failed", color: "red.7", label: "Failed" },
        ]}
        tickLine="y"
      />
      <Text component="figcaption" size="xs" c="gray.7">
        {summary}
      </Text>
      <VisuallyHidden>
        <table>
          <caption>Deliveries per {stats.granularity}</caption>
          <thead>
            <tr>
              <th>{stats.granularity}</th>
              <th>succeeded</th>
              <th>failed</th>
              <th>success rate</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d, i) => (
              <tr key={i}>
                <td>{d.at}</td>
                <td>{d.succeeded}</td>
                <td>{d.failed}</td>
                <td>{d.rate}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </VisuallyHidden>
    </figure>
  );
}
