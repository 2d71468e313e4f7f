import { Badge, Group, Tooltip } from "@mantine/core";
import type { DeliveryStatus, Webhook } from "../../api/types";

// Shades dark enough for white badge text (4.5:1 or more).
export const TONES = { green: "#1b6e2e", red: "#a61e1e", orange: "#a63b08", blue: "#1864ab", gray: "#343a40" };

const REASONS: Record<string, string> = {
  manual: "disabled by an admin",
  endpoint_gone: "the endpoint answered 410 Gone",
  failing: "failing continuously",
};

/** Active / disabled with its reason / invalid with its reason, and the circuit breaker when open. */
export function EndpointStatus({ webhook }: { webhook: Webhook }) {
  const reason = webhook.statusReason ? (REASONS[webhook.statusReason] ?? webhook.statusReason) : null;
  const color = webhook.status === "active" ? TONES.green : webhook.status === "invalid" ? TONES.red : TONES.gray;
  return (
    <Group gap={6} wrap="wrap">
      <Badge color={color}>{webhook.status}</Badge>
      {reason && webhook.status !== "active" && (
        <Badge color={color} variant="outline" style={{ textTransform: "none" }} title={reason}>
          {reason.length > 60 ? `${reason.slice(0, 57)}...` : reason}
        </Badge>
      )}
      {webhook.circuit && webhook.circuit !== "closed" && (
        <Tooltip
          label={
            webhook.circuitOpenUntil ? `no sends until ${new Date(webhook.circuitOpenUntil).toLocaleTimeString()}` : "one probe at a time"
          }
        >
          <Badge color={TONES.orange}>{webhook.circuit === "open" ? "circuit open" : "circuit half-open"}</Badge>
        </Tooltip>
      )}
    </Group>
  );
}

const DELIVERY_COLORS: Record<DeliveryStatus, string> = {
  pending: TONES.blue,
  retrying: TONES.orange,
  succeeded: TONES.green,
  failed: TONES.red,
  cancelled: TONES.gray,
};

export function DeliveryStatusBadge({ status }: { status: DeliveryStatus }) {
  return <Badge color={DELIVERY_COLORS[status] ?? TONES.gray}>{status}</Badge>;
}
