import { Alert, Button, Group, Modal, Paper, Progress, Stack, Text, TextInput, Title } from "@mantine/core";
import { useState } from "react";
import { describeFailure } from "../../api/errors";
import { useRangedRedeliver, useRedeliveryJob, useWebhookStats } from "../../api/hooks";
import type { RedeliveryJob, RedeliveryRange } from "../../api/types";
import { fromLocalInput, toLocalInput } from "../../components/ui/format";

const plural = (n: number) => `${n.toLocaleString()} failed ${n === 1 ? "delivery" : "deliveries"}`;

/**
 * Recovery after an outage: every failed delivery of the endpoint in a range is counted first,
 * confirmed, then redelivered by a job whose progress shows live. Shown when the endpoint has had
 * failures in the 30 days deliveries are kept, or when a row asked for it (`since` given).
 */
export function RedeliverFailed({ webhookId, url, since: asked }: { webhookId: string; url: string; since: string | null }) {
  const stats = useWebhookStats("30d", webhookId);
  const { preview, start } = useRangedRedeliver();
  const [since, setSince] = useState(() => asked ?? new Date(Date.now() - 24 * 3600_000).toISOString());
  const [until, setUntil] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const { job } = useRedeliveryJob(start.data?.jobId ?? null);
  if (!asked && !(stats.data && stats.data.failed > 0) && !start.data) return null;

  const range: RedeliveryRange = { webhookId, since, ...(until ? { until } : {}) };
  const count = preview.data?.count;
  const change = (set: () => void) => {
    set();
    preview.reset();
  };
  return (
    <Paper withBorder p="sm" radius="md" component="section" aria-labelledby="redeliver-failed">
      <Stack gap="xs">
        <Title order={4} size="h5" id="redeliver-failed">
          Redeliver failed deliveries
        </Title>
        <Group align="flex-end" wrap="wrap">
          <TextInput
            type="datetime-local"
            label="Failed deliveries created since"
            value={toLocalInput(since)}
            onChange={(e) => {
              const v = fromLocalInput(e.currentTarget.value);
              if (v) change(() => setSince(v));
            }}
          />
          <TextInput
            type="datetime-local"
            label="Until (empty: now)"
            value={toLocalInput(until ?? undefined)}
            onChange={(e) => {
              const v = fromLocalInput(e.currentTarget.value);
              change(() => setUntil(v));
            }}
          />
          <Button variant="default" loading={preview.isPending} onClick={() => preview.mutate(range)}>
            Preview
          </Button>
          {count !== undefined && count > 0 && <Button onClick={() => setConfirming(true)}>Redeliver {plural(count)}…</Button>}
        </Group>
        {count !== undefined && (
          <Text size="sm" role="status">
            {count === 0 ? "No failed deliveries in this range." : `${plural(count)} in this range.`}
          </Text>
        )}
        {start.data && <JobProgress job={job} total={start.data.total} />}
        {(preview.error ?? start.error) && (
          <Alert color="red" role="alert">
            {describeFailure(preview.error ?? start.error)}
          </Alert>
        )}
      </Stack>
      <Modal closeButtonProps={{ "aria-label": "Close" }} opened={confirming} onClose={() => setConfirming(false)} title="Redeliver?">
        <Stack>
          <Text size="sm">
            {plural(count ?? 0)} created since {new Date(since).toLocaleString()}
            {until ? ` until ${new Date(until).toLocaleString()}` : ""} will be sent again to {url}, each once more, newest first.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button
              loading={start.isPending}
              onClick={() => {
                setConfirming(false);
                preview.reset();
                start.mutate(range);
              }}
            >
              Redeliver
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

function JobProgress({ job, total }: { job: RedeliveryJob | null; total: number }) {
  const handled = job ? job.redelivered + job.notQueued + job.skipped : 0;
  const done = job?.status === "done" || total === 0;
  const label = done
    ? `Done: ${(job?.redelivered ?? 0).toLocaleString()} of ${total.toLocaleString()} queued again${
        job?.notQueued ? `, ${job.notQueued} could not be queued (run it again)` : ""
      }${job?.skipped ? `, ${job.skipped} had been redelivered meanwhile` : ""}.`
    : `Redelivering: ${(job?.redelivered ?? 0).toLocaleString()} of ${total.toLocaleString()} queued again…`;
  return (
    <Stack gap={4}>
      <Progress value={total ? Math.min(100, (handled / total) * 100) : 100} aria-label="Redelivery progress" animated={!done} />
      <Text size="sm" role="status">
        {label}
      </Text>
    </Stack>
  );
}
