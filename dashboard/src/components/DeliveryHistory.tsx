import { Alert, Anchor, Button, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useState } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { useIsAdmin } from "../api/context";
import { describeFailure } from "../api/errors";
import { useDeliveries, useEventCatalog, useRedeliver, useWebhooks } from "../api/hooks";
import { BASE, withParam } from "../routes";
import type { DeliveryStatus } from "../api/types";
import { DeliveryDrawer } from "./DeliveryDrawer";
import { ms, outcome, when } from "./format";
import { Empty, ErrorState, Loading } from "./States";
import { DeliveryStatusBadge } from "./StatusBadges";
import { Time } from "./Time";

const STATUSES: DeliveryStatus[] = ["pending", "retrying", "succeeded", "failed", "cancelled"];

/**
 * The filters and the open delivery live in the address (`?status=failed&delivery=...`), so a link
 * in a notice, a mail or a chat opens exactly that view. Opening a delivery is a history entry: Back
 * closes the drawer.
 */
function useHistoryParams() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const status = STATUSES.find((s) => s === params.get("status"));
  const eventType = params.get("eventType") ?? undefined;
  const open = params.get("delivery");
  const setParam = (name: string, value: string | null) => setParams((p) => withParam(p, name, value), { replace: true });
  return {
    status,
    eventType,
    open,
    setParam,
    openDelivery: (id: string) => setParams((p) => withParam(p, "delivery", id), { state: { drawer: true } }),
    // Opened from this page: go back (the address before it); opened by a link: drop the parameter.
    closeDelivery: () => ((location.state as { drawer?: boolean } | null)?.drawer ? void navigate(-1) : setParam("delivery", null)),
  };
}

/** An endpoint's deliveries (or, without `webhookId`, the team's), newest first, live; filters, pages, and each delivery's attempt log. */
export function DeliveryHistory({ webhookId }: { webhookId?: string }) {
  const admin = useIsAdmin();
  const catalog = useEventCatalog();
  const { status, eventType, open, setParam, openDelivery, closeDelivery } = useHistoryParams();
  const deliveries = useDeliveries({ webhookId, status, eventType });
  const endpoints = useWebhooks();
  const urls = new Map((endpoints.data ?? []).map((w) => [w.id, w.url]));
  const rows = deliveries.data?.pages.flatMap((p) => p.deliveries) ?? [];

  return (
    <Stack>
      <Group align="flex-end" wrap="wrap">
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          value={status ?? null}
          onChange={(v) => setParam("status", v)}
          data={STATUSES}
          w={180}
        />
        <Select
          label="Event type"
          placeholder="Any event"
          clearable
          searchable
          value={eventType ?? null}
          onChange={(v) => setParam("eventType", v)}
          data={catalog.data?.map((t) => t.type) ?? []}
          w={240}
        />
      </Group>
      {admin && webhookId && <RedeliverFailed webhookId={webhookId} />}
      {deliveries.isPending && <Loading label="Loading deliveries" />}
      {deliveries.isError && <ErrorState error={deliveries.error} what="the deliveries" />}
      {deliveries.isSuccess && rows.length === 0 && (
        <Empty title="No deliveries yet">
          <Text size="sm">
            {status || eventType ? "None match these filters." : "Deliveries appear here as events happen, without a reload."}
          </Text>
        </Empty>
      )}
      {rows.length > 0 && (
        <Table.ScrollContainer minWidth={700}>
          <Table aria-label="Delivery history" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Created</Table.Th>
                {!webhookId && <Table.Th>Endpoint</Table.Th>}
                <Table.Th>Event</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Last response</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Attempt log</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((d) => (
                <Table.Tr key={d.id} data-delivery-id={d.id}>
                  <Table.Td>
                    <Time iso={d.createdAt} />
                  </Table.Td>
                  {!webhookId && (
                    <Table.Td style={{ wordBreak: "break-all" }}>
                      <Anchor component={Link} to={`${BASE}/${d.webhookId}`} size="sm">
                        {urls.get(d.webhookId) ?? d.webhookId}
                      </Anchor>
                    </Table.Td>
                  )}
                  <Table.Td>{d.eventType}</Table.Td>
                  <Table.Td>
                    <DeliveryStatusBadge status={d.status} />
                  </Table.Td>
                  <Table.Td>{d.attempts}</Table.Td>
                  <Table.Td>{outcome(d.lastStatusCode, d.lastErrorClass)}</Table.Td>
                  <Table.Td>{ms(d.lastDurationMs)}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      onClick={() => openDelivery(d.id)}
                      aria-label={`Open delivery ${d.eventType} of ${when(d.createdAt)}`}
                    >
                      Open
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {deliveries.hasNextPage && (
        <Group justify="center">
          <Button variant="default" onClick={() => void deliveries.fetchNextPage()} loading={deliveries.isFetchingNextPage}>
            Load more
          </Button>
        </Group>
      )}
      <DeliveryDrawer deliveryId={open} onClose={closeDelivery} />
    </Stack>
  );
}

function RedeliverFailed({ webhookId }: { webhookId: string }) {
  const redeliver = useRedeliver();
  // datetime-local takes local time: a day ago, shifted so that toISOString prints it in local time.
  const [since, setSince] = useState(() =>
    new Date(Date.now() - 24 * 3600_000 - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16),
  );
  const r = redeliver.data;
  return (
    <Stack gap="xs">
      <Group align="flex-end">
        <TextInput
          type="datetime-local"
          label="Redeliver all failed since"
          value={since}
          onChange={(e) => setSince(e.currentTarget.value)}
        />
        <Button
          variant="default"
          loading={redeliver.isPending}
          disabled={!since}
          onClick={() => redeliver.mutate({ webhookId, since: new Date(since).toISOString() })}
        >
          Redeliver failed
        </Button>
      </Group>
      {r && (
        <Text size="sm" role="status">
          {r.redelivered} failed {r.redelivered === 1 ? "delivery" : "deliveries"} queued again
          {r.notQueued ? `, ${r.notQueued} could not be queued (try again)` : ""}
          {r.capped ? " (the first 1,000; run it again for more)" : ""}.
        </Text>
      )}
      {redeliver.isError && (
        <Alert color="red" role="alert">
          {describeFailure(redeliver.error)}
        </Alert>
      )}
    </Stack>
  );
}
