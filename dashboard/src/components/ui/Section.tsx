import { Group, Paper, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

/** A titled panel of a page. */
export function Section({ id, title, children, aside }: { id: string; title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4" id={id}>
          {title}
        </Title>
        {aside}
      </Group>
      {children}
    </Paper>
  );
}

/** A label above its value. */
export function Setting({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" tt="uppercase" fw={700} c="gray.7">
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: "break-all" }}>
        {children}
      </Text>
    </div>
  );
}
