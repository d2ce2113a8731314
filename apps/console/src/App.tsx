import { Anchor, AppShell, Button, Group, Loader, NavLink, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { MouseEvent, ReactNode } from 'react';
import { api, ApiError, type SessionUser, setCsrfToken } from './api';
import { navigate, usePath } from './router';
import { SessionProvider } from './session';
import { AlertingScreen } from './screens/AlertingScreen';
import { AuditScreen } from './screens/AuditScreen';
import { CertificatesScreen } from './screens/CertificatesScreen';
import { DeadLettersScreen } from './screens/DeadLettersScreen';
import { ConnectWizard } from './screens/ConnectWizard';
import { DevicesScreen } from './screens/DevicesScreen';
import { ExchangeStatusScreen } from './screens/ExchangeStatusScreen';
import { RulesScreen } from './screens/RulesScreen';
import { SetupScreen, SignInScreen } from './screens/SignInScreen';

interface SessionInfo {
  user?: SessionUser;
  setupRequired?: boolean;
  oidc?: boolean;
}

async function loadSession(): Promise<SessionInfo> {
  try {
    const session = await api<{ user: SessionUser; csrfToken: string }>('/auth/session');
    setCsrfToken(session.csrfToken);
    return { user: session.user };
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      const res = await fetch('/auth/session');
      return (await res.json()) as SessionInfo;
    }
    throw err;
  }
}

const SCREENS: { path: string; label: string }[] = [
  { path: '/connect', label: 'Connect a tenant' },
  { path: '/exchange', label: 'Exchange ActiveSync' },
  { path: '/alerting', label: 'Health check configuration' },
  { path: '/devices', label: 'Devices' },
  { path: '/certificates', label: 'Certificates' },
  { path: '/rules', label: 'Rules' },
  { path: '/audit', label: 'Audit log' },
  { path: '/dead-letters', label: 'Dead letters' },
];

export function App() {
  const path = usePath();
  const queryClient = useQueryClient();
  const session = useQuery({ queryKey: ['session'], queryFn: loadSession });
  const signedIn = () => void queryClient.invalidateQueries({ queryKey: ['session'] });

  if (session.isPending)
    return (
      <main>
        <Loader aria-label="Loading" m="xl" />
      </main>
    );
  if (session.isError)
    return (
      <main>
        <Title order={1}>easgate console</Title>
        <Text role="alert">The console gateway is not answering: {session.error.message}</Text>
      </main>
    );
  const user = session.data.user;
  if (!user) {
    return path === '/setup' || session.data.setupRequired ? (
      <SetupScreen onSignedIn={signedIn} />
    ) : (
      <SignInScreen oidc={session.data.oidc === true} onSignedIn={signedIn} />
    );
  }

  const go = (target: string) => (event: MouseEvent) => {
    event.preventDefault();
    navigate(target);
  };
  let screen: ReactNode;
  switch (path) {
    case '/exchange':
      screen = <ExchangeStatusScreen />;
      break;
    case '/alerting':
      screen = <AlertingScreen />;
      break;
    case '/devices':
      screen = <DevicesScreen />;
      break;
    case '/certificates':
      screen = <CertificatesScreen />;
      break;
    case '/rules':
      screen = <RulesScreen />;
      break;
    case '/audit':
      screen = <AuditScreen />;
      break;
    case '/dead-letters':
      screen = <DeadLettersScreen user={user} />;
      break;
    default:
      screen = <ConnectWizard />;
  }
  const signOut = async () => {
    await api('/auth/logout', { method: 'POST' });
    navigate('/');
    signedIn();
  };
  return (
    <SessionProvider value={user}>
      <AppShell header={{ height: 56 }} navbar={{ width: 260, breakpoint: 'sm' }} padding="md">
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between">
            <Anchor href="/" onClick={go('/')} fw={700} c="dark">
              easgate
            </Anchor>
            <Group>
              <Text size="sm">
                Signed in as <strong>{user.id}</strong> ({user.roles.join(', ')})
              </Text>
              <Button variant="outline" size="xs" onClick={() => void signOut()}>
                Sign out
              </Button>
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Screens">
          {SCREENS.map((s) => (
            <NavLink
              key={s.path}
              href={s.path}
              label={s.label}
              active={path === s.path || (s.path === '/connect' && (path === '/' || path === '/setup'))}
              aria-current={path === s.path ? 'page' : undefined}
              onClick={go(s.path)}
            />
          ))}
        </AppShell.Navbar>
        <AppShell.Main>{screen}</AppShell.Main>
      </AppShell>
    </SessionProvider>
  );
}
