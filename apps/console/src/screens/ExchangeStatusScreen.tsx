import { Alert, Badge, Card, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { request, type CertificateMetadata, type TenantConnection } from '../api';
import { daysLeft, daysLeftText, EXPIRY_COLOURS, expiryLevel } from '../logic/expiry';
import { ExchangeActivity } from './ExchangeActivity';
import { RotationPanel } from './RotationPanel';

/**
 * Per tenant: Type of Credential, the certificate and its expiry date with the days left, the rotation,
 * and what the executor sees of Exchange (last call, discovery, throttling, circuit, backlog).
 */
export function ExchangeStatusScreen() {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await request('cert-vault', 'get', '/v1/tenant-connections')) as TenantConnection[],
  });
  return (
    <Stack maw={880}>
      <Title order={1}>Exchange ActiveSync</Title>
      {connections.isPending && <Loader aria-label="Loading the tenant connections" />}
      {connections.isError && (
        <Alert color="red" role="alert">
          {connections.error.message}
        </Alert>
      )}
      {connections.data?.length === 0 && <Text>No tenant is connected yet: use Connect a tenant.</Text>}
      {connections.data?.map((c) => (
        <ConnectionStatus key={c.id} connection={c} />
      ))}
    </Stack>
  );
}

function ConnectionStatus({ connection }: { connection: TenantConnection }) {
  const certificates = useQuery({
    queryKey: ['certificates', connection.id],
    queryFn: async () =>
      (await request('cert-vault', 'get', '/v1/tenant-connections/{connectionId}/certificates', {
        path: { connectionId: connection.id },
      })) as CertificateMetadata[],
  });
  const active = connection.activeCertificate;
  const certificate = certificates.data?.find((c) => c.id === active?.id);
  const days = active ? daysLeft(active.notAfter, new Date()) : undefined;
  const headingId = `tenant-${connection.id}`;
  return (
    <Card withBorder component="section" aria-labelledby={headingId}>
      <Title order={2} size="h3" id={headingId}>
        {connection.organization}
      </Title>
      <Table mt="sm" variant="vertical" layout="fixed">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={240}>Tenant id</Table.Th>
            <Table.Td>{connection.tenantId}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Application (client) id</Table.Th>
            <Table.Td>{connection.appId}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Type of Credential</Table.Th>
            <Table.Td data-testid="credential-type">Certificate</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Certificate subject</Table.Th>
            <Table.Td>{certificate?.subject ?? (active ? '…' : 'no active certificate')}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Thumbprint (SHA-1)</Table.Th>
            <Table.Td style={{ wordBreak: 'break-all' }}>{active?.thumbprintSha1 ?? '—'}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Certificate Expiry Date</Table.Th>
            <Table.Td>
              {active && days !== undefined ? (
                <Group gap="sm">
                  <Text data-testid="certificate-expiry">{active.notAfter.slice(0, 10)}</Text>
                  <Badge color={EXPIRY_COLOURS[expiryLevel(days)]} variant="filled">
                    {daysLeftText(days)}
                  </Badge>
                </Group>
              ) : (
                '—'
              )}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <ExchangeActivity tenant={connection.tenantId} connectionId={connection.id} />
      <RotationPanel connection={connection} certificates={certificates.data ?? []} />
    </Card>
  );
}
