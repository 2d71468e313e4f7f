import { Alert, Button, Container, Group, Paper, PasswordInput, Stack, Text, TextInput, Title } from "@mantine/core";
import { signInWithEmailAndPassword, type Auth } from "firebase/auth";
import { useState, type FormEvent } from "react";
import { DEMO_USERS } from "../firebase";

export function SignInPage({ auth, emulated }: { auth: Auth; emulated: boolean }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const signIn = async (e: string, p: string) => {
    setBusy(true);
    setError(null);
    try {
      await signInWithEmailAndPassword(auth, e, p);
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      setError(code.includes("invalid") || code.includes("not-found") || code.includes("wrong") ? "Wrong email or password" : String(err));
      setBusy(false);
    }
  };
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    void signIn(email, password);
  };

  return (
    <Container size={420} py="xl">
      <Title order={2} mb="md">
        Sign in
      </Title>
      <Paper withBorder p="lg" radius="md">
        <form onSubmit={submit}>
          <Stack>
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              required
              withAsterisk={false}
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              withAsterisk={false}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
      {emulated && (
        <Paper withBorder p="lg" radius="md" mt="md">
          <Text fw={600} mb="xs">
            Demo accounts (emulators only)
          </Text>
          <Text size="sm" mb="sm">
            Password for both: <code>{DEMO_USERS[0].password}</code>
          </Text>
          <Group>
            {DEMO_USERS.map((u) => (
              <Button key={u.email} variant="light" disabled={busy} onClick={() => void signIn(u.email, u.password)}>
                Sign in as {u.label}
              </Button>
            ))}
          </Group>
        </Paper>
      )}
    </Container>
  );
}
