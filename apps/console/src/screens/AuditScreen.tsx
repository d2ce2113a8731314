import { Alert, Button, Group, Loader, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { request, type TenantConnection } from '../api';
import {
  auditFiltersProblem,
  auditQuery,
  type AuditFilters,
  chainVerdict,
  emptyAuditFilters,
} from '../logic/audit';

const PAGE_SIZE = 50;

/** The vault's hash-chained audit log: filters, newest first, paged, and "Verify chain". */
export function AuditScreen() {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await request('cert-vault', 'get', '/v1/tenant-connections')) as TenantConnection[],
  });
  const [draft, setDraft] = useState<AuditFilters>(emptyAuditFilters);
  const [filters, setFilters] = useState<AuditFilters>(emptyAuditFilters);
  /** `beforeSeq` cursors of the pages before the current one (the newest page has none). */
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const before = cursors.at(-1);
  const [invalid, setInvalid] = useState<string>();

  const page = useQuery({
    queryKey: ['audit', filters, before],
    placeholderData: keepPreviousData,
    queryFn: () =>
      request('cert-vault', 'get', '/v1/audit', { query: auditQuery(filters, PAGE_SIZE, before) }),
  });
  const verify = useMutation({ mutationFn: () => request('cert-vault', 'get', '/v1/audit/verify') });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const problem = auditFiltersProblem(draft);
    setInvalid(problem);
    if (problem) return;
    setFilters(draft);
    setCursors([undefined]);
  };
  const rows = page.data ?? [];
  const verdict = verify.data ? chainVerdict(verify.data) : undefined;
  const set = (field: keyof AuditFilters) => (value: string | null) =>
    setDraft({ ...draft, [field]: value ?? '' });

  return (
    <Stack maw={1200}>
      <Title order={1}>Audit log</Title>
      <section aria-labelledby="verify-heading">
        <Title order={2} size="h3" id="verify-heading">
          Chain of custody
        </Title>
        <Text size="sm" mb="xs">
          Every row is hash-chained to the one before it; verifying recomputes the whole chain.
        </Text>
        <Button onClick={() => verify.mutate()} loading={verify.isPending}>
          Verify chain
        </Button>
        {verify.isError && (
          <Alert color="red" role="alert" mt="sm">
            {verify.error.message}
          </Alert>
        )}
        {verdict && (
          <Alert
            mt="sm"
            role="status"
            color={verdict.intact ? 'green' : 'red'}
            // Mantine's light title colours are below 4.5:1 on their background.
            styles={{ title: { color: verdict.intact ? '#1b5e20' : '#8b1a1a' } }}
            title={verdict.title}
            data-testid="chain-verdict"
          >
            {verdict.detail}
          </Alert>
        )}
      </section>

      <form onSubmit={apply} aria-label="Filter the audit log">
        <Group align="end" wrap="wrap">
          <Select
            label="Connection"
            data={[
              { value: '', label: 'Any' },
              ...(connections.data ?? []).map((c) => ({ value: c.id, label: `${c.organization} (${c.id})` })),
            ]}
            value={draft.connectionId}
            onChange={set('connectionId')}
          />
          <TextInput
            label="Actor"
            description="e.g. user:admin"
            value={draft.actor}
            onChange={(e) => set('actor')(e.currentTarget.value)}
          />
          <TextInput
            label="Action"
            description="e.g. certificate.import"
            value={draft.action}
            onChange={(e) => set('action')(e.currentTarget.value)}
          />
          <Select
            label="Outcome"
            data={[
              { value: '', label: 'Any' },
              { value: 'success', label: 'success' },
              { value: 'failure', label: 'failure' },
            ]}
            value={draft.outcome}
            onChange={set('outcome')}
          />
          <TextInput
            type="datetime-local"
            label="From"
            description="local time, inclusive"
            value={draft.from}
            onChange={(e) => set('from')(e.currentTarget.value)}
          />
          <TextInput
            type="datetime-local"
            label="To"
            description="local time, exclusive"
            value={draft.to}
            onChange={(e) => set('to')(e.currentTarget.value)}
          />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      {invalid && (
        <Alert color="red" role="alert">
          {invalid}
        </Alert>
      )}
      {page.isError && (
        <Alert color="red" role="alert">
          {page.error.message}
        </Alert>
      )}
      {page.isPending && <Loader aria-label="Loading the audit log" />}
      {page.data && (
        <>
          <Table striped aria-live="polite">
            <Table.Caption>
              {rows.length === 0
                ? 'No audit entry matches.'
                : `Entries ${rows[0].seq} to ${rows[rows.length - 1].seq}, newest first`}
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">#</Table.Th>
                <Table.Th scope="col">Time (UTC)</Table.Th>
                <Table.Th scope="col">Actor</Table.Th>
                <Table.Th scope="col">Action</Table.Th>
                <Table.Th scope="col">Outcome</Table.Th>
                <Table.Th scope="col">Tenant / connection</Table.Th>
                <Table.Th scope="col">Reason</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((r) => (
                <Table.Tr key={r.seq} data-testid={`audit-row-${r.seq}`}>
                  <Table.Td>{r.seq}</Table.Td>
                  <Table.Td>{r.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</Table.Td>
                  <Table.Td>{r.actor}</Table.Td>
                  <Table.Td>{r.action}</Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={700} c={r.outcome === 'success' ? '#1b5e20' : '#b71c1c'}>
                      {r.outcome}
                    </Text>
                  </Table.Td>
                  <Table.Td>{[r.tenantId, r.connectionId].filter(Boolean).join(' / ') || '—'}</Table.Td>
                  <Table.Td>{r.reason ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Group>
            <Button
              variant="default"
              disabled={cursors.length === 1}
              onClick={() => setCursors(cursors.slice(0, -1))}
            >
              Newer entries
            </Button>
            <Button
              variant="default"
              disabled={rows.length < PAGE_SIZE}
              onClick={() => setCursors([...cursors, rows[rows.length - 1].seq])}
            >
              Older entries
            </Button>
          </Group>
        </>
      )}
    </Stack>
  );
}
