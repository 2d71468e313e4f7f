import {
  Accordion,
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  NumberInput,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useState, type FormEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { useIsAdmin } from "../../api/context";
import { toApiFailure, type ApiFailure } from "../../api/errors";
import { useCreateWebhook, useEventCatalog, useUpdateWebhook, useWebhook } from "../../api/hooks";
import { EventPicker } from "./EventPicker";
import { HeadersEditor } from "./HeadersEditor";
import { ErrorState, Loading } from "../../components/ui/States";
import { emptyForm, formFromWebhook, localProblems, toInput, type FormValues } from "./formModel";
import { BASE } from "../../routes";

const ADVANCED_FIELDS = ["maxAttempts", "timeoutMs", "rateLimitPerSecond", "headers"];

/** Create (`/new`) or edit (`/:webhookId/edit`) an endpoint. */
export function WebhookFormPage() {
  const { webhookId } = useParams();
  const existing = useWebhook(webhookId ?? "");
  const admin = useIsAdmin();
  if (!admin) return <Alert color="yellow">Only admins can create or change webhooks.</Alert>;
  if (!webhookId) return <WebhookForm />;
  if (existing.isPending) return <Loading label="Loading webhook" />;
  if (existing.isError) return <ErrorState error={existing.error} what="the webhook" />;
  if (!existing.data) return <Alert color="red">No webhook {webhookId} in this team.</Alert>;
  return <WebhookForm webhookId={webhookId} initial={formFromWebhook(existing.data)} />;
}

function WebhookForm({ webhookId, initial }: { webhookId?: string; initial?: FormValues }) {
  const navigate = useNavigate();
  const catalog = useEventCatalog();
  const create = useCreateWebhook();
  const update = useUpdateWebhook(webhookId ?? "");
  const [values, setValues] = useState<FormValues>(() => initial ?? emptyForm());
  const [sections, setSections] = useState<string[]>(["basics", "events"]);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const set = <K extends keyof FormValues>(key: K, value: FormValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const errorOf = (field: string) => local[field] ?? failure?.fields[field];

  // Open the sections that hold an error, so that it is seen.
  const openSectionsOf = (fields: string[]) =>
    setSections((current) => {
      const open = new Set(current);
      if (fields.some((f) => f === "url" || f === "description")) open.add("basics");
      if (fields.includes("events")) open.add("events");
      if (fields.some((f) => ADVANCED_FIELDS.includes(f))) open.add("advanced");
      return open.size === current.length ? current : [...open];
    });

  const pending = create.isPending || update.isPending;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = localProblems(values);
    setLocal(problems);
    setFailure(null);
    openSectionsOf(Object.keys(problems));
    if (Object.keys(problems).length) return;
    try {
      if (webhookId) {
        await update.mutateAsync(toInput(values));
        void navigate(`${BASE}/${webhookId}`);
      } else {
        const r = await create.mutateAsync(toInput(values));
        setCreated({ id: r.webhook.id, secret: r.secret });
      }
    } catch (err) {
      const found = toApiFailure(
        err,
        values.headers.map((h) => h.name.trim()),
      );
      setFailure(found);
      openSectionsOf(Object.keys(found.fields));
    }
  };
  const otherFailure = failure && Object.keys(failure.fields).length === 0 ? failure.message : null;

  return (
    <Stack maw={900} mx="auto">
      <Title order={2}>{webhookId ? "Edit webhook" : "New webhook"}</Title>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <Stack>
          <Accordion multiple value={sections} onChange={setSections} variant="separated">
            <Accordion.Item value="basics">
              <Accordion.Control>Basics</Accordion.Control>
              <Accordion.Panel>
                <Stack>
                  <TextInput
                    label="Webhook URL"
                    description="Where each event is sent, as a signed POST (https://)"
                    placeholder="https://example.com/webhooks/jiwaku"
                    required
                    value={values.url}
                    error={errorOf("url")}
                    onChange={(e) => set("url", e.currentTarget.value)}
                  />
                  <Textarea
                    label="Description"
                    maxLength={500}
                    autosize
                    minRows={2}
                    value={values.description}
                    error={errorOf("description")}
                    onChange={(e) => set("description", e.currentTarget.value)}
                  />
                </Stack>
              </Accordion.Panel>
            </Accordion.Item>
            <Accordion.Item value="events">
              <Accordion.Control>Events ({values.events.includes("*") ? "all" : `${values.events.length} selected`})</Accordion.Control>
              <Accordion.Panel>
                {catalog.isPending && <Loading label="Loading event types" />}
                {catalog.isError && <ErrorState error={catalog.error} what="the event types" />}
                {catalog.data && (
                  <EventPicker catalog={catalog.data} value={values.events} onChange={(v) => set("events", v)} error={errorOf("events")} />
                )}
              </Accordion.Panel>
            </Accordion.Item>
            <Accordion.Item value="advanced">
              <Accordion.Control>Advanced settings (optional)</Accordion.Control>
              <Accordion.Panel>
                <Stack>
                  <Group grow align="flex-start">
                    <NumberInput
                      label="Max attempts"
                      description="First attempt included, 1-20"
                      min={1}
                      max={20}
                      allowDecimal={false}
                      value={values.maxAttempts}
                      error={errorOf("maxAttempts")}
                      onChange={(v) => set("maxAttempts", Number(v) || 1)}
                    />
                    <NumberInput
                      label="Timeout (seconds)"
                      description="Per attempt, 1-30"
                      min={1}
                      max={30}
                      allowDecimal={false}
                      value={values.timeoutSeconds}
                      error={errorOf("timeoutMs")}
                      onChange={(v) => set("timeoutSeconds", Number(v) || 1)}
                    />
                    <NumberInput
                      label="Rate limit (per second)"
                      description="Deliveries per second; empty for no limit"
                      placeholder="No limit"
                      min={1}
                      max={1000}
                      allowDecimal={false}
                      value={values.rateLimitPerSecond ?? ""}
                      error={errorOf("rateLimitPerSecond")}
                      onChange={(v) => set("rateLimitPerSecond", v === "" ? null : Number(v))}
                    />
                  </Group>
                  <HeadersEditor
                    rows={values.headers}
                    onChange={(rows) => set("headers", rows)}
                    error={errorOf("headers")}
                    rowErrors={failure?.headers ?? {}}
                  />
                </Stack>
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
          {otherFailure && (
            <Alert color="red" role="alert" title="Not saved">
              {otherFailure}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => void navigate(webhookId ? `${BASE}/${webhookId}` : BASE)}>
              Cancel
            </Button>
            <Button type="submit" loading={pending}>
              {webhookId ? "Save Changes" : "Create Webhook"}
            </Button>
          </Group>
        </Stack>
      </form>

      <Modal
        closeButtonProps={{ "aria-label": "Close" }}
        opened={created !== null}
        onClose={() => created && void navigate(`${BASE}/${created.id}`)}
        title="Webhook created: its signing secret"
        size="lg"
      >
        <Stack>
          <Text size="sm">
            This is the only time the secret is shown here (admins can reveal it again on the webhook's page). Keep it with the receiver: it
            verifies the <code>webhook-signature</code> header of each delivery with it.
          </Text>
          <Code block aria-label="Signing secret" data-testid="new-secret">
            {created?.secret}
          </Code>
          <Group justify="flex-end">
            <CopyButton value={created?.secret ?? ""}>
              {({ copied, copy }) => (
                <Button variant="default" onClick={copy}>
                  {copied ? "Copied" : "Copy secret"}
                </Button>
              )}
            </CopyButton>
            <Button onClick={() => created && void navigate(`${BASE}/${created.id}`)}>Done</Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
