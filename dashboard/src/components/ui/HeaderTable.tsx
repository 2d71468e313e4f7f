import { Table, Text } from "@mantine/core";

/** Recorded HTTP headers, name and value a row. */
export function HeaderTable({ headers, label }: { headers: Record<string, string> | undefined; label: string }) {
  const rows = Object.entries(headers ?? {});
  if (rows.length === 0) return <Text size="sm">None recorded.</Text>;
  return (
    <Table.ScrollContainer minWidth={420}>
      <Table aria-label={label} fz="xs">
        <Table.Tbody>
          {rows.map(([n, v]) => (
            <Table.Tr key={n}>
              <Table.Td fw={600} style={{ whiteSpace: "nowrap" }}>
                {n}
              </Table.Td>
              <Table.Td style={{ wordBreak: "break-all", fontFamily: "monospace" }}>{v}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
