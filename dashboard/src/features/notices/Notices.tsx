import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useIsAdmin } from "../../api/context";
import { describeFailure } from "../../api/errors";
import { useMarkNoticesRead, useNotices } from "../../api/hooks";
import type { Notice, NoticeType, Webhook } from "../../api/types";
import { BASE } from "../../routes";
import { outcome, when } from "../../components/ui/format";
import { ErrorState, Loading } from "../../components/ui/States";
import { Time } from "../../components/ui/Time";
import { TONES } from "../../components/ui/StatusBadges";

const LABELS: Record<NoticeType, { text: string; color: string }> = {
  "endpoint.failing": { text: "failing", color: TONES.orange },
  "endpoint.disable_soon": { text: "disabled soon", color: TONES.red },
  "endpoint.disabled": { text: "disabled", color: TONES.red },
  "endpoint.recovered": { text: "recovered", color: TONES.green },
};

/** Unread first, newest first. */
const unreadFirst = (a: Notice, b: Notice) =>
  (a.readAt === null) === (b.readAt === null) ? b.at.localeCompare(a.at) : a.readAt === null ? -1 : 1;

function NoticeItem({ notice, showEndpoint }: { notice: Notice; showEndpoint: boolean }) {
  const label = LABELS[notice.type] ?? { text: notice.type, color: TONES.gray };
  const unread = notice.readAt === null;
  return (
    <Paper withBorder p="sm" radius="md" data-notice-id={notice.id} data-unread={unread}>
      <Group gap="xs" wrap="wrap" mb={4}>
        <Badge color={label.color}>{label.text}</Badge>
        {unread && (
          <Badge color={TONES.blue} variant="outline">
            unread
          </Badge>
        )}
        {showEndpoint && (
          <Anchor component={Link} to={`${BASE}/${notice.webhookId}`} size="sm" fw={600} style={{ wordBreak: "break-all" }}>
            {notice.url}
          </Anchor>
        )}
        <Text size="xs" c="gray.7" span>
          <Time iso={notice.at} />
        </Text>
      </Group>
      <Text size="sm" fw={unread ? 600 : undefined}>
        {notice.reason}
      </Text>
    </Paper>
  );
}

/** The list page's strip: the team's notices, unread first, with "Mark all read" for admins. Nothing when there are none. */
export function NoticesStrip() {
  const admin = useIsAdmin();
  const { notices, error } = useNotices();
  const mark = useMarkNoticesRead();
  if (error) return <ErrorState error={error} what="the notices" />;
  if (!notices || notices.length === 0) return null;
  const unread = notices.filter((n) => n.readAt === null).length;
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby="notices">
      <Group justify="space-between" mb="sm">
        <Group gap="xs">
          <Title order={3} size="h4" id="notices">
            Notices
          </Title>
          {unread > 0 && <Badge color={TONES.blue}>{unread} unread</Badge>}
        </Group>
        {admin && unread > 0 && (
          <Button size="xs" variant="default" loading={mark.isPending} onClick={() => mark.mutate(undefined)}>
            Mark all read
          </Button>
        )}
      </Group>
      {mark.error && (
        <Alert color="red" role="alert" mb="sm">
          {describeFailure(mark.error)}
        </Alert>
      )}
      <Stack gap="xs" mah={420} style={{ overflowY: "auto" }}>
        {[...notices].sort(unreadFirst).map((n) => (
          <NoticeItem key={n.id} notice={n} showEndpoint />
        ))}
      </Stack>
    </Paper>
  );
}

/** The endpoint page's health: while failing, since when and when it will be disabled; then its notices, newest first. */
export function EndpointHealth({ webhook }: { webhook: Webhook }) {
  const { notices, error } = useNotices(webhook.id);
  if (error) return <ErrorState error={error} what="the health history" />;
  if (!notices) return <Loading label="Loading the health history" />;
  // The newest notice of the current failing episode says when it will be disabled and what failed.
  const latest = webhook.failingSince
    ? notices.find((n) => n.details.failingSince === webhook.failingSince && n.type !== "endpoint.recovered")
    : undefined;
  return (
    <Stack gap="sm">
      {webhook.failingSince && webhook.status === "active" && (
        <Alert color="red" title="Failing" role="status">
          Failing since {when(webhook.failingSince)}
          {latest?.details.disableAt ? `, will be disabled on ${when(latest.details.disableAt)} unless a delivery succeeds` : ""}.
          {latest && ` Last error: ${outcome(latest.details.lastStatusCode, latest.details.lastErrorClass)}.`}
        </Alert>
      )}
      {notices.length === 0 ? (
        <Text size="sm" c="gray.7">
          No health changes yet: notices appear here when the endpoint starts failing, recovers or is disabled.
        </Text>
      ) : (
        <Stack gap="xs">
          {notices.map((n) => (
            <NoticeItem key={n.id} notice={n} showEndpoint={false} />
          ))}
        </Stack>
      )}
    </Stack>
  );
}
