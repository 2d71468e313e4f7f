import { Alert, Anchor, Button, Group, Modal, SimpleGrid, Stack, Tabs, Text, Title } from "@mantine/core";
import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useIsAdmin } from "../../api/context";
import { describeFailure } from "../../api/errors";
import { useDeleteWebhook, useSetWebhookEnabled, useWebhook } from "../../api/hooks";
import type { StatsWindow, Webhook } from "../../api/types";
import { DeliveryHistory } from "../deliveries/DeliveryHistory";
import { EndpointHealth } from "../notices/Notices";
import { SecretPanel } from "./SecretPanel";
import { StatsPanel, WindowPicker } from "../stats/StatsPanel";
import { Section, Setting } from "../../components/ui/Section";
import { ErrorState, Loading } from "../../components/ui/States";
import { EndpointStatus } from "../../components/ui/StatusBadges";
import { TestPanel } from "../tests/TestPanel";
import { BASE, withParam } from "../../routes";

function Settings({ w }: { w: Webhook }) {
  const headers = Object.entries(w.headers ?? {});
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }}>
      <Setting label="URL">{w.url}</Setting>
      <Setting label="Description">{w.description || "–"}</Setting>
      <Setting label="Events">{w.events.includes("*") ? "All events (*)" : w.events.join(", ")}</Setting>
      <Setting label="Retries">
        {w.maxAttempts} attempts, {w.timeoutMs / 1000} s timeout each
      </Setting>
      <Setting label="Rate limit">{w.rateLimitPerSecond ? `${w.rateLimitPerSecond} per second` : "No limit"}</Setting>
      <Setting label="Custom headers">{headers.length ? headers.map(([n, v]) => `${n}: ${v}`).join("; ") : "None"}</Setting>
    </SimpleGrid>
  );
}

function Actions({ w }: { w: Webhook }) {
  const navigate = useNavigate();
  const enable = useSetWebhookEnabled(w.id);
  const remove = useDeleteWebhook();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const error = enable.error ?? remove.error;
  return (
    <Stack gap="xs">
      <Group>
        <Button variant="default" onClick={() => void navigate(`${BASE}/${w.id}/edit`)}>
          Edit
        </Button>
        <Button variant="default" loading={enable.isPending} onClick={() => enable.mutate(!w.enabled)}>
          {w.enabled ? "Disable" : "Enable"}
        </Button>
        <Button color="red.9" variant="outline" onClick={() => setConfirmDelete(true)}>
          Delete
        </Button>
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {describeFailure(error)}
        </Alert>
      )}
      <Modal
        closeButtonProps={{ "aria-label": "Close" }}
        opened={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title="Delete this webhook?"
      >
        <Stack>
          <Text size="sm">
            Deliveries to {w.url} stop and queued ones are cancelled. The delivery history stays until it expires. This cannot be undone.
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirmDelete(false)}>
              Cancel
            </Button>
            <Button
              color="red.9"
              loading={remove.isPending}
              onClick={() =>
                void remove.mutateAsync(w.id).then(
                  () => navigate(BASE),
                  () => setConfirmDelete(false),
                )
              }
            >
              Delete webhook
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}

export function WebhookDetailsPage() {
  const { webhookId = "" } = useParams();
  const admin = useIsAdmin();
  const webhook = useWebhook(webhookId);
  const [window, setWindow] = useState<StatsWindow>("24h");
  const [params, setParams] = useSearchParams();
  // The tab is in the address too; a link to a delivery opens the Deliveries tab.
  const tab = params.get("tab") ?? (params.get("delivery") ? "deliveries" : "overview");
  const setTab = (value: string) => setParams((p) => withParam(p, "tab", value), { replace: true });

  if (webhook.isPending) return <Loading label="Loading webhook" />;
  if (webhook.isError) return <ErrorState error={webhook.error} what="the webhook" />;
  const w = webhook.data;
  if (!w)
    return (
      <Stack>
        <Alert color="red" title="No such webhook">
          No webhook {webhookId} in this team (it may have been deleted).
        </Alert>
        <Anchor component={Link} to={BASE}>
          Back to all webhooks
        </Anchor>
      </Stack>
    );

  return (
    <Stack gap="lg" maw={1200} mx="auto">
      <Anchor component={Link} to={BASE} size="sm">
        ← All webhooks
      </Anchor>
      <Stack gap={4}>
        <Title order={2} style={{ wordBreak: "break-all" }}>
          {w.url}
        </Title>
        <EndpointStatus webhook={w} />
        {w.status === "invalid" && w.statusReason && (
          <Text size="sm" c="red.9">
            Invalid: {w.statusReason}
          </Text>
        )}
      </Stack>
      {admin && <Actions w={w} />}
      <Tabs value={tab} onChange={(v) => setTab(v ?? "overview")} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="overview">Overview</Tabs.Tab>
          <Tabs.Tab value="deliveries">Deliveries</Tabs.Tab>
          <Tabs.Tab value="test">Test</Tabs.Tab>
          <Tabs.Tab value="settings">Settings</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="overview" pt="md">
          <Stack gap="lg">
            <Section id="health" title="Health">
              <EndpointHealth webhook={w} />
            </Section>
            <Section id="stats" title="Deliveries" aside={<WindowPicker value={window} onChange={setWindow} />}>
              <StatsPanel window={window} webhookId={w.id} />
            </Section>
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="deliveries" pt="md">
          <Section id="history" title="Delivery history">
            <DeliveryHistory webhookId={w.id} onSendTest={() => setTab("test")} />
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="test" pt="md">
          <Section id="test" title="Test">
            <TestPanel webhookId={w.id} usable={w.status !== "invalid"} />
          </Section>
        </Tabs.Panel>
        <Tabs.Panel value="settings" pt="md">
          <Stack gap="lg">
            <Section id="settings" title="Settings">
              <Settings w={w} />
            </Section>
            {admin && (
              <Section id="secret" title="Signing secret">
                <SecretPanel webhookId={w.id} />
              </Section>
            )}
          </Stack>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
