import { Alert, Badge, Group, Loader, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { request } from '../api';
import { exchangeStatusRows, STATUS_COLOURS, type StatusLevel } from '../logic/exchange-status';

const LEVEL_TEXT: Record<StatusLevel, string> = { ok: 'OK', warning: 'Check', critical: 'Problem' };

/**
 * What the executor sees of a tenant's Exchange: last successful call, discovery and inventory,
 * throttling, circuit breaker and the backlog of commands (refreshed every 10 s).
 */
export function ExchangeActivity({ tenant, connectionId }: { tenant: string; connectionId: string }) {
  const status = useQuery({
    queryKey: ['exchange-status', tenant],
    queryFn: () => request('exchange-executor', 'get', '/v1/tenants/{tenant}/status', { path: { tenant } }),
    refetchInterval: 10_000,
  });
  const headingId = `activity-${connectionId}`;
  return (
    <Stack component="section" aria-labelledby={headingId} mt="md" gap="xs">
      <Title order={3} size="h4" id={headingId}>
        Exchange activity
      </Title>
      {status.isPending && <Loader size="sm" aria-label="Loading the Exchange status" />}
      {status.isError && (
        <Alert color="red" role="alert" title="The executor's status is not available">
          {status.error.message}
        </Alert>
      )}
      {status.data && (
        <Table variant="vertical" layout="fixed" aria-label={`Exchange activity of ${tenant}`}>
          <Table.Tbody>
            {exchangeStatusRows(status.data, new Date()).map((row) => (
              <Table.Tr key={row.key} data-testid={`exchange-${row.key}`} data-level={row.level}>
                <Table.Th w={240}>{row.label}</Table.Th>
                <Table.Td>
                  <Group gap="xs" wrap="nowrap" align="start">
                    <Badge color={STATUS_COLOURS[row.level]} variant="filled" miw={72}>
                      {LEVEL_TEXT[row.level]}
                    </Badge>
                    <Text size="sm" style={{ wordBreak: 'break-word' }}>
                      {row.text}
                    </Text>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}
