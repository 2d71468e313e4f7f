import { Alert, Button, Code, Drawer, Group, SegmentedControl, Stack, Table, Tabs, Text, Title } from "@mantine/core";
import { useState } from "react";
import { useIsAdmin } from "../../api/context";
import { Copy } from "../../components/ui/Copy";
import { HeaderTable } from "../../components/ui/HeaderTable";
import { describeFailure } from "../../api/errors";
import { useDelivery, useRedeliver, useWebhook } from "../../api/hooks";
import type { Attempt, Delivery } from "../../api/types";
import { curlCommand } from "./curl";
import { ms, outcome, pretty, when } from "../../components/ui/format";
import { ErrorState, Loading } from "../../components/ui/States";
import { DeliveryStatusBadge } from "../../components/ui/StatusBadges";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/** One attempt as GitHub's "Recent Deliveries" shows it: what was sent, and what came back. */
function AttemptDetails({ d, attempts }: { d: Delivery; attempts: Attempt[] }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const endpoint = useWebhook(d.webhookId);
  const a = attempts.find((x) => String(x.attempt) === chosen) ?? attempts[attempts.length - 1];
  const curl =
    a.requestHeaders && endpoint.data ? curlCommand(endpoint.data.url, a.requestHeaders, d.payload ?? "", d.customHeaders) : null;
  return (
    <Stack gap="xs">
      {attempts.length > 1 && (
        <SegmentedControl
          aria-label="Attempt"
          size="xs"
          value={String(a.attempt)}
          onChange={setChosen}
          data={attempts.map((x) => ({ value: String(x.attempt), label: `#${x.attempt}` }))}
        />
      )}
      <Tabs defaultValue="request" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="request">Request</Tabs.Tab>
          <Tabs.Tab value="response">Response</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="request" pt="xs">
          <Stack gap="xs">
            <Text size="sm">
              POST {endpoint.data?.url ?? "…"} · attempt {a.attempt} at {when(a.at)}
            </Text>
            <HeaderTable headers={a.requestHeaders} label={`Request headers of attempt ${a.attempt}`} />
            <Group gap="xs">
              <Copy value={d.payload ?? ""} label="Copy payload" />
              {curl && <Copy value={curl} label="Copy as curl" />}
            </Group>
            {curl && (
              <Code
                block
                tabIndex={0}
                data-testid="curl"
                aria-label="The request as a curl command"
                style={{ maxHeight: 200, overflow: "auto" }}
              >
                {curl}
              </Code>
            )}
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="response" pt="xs">
          <Stack gap="xs">
            <Text size="sm">
              {outcome(a.statusCode, a.errorClass)} · {ms(a.durationMs)}
              {a.probe ? " · the circuit's probe" : ""}
            </Text>
            {a.errorMessage && <Text size="sm">{a.errorMessage}</Text>}
            <HeaderTable headers={a.responseHeaders} label={`Response headers of attempt ${a.attempt}`} />
            {a.responseExcerpt && (
              <Code block tabIndex={0} aria-label="Response body excerpt" style={{ maxHeight: 200, overflow: "auto" }}>
                {a.responseExcerpt}
              </Code>
            )}
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

/** One delivery: its attempt log (time, status code, duration, error class, response excerpt), payload and Redeliver. */
export function DeliveryDrawer({
  deliveryId,
  onClose,
  onRedeliverSince,
}: {
  deliveryId: string | null;
  onClose: () => void;
  /** Offered on a failed delivery: open the ranged redeliver from its creation time. */
  onRedeliverSince?: (createdAt: string) => void;
}) {
  const admin = useIsAdmin();
  const delivery = useDelivery(deliveryId);
  const redeliver = useRedeliver();
  const d = delivery.data;

  return (
    <Drawer
      closeButtonProps={{ "aria-label": "Close" }}
      opened={deliveryId !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title="Delivery"
    >
      {delivery.isPending && <Loading label="Loading delivery" />}
      {delivery.isError && <ErrorState error={delivery.error} what="the delivery" />}
      {d && (
        <Stack>
          <Group>
            <DeliveryStatusBadge status={d.status} />
            <Text size="sm">
              {d.eventType} · {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"} · created {when(d.createdAt)}
            </Text>
          </Group>
          <Text size="sm">
            Delivery <code>{d.id}</code> · event <code>{d.eventId}</code>
            {d.nextAttemptAt && d.status !== "succeeded" ? ` · next attempt ${when(d.nextAttemptAt)}` : ""}
          </Text>
          {admin && FINISHED.has(d.status) && (
            <Group>
              <Button onClick={() => redeliver.mutate({ deliveryId: d.id })} loading={redeliver.isPending}>
                Redeliver
              </Button>
              {d.status === "failed" && onRedeliverSince && (
                <Button variant="default" onClick={() => onRedeliverSince(d.createdAt)}>
                  Redeliver all failed since this one…
                </Button>
              )}
              {redeliver.isSuccess && (
                <Text size="sm" role="status">
                  Queued again.
                </Text>
              )}
            </Group>
          )}
          {redeliver.isError && (
            <Alert color="red" role="alert">
              {describeFailure(redeliver.error)}
            </Alert>
          )}
          <Title order={3} size="h5">
            Attempt log
          </Title>
          {(d.attemptLog ?? []).length === 0 ? (
            <Text size="sm">No attempt yet.</Text>
          ) : (
            <Table.ScrollContainer minWidth={560}>
              <Table aria-label="Attempt log">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>Time</Table.Th>
                    <Table.Th>Status code</Table.Th>
                    <Table.Th>Duration</Table.Th>
                    <Table.Th>Error class</Table.Th>
                    <Table.Th>Response</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {d.attemptLog!.map((a, i) => (
                    <Table.Tr key={i}>
                      <Table.Td>{a.attempt}</Table.Td>
                      <Table.Td>{when(a.at)}</Table.Td>
                      <Table.Td>{a.statusCode ?? "–"}</Table.Td>
                      <Table.Td>{ms(a.durationMs)}</Table.Td>
                      <Table.Td>{a.errorClass ?? "–"}</Table.Td>
                      <Table.Td style={{ maxWidth: 280 }}>
                        {a.errorMessage && <Text size="xs">{a.errorMessage}</Text>}
                        {a.responseExcerpt && (
                          <Code block style={{ maxHeight: 120, overflow: "auto" }}>
                            {a.responseExcerpt}
                          </Code>
                        )}
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          )}
          {(d.attemptLog ?? []).length > 0 && (
            <>
              <Title order={3} size="h5">
                Request and response
              </Title>
              <AttemptDetails d={d} attempts={d.attemptLog!} />
            </>
          )}
          <Title order={3} size="h5">
            Payload
          </Title>
          <Code block aria-label="Payload" style={{ maxHeight: 360, overflow: "auto" }}>
            {pretty(d.payload)}
          </Code>
        </Stack>
      )}
    </Drawer>
  );
}
