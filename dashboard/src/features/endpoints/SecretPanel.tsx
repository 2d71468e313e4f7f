import { Alert, Button, Code, CopyButton, Group, Modal, NumberInput, Stack, Text } from "@mantine/core";
import { useState } from "react";
import { describeFailure } from "../../api/errors";
import { useRevealSecret, useRotateSecret } from "../../api/hooks";

/** Admins only: reveal the signing secret, or rotate it with an overlap during which both sign. */
export function SecretPanel({ webhookId }: { webhookId: string }) {
  const reveal = useRevealSecret(webhookId);
  const rotate = useRotateSecret(webhookId);
  const [confirming, setConfirming] = useState(false);
  const [overlapHours, setOverlapHours] = useState(24);
  const shown = rotate.data?.secret ?? reveal.data?.secret;

  return (
    <Stack>
      <Text size="sm">
        Receivers verify each delivery's signature with this secret. Rotating makes a new one; the old one keeps signing beside it (both
        signatures are sent) for the overlap you choose, so receivers can switch without missing a delivery.
      </Text>
      {shown ? (
        <Group wrap="nowrap" align="flex-start">
          <Code block aria-label="Signing secret" style={{ flex: 1, wordBreak: "break-all" }} data-testid="secret">
            {shown}
          </Code>
          <CopyButton value={shown}>
            {({ copied, copy }) => (
              <Button variant="default" onClick={copy}>
                {copied ? "Copied" : "Copy secret"}
              </Button>
            )}
          </CopyButton>
        </Group>
      ) : null}
      {reveal.data?.previous && !rotate.data && <Text size="sm">The previous secret still signs too, until its overlap ends.</Text>}
      {rotate.data?.previousValidUntil && (
        <Text size="sm" role="status">
          Rotated to version {rotate.data.secretVersion}. The previous secret also signs until{" "}
          {new Date(rotate.data.previousValidUntil).toLocaleString()}.
        </Text>
      )}
      {(reveal.isError || rotate.isError) && (
        <Alert color="red" role="alert">
          {describeFailure(reveal.error ?? rotate.error)}
        </Alert>
      )}
      <Group>
        {!shown && (
          <Button variant="default" onClick={() => reveal.mutate()} loading={reveal.isPending}>
            Reveal secret
          </Button>
        )}
        <Button variant="default" onClick={() => setConfirming(true)}>
          Rotate secret
        </Button>
      </Group>
      <Modal
        closeButtonProps={{ "aria-label": "Close" }}
        opened={confirming}
        onClose={() => setConfirming(false)}
        title="Rotate the signing secret"
      >
        <Stack>
          <Text size="sm">
            A new secret signs from now on. For the overlap below the old one signs as well; after it, only the new one.
          </Text>
          <NumberInput
            label="Overlap (hours)"
            min={0}
            max={168}
            allowDecimal={false}
            value={overlapHours}
            onChange={(v) => setOverlapHours(Number(v) || 0)}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button loading={rotate.isPending} onClick={() => rotate.mutate(overlapHours, { onSettled: () => setConfirming(false) })}>
              Rotate
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
