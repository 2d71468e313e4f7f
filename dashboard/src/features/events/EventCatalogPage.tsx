import { Anchor, Badge, Button, Code, CopyButton, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { useEventCatalog } from "../../api/hooks";
import { categories, OPERATIONAL_CATEGORY } from "../endpoints/formModel";
import { ErrorState, Loading } from "../../components/ui/States";
import { BASE } from "../../routes";

/** Every event type by category, with its description and the sample payload listEventTypes returns. */
export function EventCatalogPage() {
  const catalog = useEventCatalog();
  return (
    <Stack gap="lg" maw={1200} mx="auto">
      <Anchor component={Link} to={BASE} size="sm">
        ← All webhooks
      </Anchor>
      <Title order={2}>Event catalog</Title>
      <Text size="sm">
        What each event means and the body a receiver gets for it. Subscribe to a type, to a whole category with <code>category.*</code>, or
        to every helpdesk event with <code>*</code> (operational <code>webhook.*</code> events are not part of <code>*</code>).
      </Text>
      {catalog.isPending && <Loading label="Loading the event catalog" />}
      {catalog.isError && <ErrorState error={catalog.error} what="the event catalog" />}
      {catalog.data &&
        categories(catalog.data).map((c) => (
          <Paper key={c.name} withBorder p="md" radius="md" component="section" aria-labelledby={`category-${c.name}`}>
            <Title order={3} size="h4" id={`category-${c.name}`} mb="xs">
              {c.name}.*
            </Title>
            {c.name === OPERATIONAL_CATEGORY && (
              <Text size="sm" mb="sm">
                Operational events: about the endpoints themselves. An endpoint is never sent one about itself.
              </Text>
            )}
            <Stack gap="md">
              {c.types.map((t) => {
                const sample = JSON.stringify(t.sample, null, 2);
                return (
                  <div key={t.type} id={t.type} data-event-type={t.type}>
                    <Group gap="xs" mb={4}>
                      <Badge variant="outline" color="gray.8" style={{ textTransform: "none" }}>
                        {t.type}
                      </Badge>
                      <Text size="sm">{t.description}</Text>
                    </Group>
                    <Group gap="xs" mb={4}>
                      <CopyButton value={sample}>
                        {({ copied, copy }) => (
                          <Button size="xs" variant="default" onClick={copy} aria-label={`Copy sample of ${t.type}`}>
                            {copied ? "Copied" : "Copy sample"}
                          </Button>
                        )}
                      </CopyButton>
                    </Group>
                    <Code block tabIndex={0} aria-label={`Sample of ${t.type}`} style={{ maxHeight: 240, overflow: "auto" }}>
                      {sample}
                    </Code>
                  </div>
                );
              })}
            </Stack>
          </Paper>
        ))}
    </Stack>
  );
}
