import { Alert, Badge, Button, Group, Loader, Select, Stack, Table, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { request, type TenantConnection } from '../api';
import {
  type DeviceExplanation,
  type DeviceSummary,
  exchangeAccessOf,
  summarizeDevice,
} from '../logic/device-explanation';

const ACCESS_COLOURS = {
  Blocked: 'red.9',
  Allowed: 'green.9',
  Quarantined: 'orange.9',
  Unknown: 'gray.8',
} as const;

const MDM_STATES = [
  'enrolled',
  'compliant',
  'noncompliant',
  'unenrolled',
  'selective-wipe',
  'full-wipe',
  'lost',
] as const;
const ACCESS = ['allow', 'block', 'quarantine'] as const;
const PAGE_SIZE = 25;

interface Filters {
  search: string;
  state: string;
  access: string;
}

function AccessBadge({ access, testId }: { access: DeviceSummary['exchangeAccess']; testId?: string }) {
  return (
    <Badge color={ACCESS_COLOURS[access]} variant="filled" {...(testId && { 'data-testid': testId })}>
      {access}
    </Badge>
  );
}

/** A tenant's devices, paged and filtered on the server: Exchange access, MDM state, last command, Why. */
export function DevicesScreen() {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await request('cert-vault', 'get', '/v1/tenant-connections')) as TenantConnection[],
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const tenant = chosen ?? connections.data?.[0]?.organization ?? null;
  const [draft, setDraft] = useState<Filters>({ search: '', state: '', access: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  /** Keyset cursors of the pages before the current one (the first page has none). */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const after = cursors.at(-1);
  const [explanation, setExplanation] = useState<DeviceExplanation>();
  const [error, setError] = useState<string>();

  const page = useQuery({
    queryKey: ['devices', tenant, filters, after],
    enabled: tenant !== null,
    placeholderData: keepPreviousData,
    queryFn: () =>
      request('policy-translator', 'get', '/v1/tenants/{tenant}/devices', {
        path: { tenant: tenant ?? '' },
        query: {
          limit: PAGE_SIZE,
          ...(filters.search.trim() && { search: filters.search.trim() }),
          ...(filters.state && { state: filters.state as (typeof MDM_STATES)[number] }),
          ...(filters.access && { access: filters.access as (typeof ACCESS)[number] }),
          ...(after && { after }),
        },
      }),
  });

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
    setCursors([undefined]);
    setExplanation(undefined);
    void page.refetch();
  };

  const why = async (mdmDeviceId: string) => {
    if (!tenant) return;
    setError(undefined);
    try {
      setExplanation(
        (await request('policy-translator', 'get', '/v1/tenants/{tenant}/devices/{mdmDeviceId}/explain', {
          path: { tenant, mdmDeviceId },
        })) as DeviceExplanation,
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const summary = explanation ? summarizeDevice(explanation) : undefined;
  const devices = page.data?.devices ?? [];
  const first = (cursors.length - 1) * PAGE_SIZE;

  return (
    <Stack maw={1100}>
      <Title order={1}>Devices</Title>
      <form onSubmit={apply} aria-label="Filter the devices">
        <Group align="end">
          <Select
            label="Tenant"
            allowDeselect={false}
            data={(connections.data ?? []).map((c) => ({ value: c.organization, label: c.organization }))}
            value={tenant}
            onChange={(value) => {
              setChosen(value);
              setCursors([undefined]);
              setExplanation(undefined);
            }}
          />
          <TextInput
            label="Mailbox or device id"
            description="starts with"
            value={draft.search}
            onChange={(e) => setDraft({ ...draft, search: e.currentTarget.value })}
          />
          <Select
            label="MDM state"
            data={[{ value: '', label: 'Any' }, ...MDM_STATES.map((s) => ({ value: s, label: s }))]}
            value={draft.state}
            onChange={(value) => setDraft({ ...draft, state: value ?? '' })}
          />
          <Select
            label="Desired access"
            data={[{ value: '', label: 'Any' }, ...ACCESS.map((s) => ({ value: s, label: s }))]}
            value={draft.access}
            onChange={(value) => setDraft({ ...draft, access: value ?? '' })}
          />
          <Button type="submit">Search</Button>
        </Group>
      </form>
      {(page.isError || error) && (
        <Alert color="red" role="alert">
          {error ?? page.error?.message}
        </Alert>
      )}
      {page.isPending && tenant !== null && <Loader aria-label="Loading the devices" />}
      {page.data && (
        <>
          <Table striped aria-live="polite">
            <Table.Caption>
              {page.data.total === 0
                ? 'No device matches.'
                : `Devices ${first + 1}–${first + devices.length} of ${page.data.total}`}
            </Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">MDM device id</Table.Th>
                <Table.Th scope="col">Mailbox</Table.Th>
                <Table.Th scope="col">MDM state</Table.Th>
                <Table.Th scope="col">Exchange access</Table.Th>
                <Table.Th scope="col">Last command</Table.Th>
                <Table.Th scope="col">Why?</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {devices.map((d) => (
                <Table.Tr key={d.mdmDeviceId} data-testid={`device-row-${d.mdmDeviceId}`}>
                  <Table.Td>{d.mdmDeviceId}</Table.Td>
                  <Table.Td>{d.mailbox}</Table.Td>
                  <Table.Td>{d.mdmState}</Table.Td>
                  <Table.Td>
                    <AccessBadge access={exchangeAccessOf(d.exchangeAccess)} />
                  </Table.Td>
                  <Table.Td>
                    {d.lastCommand
                      ? `${d.lastCommand.action}: ${d.lastCommand.outcome ?? 'pending'}${d.lastCommand.error ? ` (${d.lastCommand.error})` : ''}`
                      : 'none'}
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Why? ${d.mdmDeviceId}`}
                      onClick={() => void why(d.mdmDeviceId)}
                    >
                      Why?
                    </Button>
                  </Table.Td>
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
              Previous page
            </Button>
            <Button
              variant="default"
              disabled={page.data.next === undefined}
              onClick={() => setCursors([...cursors, page.data.next])}
            >
              Next page
            </Button>
          </Group>
        </>
      )}
      {explanation && summary && (
        <section aria-labelledby="device-heading">
          <Title order={2} size="h3" id="device-heading">
            Device {explanation.mdmDeviceId}
          </Title>
          <Table variant="vertical" mt="sm">
            <Table.Tbody>
              <Table.Tr>
                <Table.Th w={200}>Mailbox</Table.Th>
                <Table.Td>{explanation.desired.mailbox}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Exchange access</Table.Th>
                <Table.Td>
                  <AccessBadge access={summary.exchangeAccess} testId="exchange-access" />
                </Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>MDM state</Table.Th>
                <Table.Td>{explanation.desired.state}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>EAS device ids</Table.Th>
                <Table.Td>{explanation.exchange.devices.map((d) => d.deviceId).join(', ') || '—'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Last command</Table.Th>
                <Table.Td>{summary.lastCommand ?? 'none'}</Table.Td>
              </Table.Tr>
              <Table.Tr>
                <Table.Th>Why?</Table.Th>
                <Table.Td data-testid="device-why">{summary.why}</Table.Td>
              </Table.Tr>
            </Table.Tbody>
          </Table>
        </section>
      )}
    </Stack>
  );
}
