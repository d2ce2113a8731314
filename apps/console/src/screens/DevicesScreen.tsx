import { Alert, Badge, Button, Group, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, type TenantConnection } from '../api';
import { type DeviceExplanation, summarizeDevice } from '../logic/device-explanation';

const ACCESS_COLOURS = {
  Blocked: 'red.9',
  Allowed: 'green.9',
  Quarantined: 'orange.9',
  Unknown: 'gray.8',
} as const;

/** A device by its MDM id: Exchange access, MDM state, the last command and Why. */
export function DevicesScreen() {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: () => api<TenantConnection[]>('/api/cert-vault/v1/tenant-connections'),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const tenant = chosen ?? connections.data?.[0]?.organization ?? null;
  const [deviceId, setDeviceId] = useState('');
  const [explanation, setExplanation] = useState<DeviceExplanation>();
  const [error, setError] = useState<string>();

  const search = async (event: FormEvent) => {
    event.preventDefault();
    if (!tenant || !deviceId.trim()) return;
    setError(undefined);
    setExplanation(undefined);
    try {
      setExplanation(
        await api<DeviceExplanation>(
          `/api/policy-translator/v1/tenants/${encodeURIComponent(tenant)}/devices/${encodeURIComponent(deviceId.trim())}/explain`,
        ),
      );
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const summary = explanation ? summarizeDevice(explanation) : undefined;

  return (
    <Stack maw={880}>
      <Title order={1}>Devices</Title>
      <form onSubmit={(e) => void search(e)} aria-label="Find a device">
        <Group align="end">
          <Select
            label="Tenant"
            allowDeselect={false}
            data={(connections.data ?? []).map((c) => ({ value: c.organization, label: c.organization }))}
            value={tenant}
            onChange={setChosen}
          />
          <TextInput
            label="MDM device id"
            required
            value={deviceId}
            onChange={(e) => setDeviceId(e.currentTarget.value)}
          />
          <Button type="submit">Find</Button>
        </Group>
      </form>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
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
                  <Badge
                    color={ACCESS_COLOURS[summary.exchangeAccess]}
                    variant="filled"
                    data-testid="exchange-access"
                  >
                    {summary.exchangeAccess}
                  </Badge>
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
      <Text size="sm">
        Devices are looked up by their MDM id; the paged list of every device of a tenant is not built yet.
      </Text>
    </Stack>
  );
}
