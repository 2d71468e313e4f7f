import { Anchor, Button, Group, Paper, Stack, Table, Text, Title, VisuallyHidden } from "@mantine/core";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useIsAdmin } from "../../api/context";
import { useWebhooksWithFigures } from "../../api/hooks";
import { LIST_FIGURES_REFRESH_MS } from "../../api/options";
import type { StatsWindow, Webhook, WebhookWithFigures } from "../../api/types";
import { FailureChips } from "../stats/FailureChips";
import { percent } from "../../components/ui/format";
import { Sparkline } from "../stats/Sparkline";
import { Time } from "../../components/ui/Time";
import { StatsPanel, WindowPicker } from "../stats/StatsPanel";
import { NoticesStrip } from "../notices/Notices";
import { ErrorState, Loading } from "../../components/ui/States";
import { GettingStarted } from "./GettingStarted";
import { EndpointStatus, TONES } from "../../components/ui/StatusBadges";
import { BASE } from "../../routes";

/** An endpoint's last 24 hours: its success rate, its failures as chips by error class (each opens those deliveries), its last delivery. */
function EndpointFigures({ webhook }: { webhook: WebhookWithFigures }) {
  const f = webhook.figures;
  if (!f)
    return (
      <>
        <Table.Td>…</Table.Td>
        <Table.Td>…</Table.Td>
        <Table.Td>…</Table.Td>
        <Table.Td>…</Table.Td>
      </>
    );
  return (
    <>
      <Table.Td>{percent(f.successRate)}</Table.Td>
      <Table.Td>
        {f.failed === 0 ? <Text size="sm">0</Text> : <FailureChips byClass={f.failuresByErrorClass} webhookId={webhook.id} range="24h" />}
      </Table.Td>
      <Table.Td>
        <Sparkline series={f.series} />
      </Table.Td>
      <Table.Td>
        <Time iso={f.lastDeliveryAt} />
        {webhook.failingSince && (
          <Text size="xs" c={TONES.red}>
            failing since <Time iso={webhook.failingSince} />
          </Text>
        )}
      </Table.Td>
    </>
  );
}

function eventsSummary(w: Webhook) {
  if (w.events.includes("*")) return "All events";
  return w.events.length > 3 ? `${w.events.slice(0, 3).join(", ")} +${w.events.length - 3}` : w.events.join(", ");
}

export function WebhookListPage() {
  const admin = useIsAdmin();
  const navigate = useNavigate();
  const [window, setWindow] = useState<StatsWindow>("24h");
  const webhooks = useWebhooksWithFigures();

  return (
    <Stack gap="lg" maw={1200} mx="auto">
      <Group justify="space-between">
        <Title order={2}>Webhooks</Title>
        <Group gap="sm">
          <Anchor component={Link} to={`${BASE}/deliveries`} size="sm">
            All deliveries
          </Anchor>
          <Anchor component={Link} to={`${BASE}/events`} size="sm">
            Event catalog
          </Anchor>
          {admin && <Button onClick={() => void navigate(`${BASE}/new`)}>New Webhook</Button>}
        </Group>
      </Group>

      <NoticesStrip />

      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="team-stats">
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h4" id="team-stats">
            Deliveries of the team
          </Title>
          <WindowPicker value={window} onChange={setWindow} />
        </Group>
        {/* Read with the endpoints' figures, once a minute: the list page has no change feed to say sooner. */}
        <StatsPanel window={window} refreshMs={LIST_FIGURES_REFRESH_MS} />
      </Paper>

      <Paper withBorder p="md" radius="md" component="section" aria-labelledby="endpoints">
        <Title order={3} size="h4" id="endpoints" mb="sm">
          Endpoints
        </Title>
        {webhooks.isPending && <Loading label="Loading webhooks" />}
        {webhooks.isError && <ErrorState error={webhooks.error} what="the webhooks" />}
        {webhooks.data?.length === 0 && <GettingStarted admin={admin} onCreate={() => void navigate(`${BASE}/new`)} />}
        {webhooks.data && webhooks.data.length > 0 && (
          <Table.ScrollContainer minWidth={980}>
            <Table verticalSpacing="sm" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Endpoint</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Events</Table.Th>
                  <Table.Th>Success rate (24 h)</Table.Th>
                  <Table.Th>Failures (24 h)</Table.Th>
                  <Table.Th>Deliveries by hour</Table.Th>
                  <Table.Th>Last delivery</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {webhooks.data.map((w) => (
                  <Table.Tr key={w.id} data-webhook-id={w.id}>
                    <Table.Td maw={320}>
                      <Anchor component={Link} to={`${BASE}/${w.id}`} style={{ wordBreak: "break-all" }}>
                        {w.url}
                      </Anchor>
                      {w.description && (
                        <Text size="sm" c="gray.7">
                          {w.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td miw={110}>
                      <EndpointStatus webhook={w} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{eventsSummary(w)}</Text>
                    </Table.Td>
                    <EndpointFigures webhook={w} />
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => void navigate(`${BASE}/${w.id}`)}
                        aria-label={`View Details of ${w.url}`}
                      >
                        View Details
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Paper>
    </Stack>
  );
}
