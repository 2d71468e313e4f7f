import { AppShell, Badge, Button, Center, Group, Loader, MantineProvider, Text, Title } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { onAuthStateChanged, signOut, type User } from "firebase/auth";
import { useEffect, useMemo, useState } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import {
  BASE,
  callableApi,
  contrast,
  firestoreLive,
  theme,
  WebhookRoutes,
  WebhooksProvider,
  webhooksMutationCache,
  type Role,
  type WebhooksContextValue,
} from ".";
import { chosenTeam, type FirebaseSetup } from "./firebase";
import { ErrorState } from "./components/ui/States";
import { NoAccessPage } from "./pages/NoAccessPage";
import { SignInPage } from "./pages/SignInPage";

type Session =
  | { state: "loading" }
  | { state: "signed-out" }
  | { state: "member"; user: User; role: Role }
  | { state: "outsider"; user: User }
  | { state: "failed"; user: User; error: unknown };

function Shell({ setup }: { setup: FirebaseSetup }) {
  const [teamId] = useState(chosenTeam);
  const api = useMemo(() => callableApi(setup.functions), [setup]);
  const live = useMemo(() => firestoreLive(setup.app, setup.firestoreEmulator), [setup]);
  const [session, setSession] = useState<Session>({ state: "loading" });
  useEffect(
    () =>
      onAuthStateChanged(setup.auth, (user) => {
        if (!user) return setSession({ state: "signed-out" });
        setSession({ state: "loading" });
        live.roleOf(teamId, user.uid).then(
          (role) => setSession(role ? { state: "member", user, role } : { state: "outsider", user }),
          (error: unknown) => setSession({ state: "failed", user, error }),
        );
      }),
    [setup, live, teamId],
  );
  const context: WebhooksContextValue | null = session.state === "member" ? { api, live, teamId, role: session.role } : null;
  const user = "user" in session ? session.user : null;

  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Title order={1} size="h4">
            Jiwaku · Webhooks
          </Title>
          {user && (
            <Group gap="xs" wrap="nowrap">
              <Text size="sm" visibleFrom="sm">
                {user.email} · {teamId}
              </Text>
              {session.state === "member" && <Badge variant="outline">{session.role}</Badge>}
              <Button size="xs" variant="default" onClick={() => void signOut(setup.auth)}>
                Sign out
              </Button>
            </Group>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        {session.state === "loading" && (
          <Center h={200}>
            <Loader role="status" aria-label="Loading" />
          </Center>
        )}
        {session.state === "signed-out" && <SignInPage auth={setup.auth} emulated={setup.emulated} />}
        {session.state === "outsider" && <NoAccessPage email={session.user.email ?? session.user.uid} teamId={teamId} />}
        {session.state === "failed" && <ErrorState error={session.error} what="your access to this team" />}
        {context && (
          <WebhooksProvider value={context}>
            <Routes>
              <Route path={`${BASE}/*`} element={<WebhookRoutes />} />
              <Route path="*" element={<Navigate to={BASE} replace />} />
            </Routes>
          </WebhooksProvider>
        )}
      </AppShell.Main>
    </AppShell>
  );
}

export function App({ setup }: { setup: FirebaseSetup }) {
  const [client] = useState(
    () =>
      new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true } }, mutationCache: webhooksMutationCache() }),
  );
  return (
    <MantineProvider theme={theme} cssVariablesResolver={contrast}>
      <QueryClientProvider client={client}>
        <BrowserRouter>
          <Shell setup={setup} />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  );
}
