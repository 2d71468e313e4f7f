import { Anchor, Button, Code, Group, Select, Stack, Table, Text, TextInput } from "@mantine/core";
import { useState, type FormEvent } from "react";
import { Link, useLocation, useNavigate, useSearchParams } from "react-router";
import { useIsAdmin } from "../../api/context";
import { useDeliveries, useEventCatalog, usePrefetchDelivery, useWebhooks } from "../../api/hooks";
import { BASE, withParam } from "../../routes";
import { ERROR_CLASSES, filtersFrom, lookupOf, RANGES, STATUSES } from "../../api/filters";
import { DeliveryDrawer } from "./DeliveryDrawer";
import { RedeliverFailed } from "./RedeliverFailed";
import { errorClassLabel, fromLocalInput, ms, outcome, toLocalInput, when } from "../../components/ui/format";
import { Empty, ErrorState, Loading } from "../../components/ui/States";
import { DeliveryStatusBadge } from "../../components/ui/StatusBadges";
import { Time } from "../../components/ui/Time";

/**
 * The filters and the open delivery live in the address (`?status=failed&delivery=...`), so a link
 * in a notice, a mail or a chat opens exactly that view. Opening a delivery is a history entry: Back
 * closes the drawer.
 */
function useHistoryParams(webhookId?: string) {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const location = useLocation();
  const update = (changes: Record<string, string | null>) =>
    setParams((p) => Object.entries(changes).reduce((next, [name, value]) => withParam(next, name, value), p), { replace: true });
  return {
    filters: filtersFrom(params, webhookId),
    range: params.get("range"),
    open: params.get("delivery"),
    setParams: update,
    openDelivery: (id: string) => setParams((p) => withParam(p, "delivery", id), { state: { drawer: true } }),
    // Opened from this page: go back (the address before it); opened by a link: drop the parameter.
    closeDelivery: () => ((location.state as { drawer?: boolean } | null)?.drawer ? void navigate(-1) : update({ delivery: null })),
  };
}

/** An endpoint's deliveries (or, without `webhookId`, the team's), newest first, live; filters, pages, and each delivery's attempt log. */
export function DeliveryHistory({ webhookId, onSendTest }: { webhookId?: string; onSendTest?: () => void }) {
  const admin = useIsAdmin();
  const history = useHistoryParams(webhookId);
  const { filters, open, openDelivery, closeDelivery } = history;
  const deliveries = useDeliveries(filters);
  const prefetch = usePrefetchDelivery();
  const endpoints = useWebhooks();
  const urls = new Map((endpoints.data ?? []).map((w) => [w.id, w.url]));
  const rows = deliveries.data?.pages.flatMap((p) => p.deliveries) ?? [];
  const filtered = Object.keys(filters).some((k) => k !== "webhookId");
  // "Redeliver all failed since this one" on a delivery opens the form from that delivery's time.
  const [redeliverSince, setRedeliverSince] = useState<string | null>(null);

  return (
    <Stack>
      <HistoryFilters {...history} />
      {admin && webhookId && (
        <RedeliverFailed key={redeliverSince ?? ""} webhookId={webhookId} url={urls.get(webhookId) ?? webhookId} since={redeliverSince} />
      )}
      {deliveries.isPending && <Loading label="Loading deliveries" />}
      {deliveries.isError && <ErrorState error={deliveries.error} what="the deliveries" />}
      {deliveries.isSuccess && rows.length === 0 && (
        <Empty title={filtered ? "No matching deliveries" : "No deliveries yet"}>
          <Text size="sm">{filtered ? "None match these filters." : "Deliveries appear here as events happen, without a reload."}</Text>
          {!filtered && admin && onSendTest && (
            <Button variant="default" size="xs" onClick={onSendTest}>
              Send a test event
            </Button>
          )}
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
                      onMouseEnter={() => prefetch(d.id)}
                      onFocus={() => prefetch(d.id)}
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
      <DeliveryDrawer
        deliveryId={open}
        onClose={closeDelivery}
        onRedeliverSince={
          webhookId
            ? (createdAt) => {
                setRedeliverSince(createdAt);
                closeDelivery();
              }
            : undefined
        }
      />
    </Stack>
  );
}

const ERROR_CLASS_OPTIONS = ERROR_CLASSES.map((c) => ({ value: c, label: errorClassLabel(c) }));
const RANGE_OPTIONS = [
  ...Object.entries(RANGES).map(([value, r]) => ({ value, label: r.label })),
  { value: "custom", label: "Custom range" },
];

function HistoryFilters({ filters, range, setParams, openDelivery }: ReturnType<typeof useHistoryParams>) {
  const catalog = useEventCatalog();
  const [lookup, setLookup] = useState("");
  const [lookupError, setLookupError] = useState<string | null>(null);
  const find = (e: FormEvent) => {
    e.preventDefault();
    const found = lookupOf(lookup);
    setLookupError(found ? null : "Enter a delivery id (dlv_…) or an event id (evt_…)");
    if (found && "deliveryId" in found) openDelivery(found.deliveryId);
    if (found && "eventId" in found) setParams({ eventId: found.eventId });
  };
  if (filters.eventId)
    return (
      <Group>
        <Text size="sm">
          Deliveries of event <Code>{filters.eventId}</Code>
        </Text>
        <Button size="xs" variant="default" onClick={() => setParams({ eventId: null })}>
          Show all deliveries
        </Button>
      </Group>
    );
  return (
    <Group align="flex-start" wrap="wrap">
      <Select
        label="Status"
        placeholder="Any status"
        clearable
        value={filters.status ?? null}
        onChange={(v) => setParams({ status: v })}
        data={STATUSES}
        w={150}
      />
      <Select
        label="Event type"
        placeholder="Any event"
        clearable
        searchable
        value={filters.eventType ?? null}
        onChange={(v) => setParams({ eventType: v, errorClass: null })}
        data={catalog.data?.map((t) => t.type) ?? []}
        w={210}
      />
      <Select
        label="Error"
        placeholder="Any error"
        clearable
        value={filters.errorClass ?? null}
        onChange={(v) => setParams({ errorClass: v, eventType: null })}
        data={ERROR_CLASS_OPTIONS}
        w={180}
      />
      <Select
        label="Time"
        placeholder="Any time"
        clearable
        value={range && (range in RANGES || range === "custom") ? range : null}
        onChange={(v) => setParams({ range: v, since: null, until: null })}
        data={RANGE_OPTIONS}
        w={170}
      />
      {range === "custom" && (
        <>
          <TextInput
            type="datetime-local"
            label="From"
            value={toLocalInput(filters.since)}
            onChange={(e) => setParams({ since: fromLocalInput(e.currentTarget.value) })}
          />
          <TextInput
            type="datetime-local"
            label="To"
            value={toLocalInput(filters.until)}
            onChange={(e) => setParams({ until: fromLocalInput(e.currentTarget.value) })}
          />
        </>
      )}
      <form onSubmit={find} style={{ display: "flex", gap: 8, alignItems: "flex-start" }}>
        <TextInput
          label="Find by id"
          placeholder="dlv_… or evt_…"
          value={lookup}
          onChange={(e) => setLookup(e.currentTarget.value)}
          error={lookupError}
          w={220}
        />
        <Button type="submit" variant="default" mt={25}>
          Find
        </Button>
      </form>
    </Group>
  );
}
