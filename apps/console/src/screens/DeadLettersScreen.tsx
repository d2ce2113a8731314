import { Alert, Button, Group, Loader, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request, type SessionUser, type TenantConnection } from '../api';
import { ALL_TENANTS, type DeadLetter, tenantChoices } from '../logic/dead-letters';
import { ReadOnlyNotice, useWriteAccess } from '../session';

/** The services that consume topics, so have dead letters (the vault consumes none). */
const SERVICES = [
  { name: 'exchange-executor', label: 'Exchange executor' },
  { name: 'policy-translator', label: 'Policy translator' },
  { name: 'alerting', label: 'Alerting' },
] as const;
type ConsumingService = (typeof SERVICES)[number]['name'];

/** Dead letters per service, with why each died, and replay (one, or all not replayed yet). */
export function DeadLettersScreen({ user }: { user: SessionUser }) {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await request('cert-vault', 'get', '/v1/tenant-connections')) as TenantConnection[],
  });
  const choices = tenantChoices(user, connections.data ?? []);
  const [chosen, setChosen] = useState<string | null>(null);
  const tenant = chosen ?? choices[0]?.value ?? null;
  const access = useWriteAccess(tenant ?? '*');
  return (
    <Stack maw={1200}>
      <Title order={1}>Dead letters</Title>
      <Text size="sm">
        Messages a service gave up on, with the reason. Fix the cause, then replay: handlers are idempotent,
        so a message replayed twice has one effect; one that fails again comes back as a new dead letter.
      </Text>
      <Select
        label="Tenant"
        allowDeselect={false}
        data={choices}
        value={tenant}
        onChange={setChosen}
        maw={480}
      />
      <ReadOnlyNotice access={access} />
      {tenant !== null &&
        SERVICES.map((s) => (
          <ServiceDeadLetters key={s.name} service={s.name} label={s.label} tenant={tenant} />
        ))}
    </Stack>
  );
}

function ServiceDeadLetters({
  service,
  label,
  tenant,
}: {
  service: ConsumingService;
  label: string;
  tenant: string;
}) {
  const queryClient = useQueryClient();
  const key = ['dead-letters', service, tenant];
  const list = useQuery({
    queryKey: key,
    queryFn: async () =>
      (tenant === ALL_TENANTS
        ? await request(service, 'get', '/v1/dead-letters')
        : await request(service, 'get', '/v1/tenants/{tenant}/dead-letters', { path: { tenant } })) as {
        topics: string[];
        deadLetters: DeadLetter[];
      },
  });
  const [outcome, setOutcome] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const access = useWriteAccess(tenant);

  const replay = async (ids?: string[]) => {
    setError(undefined);
    setOutcome(undefined);
    setBusy(true);
    try {
      const body = ids ? { ids } : {};
      const result = (
        tenant === ALL_TENANTS
          ? await request(service, 'post', '/v1/dead-letters/replay', { body })
          : await request(service, 'post', '/v1/tenants/{tenant}/dead-letters/replay', {
              path: { tenant },
              body,
            })
      ) as { replayed: DeadLetter[]; missing: string[] };
      setOutcome(
        `${label}: replayed ${result.replayed.length} dead letter${result.replayed.length === 1 ? '' : 's'}` +
          (result.missing.length > 0 ? `; no longer held: ${result.missing.join(', ')}` : '.'),
      );
      await queryClient.invalidateQueries({ queryKey: key });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const letters = list.data?.deadLetters ?? [];
  const waiting = letters.filter((l) => !l.replayed).length;
  const headingId = `dead-letters-${service}`;

  return (
    <section aria-labelledby={headingId}>
      <Group justify="space-between" align="end">
        <div>
          <Title order={2} size="h3" id={headingId}>
            {label}
          </Title>
          {list.data && <Text size="sm">Consumes {list.data.topics.join(', ')}</Text>}
        </div>
        <Button
          variant="default"
          disabled={busy || waiting === 0 || !access.allowed}
          title={access.reason}
          aria-label={`Replay all ${label} dead letters not replayed yet`}
          onClick={() => void replay()}
        >
          Replay all ({waiting})
        </Button>
      </Group>
      {list.isPending && <Loader aria-label={`Loading the ${label} dead letters`} />}
      {list.isError && (
        <Alert color="red" role="alert" mt="xs">
          {list.error.message}
        </Alert>
      )}
      {error && (
        <Alert color="red" role="alert" mt="xs">
          {error}
        </Alert>
      )}
      {outcome && (
        <Text role="status" mt="xs" data-testid={`replay-outcome-${service}`}>
          {outcome}
        </Text>
      )}
      {list.data && (
        <Table striped mt="xs" data-testid={`dead-letters-${service}`}>
          <Table.Caption>
            {letters.length === 0
              ? 'No dead letter.'
              : `${letters.length} dead letter${letters.length === 1 ? '' : 's'}, ${waiting} not replayed yet`}
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Failed at (UTC)</Table.Th>
              <Table.Th scope="col">Topic</Table.Th>
              <Table.Th scope="col">Key</Table.Th>
              <Table.Th scope="col">Tenant</Table.Th>
              <Table.Th scope="col">Code</Table.Th>
              <Table.Th scope="col">Reason</Table.Th>
              <Table.Th scope="col">Attempts</Table.Th>
              <Table.Th scope="col">State</Table.Th>
              <Table.Th scope="col">Replay</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {letters.map((l) => (
              <Table.Tr key={l.id} data-testid={`dead-letter-${l.key ?? l.id}`}>
                <Table.Td>{l.failedAt?.replace('T', ' ').replace(/\.\d+Z$/, 'Z') ?? '—'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{l.originalTopic}</Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere', minWidth: '18ch' }}>{l.key ?? '—'}</Table.Td>
                <Table.Td>{l.tenant ?? 'unknown'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{l.code ?? '—'}</Table.Td>
                <Table.Td>
                  {l.reason ?? ''}
                  {l.replayOf && <Text size="xs">failed again after a replay of {l.replayOf}</Text>}
                </Table.Td>
                <Table.Td>{l.attempts ?? '—'}</Table.Td>
                <Table.Td>
                  <Text size="sm" fw={700} c={l.replayed ? '#1b5e20' : '#8a4b00'}>
                    {l.replayed ? 'replayed' : 'waiting'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Button
                    size="xs"
                    variant="default"
                    disabled={busy || !access.allowed}
                    title={access.reason}
                    aria-label={`Replay ${l.key ?? l.id}`}
                    onClick={() => void replay([l.id])}
                  >
                    Replay
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </section>
  );
}
