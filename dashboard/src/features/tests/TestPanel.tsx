import { Alert, Anchor, Badge, Button, Code, Group, Select, SimpleGrid, Stack, Table, Text } from "@mantine/core";
import { Fragment, useState } from "react";
import { Link } from "react-router";
import { BASE } from "../../routes";
import { useIsAdmin } from "../../api/context";
import { describeFailure } from "../../api/errors";
import { useEventCatalog, useTestHistory, useTestWebhook } from "../../api/hooks";
import type { TestRecord } from "../../api/types";
import { ms, outcome, pretty, when } from "../../components/ui/format";
import { HeaderTable } from "../../components/ui/HeaderTable";
import { Empty, ErrorState, Loading } from "../../components/ui/States";
import { TONES } from "../../components/ui/StatusBadges";

const TEST_EVENT = "webhook.test";

/** Send a test event (or a sample of any type) and see the receiver's answer, and the latest tests. */
export function TestPanel({ webhookId, usable }: { webhookId: string; usable: boolean }) {
  const admin = useIsAdmin();
  const catalog = useEventCatalog();
  const test = useTestWebhook(webhookId);
  const history = useTestHistory(webhookId);
  const [eventType, setEventType] = useState<string>(TEST_EVENT);
  const [open, setOpen] = useState<string | null>(null);
  const result = test.data;
  const sample = catalog.data?.find((t) => t.type === eventType)?.sample;
  const preview = sample
    ? JSON.stringify(sample, null, 2)
    : eventType === TEST_EVENT
      ? JSON.stringify({ event: TEST_EVENT, data: { message: "This is a test event from Jiwaku Webhooks." } }, null, 2)
      : null;

  return (
    <Stack>
      {admin && (
        <Group align="flex-end">
          <Select
            label="Test event type"
            value={eventType}
            onChange={(v) => setEventType(v ?? TEST_EVENT)}
            data={[TEST_EVENT, ...(catalog.data?.map((t) => t.type) ?? [])]}
            allowDeselect={false}
            w={260}
          />
          <Button onClick={() => test.mutate(eventType)} loading={test.isPending} disabled={!usable}>
            Test
          </Button>
          <Anchor component={Link} to={`${BASE}/events#${eventType === TEST_EVENT ? "" : eventType}`} size="sm">
            Event catalog
          </Anchor>
        </Group>
      )}
      {admin && preview && (
        <details>
          <summary>
            <Text span size="sm">
              The payload the test sends (its id and time are the test's own)
            </Text>
          </summary>
          <Code block tabIndex={0} aria-label="Test payload preview" style={{ maxHeight: 240, overflow: "auto" }}>
            {preview}
          </Code>
        </details>
      )}
      {test.isError && (
        <Alert color="red" role="alert" title="Test not sent">
          {describeFailure(test.error)}
        </Alert>
      )}
      {result && (
        <div role="status" aria-label="Test result">
          <Alert
            color={result.succeeded ? TONES.green : TONES.red}
            title={result.succeeded ? "The receiver accepted the test" : "The test failed"}
          >
            <Stack gap={4}>
              <Text size="sm">
                Response status: <b data-testid="test-status">{result.statusCode ?? "none"}</b> · Duration:{" "}
                <b data-testid="test-duration">{ms(result.durationMs)}</b>
              </Text>
              {result.errorClass && (
                <Text size="sm">
                  Error: {result.errorClass}
                  {result.errorMessage ? ` (${result.errorMessage})` : ""}
                </Text>
              )}
              {result.responseExcerpt && (
                <>
                  <Text size="sm">Response body:</Text>
                  <Code block>{result.responseExcerpt}</Code>
                </>
              )}
            </Stack>
          </Alert>
        </div>
      )}
      <Text fw={600} size="sm">
        Test history
      </Text>
      {history.error && <ErrorState error={history.error} what="the test history" />}
      {!history.tests && !history.error && <Loading label="Loading test history" />}
      {history.tests?.length === 0 && <Empty title="No tests sent yet" />}
      {history.tests && history.tests.length > 0 && (
        <Table.ScrollContainer minWidth={520}>
          <Table aria-label="Test history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Sent</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>Result</Table.Th>
                <Table.Th>Response</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Request and response</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.tests.map((t) => (
                <Fragment key={t.id}>
                  <Table.Tr data-test-id={t.id}>
                    <Table.Td>{when(t.createdAt)}</Table.Td>
                    <Table.Td>{t.eventType}</Table.Td>
                    <Table.Td>
                      <Badge color={t.response.succeeded ? TONES.green : TONES.red}>{t.response.succeeded ? "succeeded" : "failed"}</Badge>
                    </Table.Td>
                    <Table.Td>{outcome(t.response.statusCode, t.response.errorClass)}</Table.Td>
                    <Table.Td>{ms(t.response.durationMs)}</Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        aria-expanded={open === t.id}
                        aria-label={`${open === t.id ? "Hide" : "Show"} request and response of the test of ${when(t.createdAt)}`}
                        onClick={() => setOpen(open === t.id ? null : t.id)}
                      >
                        {open === t.id ? "Hide" : "Show"}
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                  {open === t.id && (
                    <Table.Tr>
                      <Table.Td colSpan={6}>
                        <TestExchange test={t} />
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Fragment>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

/** One test's exchange: the request as sent (headers, body) and what came back. */
function TestExchange({ test: t }: { test: TestRecord }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }}>
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          Request: POST {t.request.url}
        </Text>
        <HeaderTable headers={t.request.headers} label={`Request headers of the test of ${when(t.createdAt)}`} />
        <Code block tabIndex={0} aria-label="Test request body" style={{ maxHeight: 200, overflow: "auto" }}>
          {pretty(t.request.payload)}
        </Code>
      </Stack>
      <Stack gap="xs">
        <Text size="sm" fw={600}>
          Response: {outcome(t.response.statusCode, t.response.errorClass)} · {ms(t.response.durationMs)}
        </Text>
        {t.response.errorMessage && <Text size="sm">{t.response.errorMessage}</Text>}
        <HeaderTable headers={t.response.responseHeaders} label={`Response headers of the test of ${when(t.createdAt)}`} />
        {t.response.responseExcerpt && (
          <Code block tabIndex={0} aria-label="Test response body excerpt" style={{ maxHeight: 200, overflow: "auto" }}>
            {t.response.responseExcerpt}
          </Code>
        )}
      </Stack>
    </SimpleGrid>
  );
}
