// The helpdesk's own web app: its own sign-in, its own Tickets page, and the webhook pages of
// @jiwaku/webhooks-dashboard mounted under its /dashboard/webhooks route, with its Firebase app,
// router, QueryClient and theme. On the emulators of firebase.json (a deployed app drops the
// connect* lines).
import "@mantine/core/styles.css";
import { Anchor, AppShell, Button, Group, MantineProvider, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { initializeApp } from "firebase/app";
import { connectAuthEmulator, getAuth, onAuthStateChanged, signInWithEmailAndPassword } from "firebase/auth";
import { connectFunctionsEmulator, getFunctions } from "firebase/functions";
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import { callableApi, firestoreLive, WebhookRoutes, WebhooksProvider, webhooksMutationCache } from "@jiwaku/webhooks-dashboard";

const app = initializeApp({ projectId: "demo-helpdesk", apiKey: "demo-key", authDomain: "demo-helpdesk.firebaseapp.com" });
const auth = getAuth(app);
connectAuthEmulator(auth, "http://127.0.0.1:9199", { disableWarnings: true });
const functions = getFunctions(app);
connectFunctionsEmulator(functions, "127.0.0.1", 5101);

// The webhooks kit was installed as the instance "webhooks": its callables are kit-webhooks-<name>.
const api = callableApi(functions, { instance: "webhooks" });
const live = firestoreLive(app, { host: "127.0.0.1", port: 8180 });
const teamId = new URLSearchParams(location.search).get("team") ?? "acme";
const queryClient = new QueryClient({ mutationCache: webhooksMutationCache() });

function SignIn() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState(null);
  const submit = (e) => {
    e.preventDefault();
    signInWithEmailAndPassword(auth, email, password).catch((err) => setError(err.message));
  };
  return (
    <form onSubmit={submit}>
      <Stack maw={360}>
        <Title order={2}>Sign in to the helpdesk</Title>
        <TextInput label="Email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        <PasswordInput label="Password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        {error && <Text role="alert">{error}</Text>}
        <Button type="submit">Sign in</Button>
      </Stack>
    </form>
  );
}

function Tickets() {
  return (
    <Stack>
      <Title order={2}>Tickets</Title>
      <Text>The helpdesk's own page.</Text>
    </Stack>
  );
}

function Helpdesk() {
  const [member, setMember] = useState({ state: "loading" });
  useEffect(
    () =>
      onAuthStateChanged(auth, (user) => {
        if (!user) return setMember({ state: "signed-out" });
        live.roleOf(teamId, user.uid).then(
          (role) => setMember(role ? { state: "member", role } : { state: "outsider" }),
          (error) => setMember({ state: "outsider", error }),
        );
      }),
    [],
  );
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" gap="lg">
          <Title order={1} size="h4">
            Helpdesk
          </Title>
          <Anchor component={Link} to="/dashboard/tickets">
            Tickets
          </Anchor>
          <Anchor component={Link} to="/dashboard/webhooks">
            Webhooks
          </Anchor>
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        {member.state === "signed-out" && <SignIn />}
        {member.state === "outsider" && <Text>Not a member of {teamId}.</Text>}
        {member.state === "member" && (
          <WebhooksProvider value={{ api, live, teamId, role: member.role }}>
            <Routes>
              <Route path="/dashboard/tickets" element={<Tickets />} />
              <Route path="/dashboard/webhooks/*" element={<WebhookRoutes />} />
              <Route path="*" element={<Navigate to="/dashboard/tickets" replace />} />
            </Routes>
          </WebhooksProvider>
        )}
      </AppShell.Main>
    </AppShell>
  );
}

createRoot(document.getElementById("root")).render(
  <MantineProvider>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Helpdesk />
      </BrowserRouter>
    </QueryClientProvider>
  </MantineProvider>,
);
