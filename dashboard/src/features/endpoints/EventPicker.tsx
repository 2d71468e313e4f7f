import { Anchor, Checkbox, Group, Paper, SimpleGrid, Stack, Text } from "@mantine/core";
import { BASE } from "../../routes";
import type { EventType } from "../../api/types";
import { categories, categoryState, isSelected, OPERATIONAL_CATEGORY, toggleCategory, toggleEverything, toggleType } from "./formModel";

/** All event types grouped by category, with select-all per category and `*` for everything. */
export function EventPicker({
  catalog,
  value,
  onChange,
  error,
}: {
  catalog: EventType[];
  value: string[];
  onChange: (v: string[]) => void;
  error?: string;
}) {
  const all = categories(catalog);
  return (
    <Stack gap="sm" role="group" aria-label="Events" aria-describedby={error ? "events-error" : undefined}>
      <Text size="sm">
        What each event carries:{" "}
        <Anchor href={`${BASE}/events`} target="_blank" rel="noopener">
          the event catalog, with sample payloads
        </Anchor>
        .
      </Text>
      <Checkbox
        label="All helpdesk events, including types added later (*)"
        checked={value.includes("*")}
        onChange={() => onChange(toggleEverything(value))}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        {all.map((c) => {
          const state = categoryState(value, c);
          return (
            <Paper key={c.name} withBorder p="sm" radius="md">
              <Checkbox
                fw={600}
                label={`All ${c.name} events`}
                checked={state === "all"}
                indeterminate={state === "some"}
                onChange={() => onChange(toggleCategory(value, c, all))}
              />
              {c.name === OPERATIONAL_CATEGORY && (
                <Text size="sm" c="gray.7" mt={4}>
                  Operational events: about the endpoints themselves (failing, recovered, disabled, failed deliveries), not about the
                  helpdesk. Not included in *; an endpoint is never sent one about itself.
                </Text>
              )}
              <Stack gap={6} mt="xs" ml="lg">
                {c.types.map((t) => (
                  <Checkbox
                    key={t.type}
                    label={t.type}
                    description={t.description}
                    checked={isSelected(value, t.type)}
                    onChange={() => onChange(toggleType(value, t.type, all))}
                  />
                ))}
              </Stack>
            </Paper>
          );
        })}
      </SimpleGrid>
      {error && (
        <Group>
          <Text id="events-error" c="red.9" size="sm" role="alert">
            {error}
          </Text>
        </Group>
      )}
    </Stack>
  );
}
