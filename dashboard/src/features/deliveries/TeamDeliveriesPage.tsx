import { Anchor, Paper, Stack, Title } from "@mantine/core";
import { Link } from "react-router";
import { DeliveryHistory } from "./DeliveryHistory";
import { BASE } from "../../routes";

/** Every endpoint's deliveries, with an endpoint column and the same filters and drawer. */
export function TeamDeliveriesPage() {
  return (
    <Stack gap="lg" maw={1200} mx="auto">
      <Anchor component={Link} to={BASE} size="sm">
        ← All webhooks
      </Anchor>
      <Title order={2}>Deliveries of every endpoint</Title>
      <Paper withBorder p="md" radius="md" component="section" aria-label="Deliveries">
        <DeliveryHistory />
      </Paper>
    </Stack>
  );
}
