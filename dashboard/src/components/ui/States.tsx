import { Alert, Center, Loader, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";
import { describeFailure } from "../../api/errors";

export function Loading({ label }: { label: string }) {
  return (
    <Center py="lg">
      <Loader role="status" aria-label={label} size="sm" />
    </Center>
  );
}

export function ErrorState({ error, what }: { error: unknown; what: string }) {
  return (
    <Alert color="red" title={`Could not load ${what}`} role="alert">
      {describeFailure(error)}
    </Alert>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Stack align="center" py="lg" gap="xs">
      <Text fw={600}>{title}</Text>
      {children}
    </Stack>
  );
}
