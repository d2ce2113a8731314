import { Alert, Button, Container, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { api, setCsrfToken } from '../api';
import { navigate } from '../router';

interface Props {
  onSignedIn: () => void;
}

export function SignInScreen({ onSignedIn, oidc }: Props & { oidc: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const session = await api<{ csrfToken: string }>('/auth/login', {
        method: 'POST',
        body: { username, password },
      });
      setCsrfToken(session.csrfToken);
      onSignedIn();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Container size="xs" py="xl" component="main">
      <Title order={1} mb="md">
        Sign in to easgate
      </Title>
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <TextInput
            label="User name"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {error && (
            <Alert color="red" role="alert" title="Sign-in failed">
              {error}
            </Alert>
          )}
          <Button type="submit">Sign in</Button>
          {oidc && (
            <Button component="a" href="/auth/oidc/start" variant="outline">
              Sign in with single sign-on
            </Button>
          )}
        </Stack>
      </form>
    </Container>
  );
}

/** First start: the one-time link (`/setup#code=…`) creates the first administrator. */
export function SetupScreen({ onSignedIn }: Props) {
  const fromLink = new URLSearchParams(window.location.hash.slice(1)).get('code') ?? '';
  const [code, setCode] = useState(fromLink);
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      const session = await api<{ csrfToken: string }>('/auth/setup', {
        method: 'POST',
        body: { code, username, password },
      });
      setCsrfToken(session.csrfToken);
      navigate('/connect');
      onSignedIn();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Container size="xs" py="xl" component="main">
      <Title order={1} mb="md">
        Create the administrator
      </Title>
      <Text mb="md">
        This is the first start of easgate. Choose the administrator's user name and a password of at least 12
        characters. The one-time code comes from the link <code>easgate start</code> printed.
      </Text>
      <form onSubmit={(e) => void submit(e)}>
        <Stack>
          <PasswordInput
            label="One-time code"
            required
            value={code}
            onChange={(e) => setCode(e.currentTarget.value)}
          />
          <TextInput
            label="User name"
            autoComplete="username"
            required
            value={username}
            onChange={(e) => setUsername(e.currentTarget.value)}
          />
          <PasswordInput
            label="Password"
            description="At least 12 characters"
            autoComplete="new-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          {error && (
            <Alert color="red" role="alert" title="Could not create the administrator">
              {error}
            </Alert>
          )}
          <Button type="submit">Create administrator and sign in</Button>
        </Stack>
      </form>
    </Container>
  );
}
