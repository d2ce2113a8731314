import { Alert, Loader, Select, Stack, Switch, Text, TextInput, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request, type TenantConnection } from '../api';
import { ReadOnlyNotice, useWriteAccess } from '../session';
import { type AlertView, CurrentAlerts, Destinations, type Subscription } from './AlertingPanels';

const EXCHANGE_ALERTING = 'Exchange alerting (credential expiry)';

/** Health check configuration → Exchange alerting: the credential-expiry subscription of a tenant. */
export function AlertingScreen() {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await request('cert-vault', 'get', '/v1/tenant-connections')) as TenantConnection[],
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const tenant = chosen ?? connections.data?.[0]?.tenantId ?? null;
  return (
    <Stack maw={880}>
      <Title order={1}>Health check configuration</Title>
      {connections.isPending && <Loader aria-label="Loading the tenants" />}
      {connections.data?.length === 0 && <Text>No tenant is connected yet.</Text>}
      {connections.data && connections.data.length > 0 && (
        <Select
          label="Tenant"
          allowDeselect={false}
          data={connections.data.map((c) => ({
            value: c.tenantId,
            label: `${c.organization} (${c.tenantId})`,
          }))}
          value={tenant}
          onChange={setChosen}
        />
      )}
      {tenant && <ExchangeAlerting tenant={tenant} />}
    </Stack>
  );
}

function ExchangeAlerting({ tenant }: { tenant: string }) {
  const queryClient = useQueryClient();
  const path = { tenant };
  const subscriptions = useQuery({
    queryKey: ['subscriptions', tenant],
    queryFn: async () =>
      (await request('alerting', 'get', '/v1/tenants/{tenant}/subscriptions', { path })) as Subscription[],
  });
  const alerts = useQuery({
    queryKey: ['alerts', tenant],
    queryFn: async () =>
      (await request('alerting', 'get', '/v1/tenants/{tenant}/alerts', { path })) as
        AlertView[] | { items: AlertView[] },
    // Alerts come from the services' events: the list follows them.
    refetchInterval: 5_000,
  });
  const [severity, setSeverity] = useState<string>('warning');
  const [destination, setDestination] = useState('http://127.0.0.1:9093');
  const [error, setError] = useState<string>();
  const current = subscriptions.data?.find((s) => s.name === EXCHANGE_ALERTING);
  const access = useWriteAccess(tenant);

  const toggle = async (on: boolean) => {
    setError(undefined);
    try {
      if (on)
        await request('alerting', 'post', '/v1/tenants/{tenant}/subscriptions', {
          path,
          body: {
            name: EXCHANGE_ALERTING,
            kinds: ['certificate-expiring', 'certificate-expired'],
            minSeverity: severity,
            destination: { type: 'alertmanager', url: destination },
          },
        });
      else if (current)
        await request('alerting', 'delete', '/v1/tenants/{tenant}/subscriptions/{id}', {
          path: { tenant, id: current.id },
        });
      await queryClient.invalidateQueries({ queryKey: ['subscriptions', tenant] });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const alertList = Array.isArray(alerts.data) ? alerts.data : (alerts.data?.items ?? []);

  return (
    <Stack>
      <ReadOnlyNotice access={access} />
      <section aria-labelledby="exchange-alerting">
        <Title order={2} size="h3" id="exchange-alerting">
          Exchange alerting
        </Title>
        <Stack gap="sm" mt="xs">
          <Select
            label="Alert on"
            allowDeselect={false}
            disabled={current !== undefined || !access.allowed}
            data={[
              { value: 'warning', label: 'All credential-expiry alerts (30, 14, 7, 1 days)' },
              { value: 'critical', label: 'Critical only' },
            ]}
            value={severity}
            onChange={(v) => setSeverity(v ?? 'warning')}
          />
          <TextInput
            label="Alertmanager URL"
            disabled={current !== undefined || !access.allowed}
            value={destination}
            onChange={(e) => setDestination(e.currentTarget.value)}
          />
          <Switch
            label="Exchange alerting"
            description="Subscribes this tenant's credential-expiry alerts to the destination"
            checked={current !== undefined}
            disabled={subscriptions.isPending || !access.allowed}
            title={access.reason}
            onChange={(e) => void toggle(e.currentTarget.checked)}
          />
          {current && (
            <Text role="status">
              Subscribed: {current.kinds.join(', ')} from {current.minSeverity}.
            </Text>
          )}
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
        </Stack>
      </section>
      <Destinations tenant={tenant} subscriptions={subscriptions.data ?? []} />
      <CurrentAlerts tenant={tenant} alerts={alertList} />
    </Stack>
  );
}
