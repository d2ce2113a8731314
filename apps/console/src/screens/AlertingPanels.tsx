import {
  Alert,
  Badge,
  Button,
  Group,
  NativeSelect,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, request, type SessionUser } from '../api';
import { useWriteAccess } from '../session';

export interface Subscription {
  id: string;
  name: string;
  kinds: string[];
  minSeverity: string;
  enabled?: boolean;
  destination?: { type: string; url?: string; to?: string[] };
  consecutiveFailures?: number;
  lastError?: string | null;
}

export interface AlertView {
  fingerprint: string;
  kind: string;
  severity: string;
  summary: string;
  status?: 'firing' | 'resolved';
  startsAt?: string;
  acknowledgedAt?: string | null;
  acknowledgedBy?: string | null;
  silencedUntil?: string | null;
}

type TestOutcome = { ok: true; text: string } | { ok: false; code: string; text: string };

function destinationText(d: Subscription['destination']): string {
  if (!d) return '—';
  return `${d.type}: ${d.type === 'email' ? (d.to ?? []).join(', ') : (d.url ?? '')}`;
}

/** Every subscription of the tenant with its health and a "send test alert" button; a form to add one. */
export function Destinations({ tenant, subscriptions }: { tenant: string; subscriptions: Subscription[] }) {
  const [outcomes, setOutcomes] = useState<Record<string, TestOutcome | 'sending'>>({});
  const queryClient = useQueryClient();
  const access = useWriteAccess(tenant);
  const sendTest = async (subscription: Subscription) => {
    setOutcomes((o) => ({ ...o, [subscription.id]: 'sending' }));
    let outcome: TestOutcome;
    try {
      const sent = await request('alerting', 'post', '/v1/tenants/{tenant}/subscriptions/{id}/test', {
        path: { tenant, id: subscription.id },
      });
      outcome = { ok: true, text: `Delivered (${sent.destination}, ${sent.durationMs} ms)` };
    } catch (err) {
      outcome =
        err instanceof ApiError
          ? { ok: false, code: err.code, text: err.message }
          : { ok: false, code: 'NETWORK', text: (err as Error).message };
    }
    setOutcomes((o) => ({ ...o, [subscription.id]: outcome }));
    await queryClient.invalidateQueries({ queryKey: ['subscriptions', tenant] });
  };

  return (
    <section aria-labelledby="alert-destinations">
      <Title order={2} size="h3" id="alert-destinations">
        Destinations
      </Title>
      {subscriptions.length === 0 ? (
        <Text mt="xs">No destination receives this tenant&apos;s alerts yet.</Text>
      ) : (
        <Table mt="xs" aria-labelledby="alert-destinations">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Subscription</Table.Th>
              <Table.Th>Destination</Table.Th>
              <Table.Th>Health</Table.Th>
              <Table.Th>Test</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {subscriptions.map((s) => {
              const outcome = outcomes[s.id];
              return (
                <Table.Tr key={s.id} data-testid={`subscription-${s.id}`}>
                  <Table.Td>
                    {s.name}
                    <Text size="sm" c="dimmed">
                      {s.kinds.length ? s.kinds.join(', ') : 'every kind'} from {s.minSeverity}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ wordBreak: 'break-all' }}>{destinationText(s.destination)}</Table.Td>
                  <Table.Td>
                    {s.consecutiveFailures ? (
                      <Text size="sm">
                        {s.consecutiveFailures} failed deliveries{s.lastError ? `: ${s.lastError}` : ''}
                      </Text>
                    ) : (
                      <Text size="sm">OK</Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={4}>
                      <Button
                        size="xs"
                        variant="outline"
                        aria-label={`Send test alert to ${s.name}`}
                        loading={outcome === 'sending'}
                        disabled={!access.allowed}
                        title={access.reason}
                        onClick={() => void sendTest(s)}
                      >
                        Send test alert
                      </Button>
                      <div role="status" aria-live="polite" data-testid={`test-outcome-${s.id}`}>
                        {outcome && outcome !== 'sending' && (
                          <Text size="sm" c={outcome.ok ? '#1b5e20' : '#b71c1c'}>
                            {outcome.ok ? outcome.text : `${outcome.code}: ${outcome.text}`}
                          </Text>
                        )}
                      </div>
                    </Stack>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {/* Adding a destination is an operator's change: not offered to a read-only user. */}
      {access.allowed && <AddDestination tenant={tenant} />}
    </section>
  );
}

function AddDestination({ tenant }: { tenant: string }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [type, setType] = useState<'webhook' | 'alertmanager' | 'email'>('webhook');
  const [target, setTarget] = useState('');
  const [secret, setSecret] = useState('');
  const [scope, setScope] = useState<'expiry' | 'all'>('all');
  const [error, setError] = useState<string>();
  const [added, setAdded] = useState<string>();
  const add = async () => {
    setError(undefined);
    setAdded(undefined);
    const destination =
      type === 'email'
        ? {
            type,
            to: target
              .split(',')
              .map((t) => t.trim())
              .filter(Boolean),
          }
        : type === 'webhook'
          ? { type, url: target, secret }
          : { type, url: target };
    try {
      await request('alerting', 'post', '/v1/tenants/{tenant}/subscriptions', {
        path: { tenant },
        body: {
          name,
          kinds: scope === 'expiry' ? ['certificate-expiring', 'certificate-expired'] : [],
          minSeverity: 'warning',
          destination,
        },
      });
      setAdded(`Destination ${name} added.`);
      setName('');
      setTarget('');
      setSecret('');
      await queryClient.invalidateQueries({ queryKey: ['subscriptions', tenant] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Stack
      component="form"
      gap="xs"
      mt="md"
      aria-labelledby="add-destination"
      onSubmit={(e) => {
        e.preventDefault();
        void add();
      }}
    >
      <Title order={3} size="h4" id="add-destination">
        Add a destination
      </Title>
      <Group align="end">
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Select
          label="Type"
          allowDeselect={false}
          data={[
            { value: 'webhook', label: 'Webhook (signed)' },
            { value: 'alertmanager', label: 'Alertmanager' },
            { value: 'email', label: 'E-mail' },
          ]}
          value={type}
          onChange={(v) => setType(v ?? 'webhook')}
        />
        <Select
          label="Alerts"
          allowDeselect={false}
          data={[
            { value: 'all', label: 'Every alert from warning' },
            { value: 'expiry', label: 'Credential expiry only' },
          ]}
          value={scope}
          onChange={(v) => setScope(v ?? 'all')}
        />
      </Group>
      <TextInput
        label={type === 'email' ? 'Recipients (comma-separated)' : 'URL'}
        required
        value={target}
        onChange={(e) => setTarget(e.currentTarget.value)}
      />
      {type === 'webhook' && (
        <PasswordInput
          label="Signing secret (16 characters or more)"
          required
          value={secret}
          onChange={(e) => setSecret(e.currentTarget.value)}
        />
      )}
      <Group>
        <Button type="submit">Add destination</Button>
      </Group>
      <div role="status" aria-live="polite">
        {added && <Text size="sm">{added}</Text>}
      </div>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
    </Stack>
  );
}

const SILENCE_CHOICES = [
  { value: '60', label: '1 hour' },
  { value: '240', label: '4 hours' },
  { value: '1440', label: '1 day' },
  { value: '10080', label: '1 week' },
];

/** The tenant's alerts, newest first, with acknowledge and silence. */
export function CurrentAlerts({ tenant, alerts }: { tenant: string; alerts: AlertView[] }) {
  const queryClient = useQueryClient();
  const [silenceFor, setSilenceFor] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const access = useWriteAccess(tenant);
  const user = queryClient.getQueryData<{ user?: SessionUser }>(['session'])?.user;
  const act = async (call: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await call();
    } catch (err) {
      setError((err as Error).message);
    }
    await queryClient.invalidateQueries({ queryKey: ['alerts', tenant] });
  };
  const acknowledge = (a: AlertView) =>
    act(() =>
      request('alerting', 'post', '/v1/tenants/{tenant}/alerts/{fingerprint}/acknowledge', {
        path: { tenant, fingerprint: a.fingerprint },
        body: { by: user?.id ?? 'console' },
      }),
    );
  const silence = (a: AlertView) =>
    act(() =>
      request('alerting', 'post', '/v1/tenants/{tenant}/alerts/{fingerprint}/silence', {
        path: { tenant, fingerprint: a.fingerprint },
        body: { minutes: Number(silenceFor[a.fingerprint] ?? '60') },
      }),
    );
  const now = Date.now();
  return (
    <section aria-labelledby="current-alerts">
      <Title order={2} size="h3" id="current-alerts">
        Current alerts
      </Title>
      {error && (
        <Alert color="red" role="alert" mt="xs">
          {error}
        </Alert>
      )}
      {alerts.length === 0 ? (
        <Text mt="xs">No alert for this tenant.</Text>
      ) : (
        <Table mt="xs" aria-labelledby="current-alerts">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={110}>Severity</Table.Th>
              <Table.Th>Alert</Table.Th>
              <Table.Th>State</Table.Th>
              <Table.Th>Actions</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {alerts.map((a) => {
              const silenced = a.silencedUntil && Date.parse(a.silencedUntil) > now;
              return (
                <Table.Tr key={a.fingerprint} data-testid={`alert-${a.kind}`}>
                  <Table.Td>
                    <Badge color={a.severity === 'critical' ? '#b71c1c' : '#8a4b00'} variant="filled">
                      {a.severity}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {a.summary}
                    <Text size="sm" c="dimmed">
                      {a.kind}
                      {a.startsAt ? ` since ${a.startsAt.replace('T', ' ').slice(0, 16)} UTC` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td data-testid="alert-state">
                    <Text size="sm">{a.status ?? 'firing'}</Text>
                    {a.acknowledgedBy && <Text size="sm">Acknowledged by {a.acknowledgedBy}</Text>}
                    {silenced && (
                      <Text size="sm">
                        Silenced until {a.silencedUntil!.replace('T', ' ').slice(0, 16)} UTC
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {a.status !== 'resolved' && (
                      <Group gap="xs" align="end">
                        <Button
                          size="xs"
                          variant="outline"
                          disabled={Boolean(a.acknowledgedBy) || !access.allowed}
                          title={access.reason}
                          aria-label={`Acknowledge: ${a.summary}`}
                          onClick={() => void acknowledge(a)}
                        >
                          Acknowledge
                        </Button>
                        <NativeSelect
                          size="xs"
                          w={110}
                          label="Silence for"
                          aria-label={`Silence for: ${a.summary}`}
                          data={SILENCE_CHOICES}
                          disabled={!access.allowed}
                          value={silenceFor[a.fingerprint] ?? '60'}
                          onChange={(e) => {
                            const value = e.currentTarget.value;
                            setSilenceFor((s) => ({ ...s, [a.fingerprint]: value }));
                          }}
                        />
                        <Button
                          size="xs"
                          variant="outline"
                          aria-label={`Silence: ${a.summary}`}
                          disabled={!access.allowed}
                          title={access.reason}
                          onClick={() => void silence(a)}
                        >
                          Silence
                        </Button>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}
