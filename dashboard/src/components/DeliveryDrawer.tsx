import { Alert, Button, Code, Drawer, Group, Stack, Table, Text, Title } from "@mantine/core";
import { useIsAdmin } from "../api/context";
import { describeFailure } from "../api/errors";
import { useDelivery, useRedeliver } from "../api/hooks";
import { ms, pretty, when } from "./format";
import { ErrorState, Loading } from "./States";
import { DeliveryStatusBadge } from "./StatusBadges";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);

/** One delivery: its attempt log (time, status code, duration, error class, response excerpt), payload and Redeliver. */
export function DeliveryDrawer({ deliveryId, onClose }: { deliveryId: string | null; onClose: () => void }) {
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
