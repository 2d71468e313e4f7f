import { Alert, Container, Title } from "@mantine/core";

export function NoAccessPage({ email, teamId }: { email: string; teamId: string }) {
  return (
    <Container size="sm" py="xl">
      <Title order={2} mb="md">
        No access
      </Title>
      <Alert color="red" title="You are not a member of this team">
        You are signed in as {email}, who is not a member of team {teamId}. Ask one of its admins to add you, or sign in with another
        account.
      </Alert>
    </Container>
  );
}
