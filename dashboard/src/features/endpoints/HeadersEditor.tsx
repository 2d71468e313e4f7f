import { Button, Group, Stack, Text, TextInput } from "@mantine/core";
import { headerRow, type HeaderRow } from "./formModel";

/** Custom request headers as rows of name and value; errors from the API land on the row they name. */
export function HeadersEditor({
  rows,
  onChange,
  error,
  rowErrors,
}: {
  rows: HeaderRow[];
  onChange: (rows: HeaderRow[]) => void;
  error?: string;
  rowErrors: Record<string, string>;
}) {
  const set = (id: number, patch: Partial<HeaderRow>) => onChange(rows.map((r) => (r.id === id ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs" role="group" aria-label="Custom headers">
      <Text size="sm" fw={500}>
        Custom headers
      </Text>
      {rows.length === 0 && (
        <Text size="sm" c="gray.7">
          None. Headers are sent with every delivery; their values are shown to admins only.
        </Text>
      )}
      {rows.map((r, i) => {
        // The API names the row's header; a message about its value belongs at the value.
        const rowError = rowErrors[r.name.trim()];
        const valueError = rowError && /value/i.test(rowError) ? rowError : undefined;
        const nameError = valueError ? undefined : rowError;
        return (
          <Group key={r.id} align="flex-start" wrap="nowrap">
            <TextInput
              aria-label={`Header ${i + 1} name`}
              placeholder="X-Api-Key"
              value={r.name}
              error={nameError}
              onChange={(e) => set(r.id, { name: e.currentTarget.value })}
              style={{ flex: 1 }}
            />
            <TextInput
              aria-label={`Header ${i + 1} value`}
              placeholder="value"
              value={r.value}
              error={valueError}
              onChange={(e) => set(r.id, { value: e.currentTarget.value })}
              style={{ flex: 2 }}
            />
            <Button variant="default" aria-label={`Remove header ${i + 1}`} onClick={() => onChange(rows.filter((x) => x.id !== r.id))}>
              Remove
            </Button>
          </Group>
        );
      })}
      {error && Object.keys(rowErrors).length === 0 && (
        <Text c="red.9" size="sm" role="alert">
          {error}
        </Text>
      )}
      <Group>
        <Button variant="default" size="xs" onClick={() => onChange([...rows, headerRow()])}>
          Add header
        </Button>
      </Group>
    </Stack>
  );
}
