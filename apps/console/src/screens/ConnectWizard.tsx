import {
  Alert,
  Anchor,
  Badge,
  Button,
  Code,
  FileInput,
  Group,
  List,
  PasswordInput,
  Radio,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, request, type CertificateMetadata, type Health, type TenantConnection } from '../api';
import {
  BASIC_AUTH_REASON,
  Clouds,
  keyCredentialsJson,
  type TenantForm,
  tenantFormErrors,
} from '../logic/tenant-form';
import {
  allPassed,
  type ConnectionTest,
  consoleStages,
  plannedSteps,
  runValidation,
  type ValidationStep,
  type VaultValidation,
} from '../logic/validation-steps';
import { navigate } from '../router';
import { ReadOnlyNotice, useWriteAccess } from '../session';

const STATE_COLOURS: Record<ValidationStep['state'], string> = {
  pending: '#495057',
  running: '#0d47a1',
  passed: '#1b5e20',
  failed: '#b71c1c',
  skipped: '#495057',
};

async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Exchange → Office 365 → tenant and app → credential type Certificate → Validate Certificate → Save. */
export function ConnectWizard() {
  const queryClient = useQueryClient();
  const health = useQuery({ queryKey: ['health'], queryFn: () => api<Health>('/health') });
  const [form, setForm] = useState<TenantForm>({
    tenantId: '',
    appId: '',
    organization: '',
    cloud: 'O365Default',
  });
  const [endpoints, setEndpoints] = useState<string>();
  const [touched, setTouched] = useState(false);
  const [connection, setConnection] = useState<TenantConnection>();
  const [certificate, setCertificate] = useState<CertificateMetadata>();
  const [pem, setPem] = useState<string>();
  const [source, setSource] = useState<'create' | 'upload'>('create');
  const [subject, setSubject] = useState('');
  const [pfx, setPfx] = useState<File | null>(null);
  const [pfxPassword, setPfxPassword] = useState('');
  const [steps, setSteps] = useState<ValidationStep[]>([]);
  const [validating, setValidating] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string>();

  // Connecting a tenant is an administrator's change (for that tenant, once it is typed in).
  const access = useWriteAccess(form.tenantId.trim() || null, 'admin');
  const errors = touched ? tenantFormErrors(form) : {};
  const field = (name: keyof TenantForm) => ({
    value: form[name],
    error: errors[name],
    onChange: (e: { currentTarget: { value: string } }) =>
      setForm({ ...form, [name]: e.currentTarget.value }),
  });
  const sandbox = health.data?.sandboxTenant;

  const ensureConnection = async (): Promise<TenantConnection> => {
    if (connection) return connection;
    const created = (await request('cert-vault', 'post', '/v1/tenant-connections', {
      body: {
        tenantId: form.tenantId.trim().toLowerCase(),
        appId: form.appId.trim().toLowerCase(),
        organization: form.organization.trim().toLowerCase(),
        cloud: form.cloud,
        ...(endpoints && { authorityHost: endpoints, exchangeEndpoint: endpoints, graphUrl: endpoints }),
      },
    })) as TenantConnection;
    setConnection(created);
    return created;
  };

  const addCertificate = async () => {
    setTouched(true);
    setError(undefined);
    if (Object.keys(tenantFormErrors(form)).length > 0) return;
    try {
      const target = await ensureConnection();
      const base = `/api/cert-vault/v1/tenant-connections/${target.id}/certificates`;
      const made = (
        source === 'create'
          ? await request('cert-vault', 'post', '/v1/tenant-connections/{connectionId}/certificates', {
              path: { connectionId: target.id },
              body: { subject: subject.trim() || `CN=easgate ${form.organization.trim()}`, activate: true },
            })
          : await request('cert-vault', 'post', '/v1/tenant-connections/{connectionId}/certificates/import', {
              path: { connectionId: target.id },
              body: { pfxBase64: pfx ? await fileToBase64(pfx) : '', password: pfxPassword, activate: true },
            })
      ) as CertificateMetadata;
      setCertificate(made);
      const publicPem = await fetch(`${base}/${made.id}/public.pem`, {
        credentials: 'same-origin',
      }).then((r) => r.text());
      setPem(publicPem);
      setSteps([]);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  const validate = async () => {
    if (!connection || !certificate) return;
    setValidating(true);
    setError(undefined);
    try {
      await runValidation(
        consoleStages({
          validateInVault: async () =>
            (await request(
              'cert-vault',
              'post',
              '/v1/tenant-connections/{connectionId}/certificates/{certificateId}/validate',
              { path: { connectionId: connection.id, certificateId: certificate.id }, body: { live: true } },
            )) as VaultValidation,
          testConnection: async () =>
            (await request('exchange-executor', 'post', '/v1/tenants/{tenant}/connection-test', {
              path: { tenant: connection.tenantId },
            })) as ConnectionTest,
          now: () => new Date(),
        }),
        (current) => setSteps([...current]),
        plannedSteps(),
      );
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setValidating(false);
    }
  };

  const save = async () => {
    if (!connection) return;
    try {
      await request('cert-vault', 'patch', '/v1/tenant-connections/{connectionId}', {
        path: { connectionId: connection.id },
        body: { cloud: form.cloud, organization: form.organization.trim().toLowerCase() },
      });
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: ['connections'] });
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <Stack maw={880}>
      <Title order={1}>Connect a tenant</Title>
      <ReadOnlyNotice access={access} />

      <section aria-labelledby="server-type">
        <Title order={2} id="server-type" size="h3">
          1. Email server
        </Title>
        <Radio.Group label="Email server type" value="office365" mt="xs">
          <Stack gap="xs" mt="xs">
            <Radio value="office365" label="Exchange → Office 365 (Exchange Online)" />
            <Radio
              value="onprem"
              disabled
              label="Exchange on-premises (not supported: easgate talks to Exchange Online)"
            />
          </Stack>
        </Radio.Group>
      </section>

      <section aria-labelledby="tenant">
        <Title order={2} id="tenant" size="h3">
          2. Tenant and application
        </Title>
        {sandbox && (
          <Alert color="blue" title="The local Exchange sandbox is running" mt="xs">
            <Text size="sm">
              easgate start runs a stand-in for Entra ID and Exchange Online (tenant {sandbox.organization}).
            </Text>
            <Button
              mt="xs"
              size="xs"
              variant="outline"
              disabled={connection !== undefined}
              onClick={() => {
                setForm({ ...form, tenantId: sandbox.tenantId, organization: sandbox.organization });
                setEndpoints(health.data?.sandbox);
              }}
            >
              Use the sandbox tenant
            </Button>
          </Alert>
        )}
        <Stack gap="sm" mt="xs">
          <TextInput
            label="Tenant id"
            description="Entra → Overview → Tenant ID"
            required
            disabled={connection !== undefined}
            {...field('tenantId')}
          />
          <TextInput
            label="Application (client) id"
            description="Entra → App registrations → your app → Application (client) ID"
            required
            disabled={connection !== undefined}
            {...field('appId')}
          />
          <TextInput
            label="Organization domain"
            description="contoso.onmicrosoft.com"
            required
            disabled={connection !== undefined}
            {...field('organization')}
          />
          <Select
            label="Cloud"
            data={Clouds.map((c) => ({ value: c.value, label: c.label }))}
            value={form.cloud}
            error={errors.cloud}
            allowDeselect={false}
            disabled={connection !== undefined}
            onChange={(value) => setForm({ ...form, cloud: value ?? 'O365Default' })}
          />
          {endpoints && <Text size="sm">Endpoints: {endpoints} (the sandbox)</Text>}
        </Stack>
      </section>

      <section aria-labelledby="credential">
        <Title order={2} id="credential" size="h3">
          3. Type of credential
        </Title>
        <Radio.Group label="Type of credential" value="certificate" mt="xs">
          <Stack gap="xs" mt="xs">
            <Radio value="certificate" label="Certificate" />
            <Radio
              value="password"
              disabled
              label="Service account with a password (not supported)"
              description={BASIC_AUTH_REASON}
            />
          </Stack>
        </Radio.Group>
        <Radio.Group
          label="Certificate"
          mt="md"
          value={source}
          onChange={(value) => setSource(value === 'upload' ? 'upload' : 'create')}
        >
          <Stack gap="xs" mt="xs">
            <Radio
              value="create"
              label="Create a certificate in the vault (its private key never leaves it)"
            />
            <Radio value="upload" label="Upload a PFX and its password" />
          </Stack>
        </Radio.Group>
        <Stack gap="sm" mt="sm">
          {source === 'create' ? (
            <TextInput
              label="Certificate subject"
              placeholder={`CN=easgate ${form.organization || 'contoso.onmicrosoft.com'}`}
              value={subject}
              onChange={(e) => setSubject(e.currentTarget.value)}
            />
          ) : (
            <>
              <FileInput label="PFX file" accept=".pfx,.p12" value={pfx} onChange={setPfx} />
              <PasswordInput
                label="PFX password"
                value={pfxPassword}
                onChange={(e) => setPfxPassword(e.currentTarget.value)}
              />
            </>
          )}
          <Group>
            <Button
              onClick={() => void addCertificate()}
              disabled={certificate !== undefined || !access.allowed}
              title={access.reason}
            >
              {source === 'create' ? 'Create certificate' : 'Upload certificate'}
            </Button>
          </Group>
        </Stack>
        {certificate && connection && pem && (
          <Stack gap="xs" mt="md">
            <Text>
              Certificate <strong>{certificate.subject}</strong>, thumbprint{' '}
              <Code>{certificate.thumbprintSha1}</Code>, valid until {certificate.notAfter.slice(0, 10)}.
            </Text>
            <Group>
              <Anchor
                href={`/api/cert-vault/v1/tenant-connections/${connection.id}/certificates/${certificate.id}/public.cer`}
                download
              >
                Download the .cer
              </Anchor>
              <Anchor
                href={`/api/cert-vault/v1/tenant-connections/${connection.id}/certificates/${certificate.id}/public.pem`}
                download
              >
                Download the .pem
              </Anchor>
            </Group>
            <Title order={3} size="h4">
              Register it in Entra
            </Title>
            <List type="ordered" spacing="xs">
              <List.Item>
                Entra → App registrations → your app → Certificates &amp; secrets → Upload the .cer (or paste
                the keyCredentials below into the manifest).
              </List.Item>
              <List.Item>
                API permissions → Add → Office 365 Exchange Online → Application permissions →
                Exchange.ManageAsApp.
              </List.Item>
              <List.Item>Grant admin consent for the tenant.</List.Item>
              <List.Item>
                Roles and administrators → Exchange Administrator → Add assignment → your app.
              </List.Item>
            </List>
            <Text fw={600} id="pem-label">
              Public certificate (PEM)
            </Text>
            <Code block tabIndex={0} aria-labelledby="pem-label" data-testid="certificate-pem">
              {pem}
            </Code>
            <Text fw={600} id="key-credentials-label">
              keyCredentials JSON
            </Text>
            <Code block tabIndex={0} aria-labelledby="key-credentials-label">
              {keyCredentialsJson(pem, certificate.subject)}
            </Code>
          </Stack>
        )}
      </section>

      <section aria-labelledby="validate">
        <Title order={2} id="validate" size="h3">
          4. Validate and save
        </Title>
        <Group mt="xs">
          <Button
            onClick={() => void validate()}
            loading={validating}
            disabled={!certificate || !access.allowed}
            title={access.reason}
          >
            Validate Certificate
          </Button>
          <Button
            onClick={() => void save()}
            disabled={!allPassed(steps) || saved || !access.allowed}
            title={access.reason}
            color="#1b5e20"
          >
            Save
          </Button>
        </Group>
        {steps.length > 0 && (
          <ol aria-label="Validation steps" aria-live="polite" style={{ paddingLeft: 0, listStyle: 'none' }}>
            {steps.map((step) => (
              <li
                key={step.id}
                data-step={step.id}
                data-state={step.state}
                style={{ padding: '6px 0', borderBottom: '1px solid #dee2e6' }}
              >
                <Group gap="sm">
                  <Badge color={STATE_COLOURS[step.state]} variant="filled" w={80}>
                    {step.state}
                  </Badge>
                  <Text fw={600}>{step.label}</Text>
                  {step.durationMs !== undefined && step.state !== 'skipped' && (
                    <Text size="sm">{step.durationMs} ms</Text>
                  )}
                </Group>
                {step.message && <Text size="sm">{step.message}</Text>}
                {step.warning && (
                  <Text size="sm" c="orange.9">
                    Warning: {step.warning}
                  </Text>
                )}
                {step.state === 'failed' && step.detail && step.detail !== step.message && (
                  <Text size="sm">Microsoft said: {step.detail}</Text>
                )}
                {step.fix && (
                  <Text size="sm" c="red.9">
                    Fix: {step.fix}
                  </Text>
                )}
              </li>
            ))}
          </ol>
        )}
        {error && (
          <Alert color="red" role="alert" title="Something failed" mt="sm">
            {error}
          </Alert>
        )}
        {saved && (
          <Alert color="green" title="Saved" mt="sm" role="status">
            The tenant connection is saved.{' '}
            <Anchor
              href="/exchange"
              onClick={(e) => {
                e.preventDefault();
                navigate('/exchange');
              }}
            >
              See its Exchange ActiveSync status
            </Anchor>
          </Alert>
        )}
      </section>
    </Stack>
  );
}
