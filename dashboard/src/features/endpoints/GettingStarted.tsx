import { Button, Code, Group, Stack, Text } from "@mantine/core";
import { Copy } from "../../components/ui/Copy";

/** What a receiver needs to check a delivery: six lines with the public standardwebhooks package. */
export const VERIFY_SNIPPET = `import express from "express";
import { Webhook } from "standardwebhooks";
const wh = new Webhook(process.env.WEBHOOK_SECRET); // whsec_... from the endpoint
express().post("/webhooks", express.raw({ type: "application/json" }), (req, res) => {
  try { wh.verify(req.body, req.headers); res.sendStatus(204); } catch { res.sendStatus(400); }
}).listen(8788);`;

/** The list with no endpoint yet: how to start, and how a receiver checks what it gets. */
export function GettingStarted({ admin, onCreate }: { admin: boolean; onCreate: () => void }) {
  return (
    <Stack gap="sm" align="stretch" py="md">
      <Text fw={600} ta="center">
        No webhooks yet
      </Text>
      <Text size="sm" ta="center">
        {admin
          ? "A webhook sends this team's events (tickets, comments, contacts, conversations, SLA breaches) to a URL of yours, signed."
          : "An admin of the team can create one."}
      </Text>
      {admin && (
        <Group justify="center">
          <Button onClick={onCreate}>Create webhook</Button>
        </Group>
      )}
      <Text size="sm" fw={600}>
        Verify each delivery on your receiver (Node.js, Express):
      </Text>
      <Code block tabIndex={0} aria-label="Verification snippet" style={{ overflow: "auto" }}>
        {VERIFY_SNIPPET}
      </Code>
      <Group gap="sm">
        <Copy value={VERIFY_SNIPPET} label="Copy snippet" />
        <Text size="sm">
          A complete receiver, with deduplication and secret rotation, is in <Code>examples/receiver</Code> (
          <Code>npm run example:receiver</Code>).
        </Text>
      </Group>
    </Stack>
  );
}
