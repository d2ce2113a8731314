import {
  Alert,
  Anchor,
  Badge,
  Button,
  Card,
  Checkbox,
  FileInput,
  Group,
  Loader,
  Modal,
  NumberInput,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request, type TenantConnection } from '../api';
import { certificateActions, type CertificateRow, fileToImportBody } from '../logic/certificates';
import { daysLeft, daysLeftText, EXPIRY_COLOURS, expiryLevel } from '../logic/expiry';
import { ReadOnlyNotice, useWriteAccess } from '../session';

const STATUS_COLOURS: Record<string, string> = {
  active: '#1b5e20',
  pending: '#1f3a93',
  retiring: '#8a4b00',
  retired: '#495057',
  failed: '#b71c1c',
};

/** Certificates per tenant connection: list, import (PFX + password), create, download, activate, retire. */
export function CertificatesScreen() {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await request('cert-vault', 'get', '/v1/tenant-connections')) as TenantConnection[],
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const connection = connections.data?.find((c) => c.id === chosen) ?? connections.data?.[0];
  return (
    <Stack maw={1100}>
      <Title order={1}>Certificates</Title>
      {connections.isPending && <Loader aria-label="Loading the tenant connections" />}
      {connections.isError && (
        <Alert color="red" role="alert">
          {connections.error.message}
        </Alert>
      )}
      {connections.data?.length === 0 && <Text>No tenant is connected yet: use Connect a tenant.</Text>}
      {connections.data && connections.data.length > 0 && (
        <Select
          label="Tenant connection"
          allowDeselect={false}
          maw={600}
          data={connections.data.map((c) => ({
            value: c.id,
            label: `${c.organization} — app ${c.appId}`,
          }))}
          value={connection?.id ?? null}
          onChange={setChosen}
        />
      )}
      {connection && <ConnectionCertificates key={connection.id} connection={connection} />}
    </Stack>
  );
}

type Pending = { kind: 'activate' | 'retire'; certificate: CertificateRow } | undefined;

function ConnectionCertificates({ connection }: { connection: TenantConnection }) {
  const queryClient = useQueryClient();
  const path = { connectionId: connection.id };
  const certificates = useQuery({
    queryKey: ['certificates', connection.id],
    queryFn: async () =>
      (await request('cert-vault', 'get', '/v1/tenant-connections/{connectionId}/certificates', {
        path,
      })) as CertificateRow[],
  });
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState<Pending>();
  const access = useWriteAccess(connection.tenantId);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['certificates', connection.id] }),
      queryClient.invalidateQueries({ queryKey: ['connections'] }),
    ]);
  const run = async (done: string, call: () => Promise<unknown>): Promise<boolean> => {
    setError(undefined);
    setMessage(undefined);
    try {
      await call();
      // Announced once the list shows it (a screen reader user, or a test, reads the list next).
      await refresh();
      setMessage(done);
      return true;
    } catch (err) {
      await refresh();
      setError((err as Error).message);
      return false;
    }
  };
  const now = new Date();
  const rows = [...(certificates.data ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

  return (
    <Stack>
      <ReadOnlyNotice access={access} />
      <Card withBorder component="section" aria-labelledby="certificate-list">
        <Title order={2} size="h3" id="certificate-list">
          Certificates of {connection.organization}
        </Title>
        {certificates.isPending && <Loader aria-label="Loading the certificates" />}
        {rows.length === 0 && !certificates.isPending && <Text>No certificate yet.</Text>}
        {rows.length > 0 && (
          <Table mt="xs" aria-labelledby="certificate-list">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Status</Table.Th>
                <Table.Th>Subject and thumbprint</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Download</Table.Th>
                <Table.Th>Actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((c) => {
                const days = daysLeft(c.notAfter, now);
                const actions = certificateActions(c.status);
                const base = `/api/cert-vault/v1/tenant-connections/${connection.id}/certificates/${c.id}`;
                return (
                  <Table.Tr key={c.id} data-testid={`certificate-${c.thumbprintSha1}`} data-status={c.status}>
                    <Table.Td>
                      <Badge color={STATUS_COLOURS[c.status] ?? '#495057'} variant="filled">
                        {c.status}
                      </Badge>
                      <Text size="sm" c="dimmed">
                        {c.source}
                      </Text>
                    </Table.Td>
                    <Table.Td style={{ wordBreak: 'break-all' }}>
                      {c.subject}
                      <Text size="sm" c="dimmed">
                        SHA-1 {c.thumbprintSha1}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      {c.notAfter.slice(0, 10)}
                      <br />
                      <Badge color={EXPIRY_COLOURS[expiryLevel(days)]} variant="filled">
                        {daysLeftText(days)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs">
                        <Anchor
                          href={`${base}/public.cer`}
                          download
                          aria-label={`Download .cer of ${c.thumbprintSha1}`}
                        >
                          .cer
                        </Anchor>
                        <Anchor
                          href={`${base}/public.pem`}
                          download
                          aria-label={`Download .pem of ${c.thumbprintSha1}`}
                        >
                          .pem
                        </Anchor>
                      </Group>
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs">
                        {actions.activate && (
                          <Button
                            size="xs"
                            aria-label={`Activate ${c.thumbprintSha1}`}
                            disabled={!access.allowed}
                            title={access.reason}
                            onClick={() => setPending({ kind: 'activate', certificate: c })}
                          >
                            Activate
                          </Button>
                        )}
                        {actions.retire && (
                          <Button
                            size="xs"
                            variant="outline"
                            color="#b71c1c"
                            aria-label={`Retire ${c.thumbprintSha1}`}
                            disabled={!access.allowed}
                            title={access.reason}
                            onClick={() => setPending({ kind: 'retire', certificate: c })}
                          >
                            Retire
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        )}
        <div role="status" aria-live="polite">
          {message && <Text mt="xs">{message}</Text>}
        </div>
        {error && (
          <Alert color="red" role="alert" mt="xs">
            {error}
          </Alert>
        )}
      </Card>
      {/* Import and create are an operator's changes: not offered to a read-only user. */}
      {access.allowed && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <ImportCertificate
            onImport={(body) =>
              run('The certificate is imported.', () =>
                request('cert-vault', 'post', '/v1/tenant-connections/{connectionId}/certificates/import', {
                  path,
                  body,
                }),
              )
            }
          />
          <CreateCertificate
            organization={connection.organization}
            onCreate={(body) =>
              run('The certificate is created in the vault.', () =>
                request('cert-vault', 'post', '/v1/tenant-connections/{connectionId}/certificates', {
                  path,
                  body,
                }),
              )
            }
          />
        </SimpleGrid>
      )}
      <ConfirmAction
        pending={pending}
        onClose={() => setPending(undefined)}
        onConfirm={async (p, reason, overlapHours) => {
          const target = { connectionId: connection.id, certificateId: p.certificate.id };
          setPending(undefined);
          if (p.kind === 'activate')
            await run(`Certificate ${p.certificate.thumbprintSha1} is active.`, () =>
              request(
                'cert-vault',
                'post',
                '/v1/tenant-connections/{connectionId}/certificates/{certificateId}/activate',
                {
                  path: target,
                  body: { ...(reason && { reason }), ...(overlapHours !== undefined && { overlapHours }) },
                },
              ),
            );
          else
            await run(`Certificate ${p.certificate.thumbprintSha1} is retired.`, () =>
              request(
                'cert-vault',
                'post',
                '/v1/tenant-connections/{connectionId}/certificates/{certificateId}/retire',
                { path: target, body: { ...(reason && { reason }) } },
              ),
            );
        }}
      />
    </Stack>
  );
}

function ImportCertificate({
  onImport,
}: {
  onImport: (body: Awaited<ReturnType<typeof fileToImportBody>>) => Promise<boolean>;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [activate, setActivate] = useState(false);
  const [busy, setBusy] = useState(false);
  return (
    <Card withBorder component="section" aria-labelledby="import-certificate">
      <Stack
        component="form"
        gap="xs"
        onSubmit={(e) => {
          e.preventDefault();
          if (!file) return;
          setBusy(true);
          void fileToImportBody(file, password, activate)
            .then(onImport)
            .then((ok) => {
              if (ok) {
                setFile(null);
                setPassword('');
              }
            })
            .finally(() => setBusy(false));
        }}
      >
        <Title order={2} size="h3" id="import-certificate">
          Import a certificate
        </Title>
        <FileInput
          label="PFX / PKCS#12 file (or PEM with its key)"
          accept=".pfx,.p12,.pem"
          required
          clearable
          value={file}
          onChange={setFile}
        />
        <PasswordInput
          label="PFX password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
        <Checkbox
          label="Activate it once imported"
          checked={activate}
          onChange={(e) => setActivate(e.currentTarget.checked)}
        />
        <Group>
          <Button type="submit" loading={busy} disabled={!file}>
            Import certificate
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function CreateCertificate({
  organization,
  onCreate,
}: {
  organization: string;
  onCreate: (body: {
    subject: string;
    days?: number;
    keySize?: 2048 | 3072 | 4096;
    activate?: boolean;
  }) => Promise<boolean>;
}) {
  const [subject, setSubject] = useState(`CN=easgate ${organization}`);
  const [days, setDays] = useState<number | string>(365);
  const [keySize, setKeySize] = useState<string>('2048');
  const [busy, setBusy] = useState(false);
  return (
    <Card withBorder component="section" aria-labelledby="create-certificate">
      <Stack
        component="form"
        gap="xs"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          void onCreate({
            subject,
            ...(typeof days === 'number' && { days }),
            keySize: Number(keySize) as 2048 | 3072 | 4096,
          }).finally(() => setBusy(false));
        }}
      >
        <Title order={2} size="h3" id="create-certificate">
          Create a certificate in the vault
        </Title>
        <Text size="sm">
          The private key is generated in the vault and never leaves it: download the .cer and upload it to
          the app in Entra, then activate the certificate.
        </Text>
        <TextInput
          label="Subject"
          required
          value={subject}
          onChange={(e) => setSubject(e.currentTarget.value)}
        />
        <Group grow>
          <NumberInput label="Validity (days)" min={1} max={3650} value={days} onChange={setDays} />
          <Select
            label="Key size (bits)"
            allowDeselect={false}
            data={['2048', '3072', '4096']}
            value={keySize}
            onChange={(v) => setKeySize(v ?? '2048')}
          />
        </Group>
        <Group>
          <Button type="submit" loading={busy}>
            Create certificate in the vault
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function ConfirmAction({
  pending,
  onClose,
  onConfirm,
}: {
  pending: Pending;
  onClose: () => void;
  onConfirm: (pending: NonNullable<Pending>, reason: string, overlapHours?: number) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [overlap, setOverlap] = useState<number | string>(24);
  const activate = pending?.kind === 'activate';
  return (
    <Modal.Root opened={pending !== undefined} onClose={onClose}>
      <Modal.Overlay />
      <Modal.Content>
        {/* A div, not a header: inside the dialog it is no second banner landmark. */}
        <Modal.Header component="div">
          <Modal.Title>{activate ? 'Activate this certificate?' : 'Retire this certificate?'}</Modal.Title>
          <Modal.CloseButton aria-label="Close" />
        </Modal.Header>
        <Modal.Body>
          {pending && (
            <Stack
              component="form"
              gap="xs"
              onSubmit={(e) => {
                e.preventDefault();
                void onConfirm(
                  pending,
                  reason,
                  activate && typeof overlap === 'number' ? overlap : undefined,
                );
                setReason('');
              }}
            >
              <Text size="sm" style={{ wordBreak: 'break-all' }}>
                {pending.certificate.subject} (SHA-1 {pending.certificate.thumbprintSha1})
              </Text>
              <Text size="sm">
                {activate
                  ? 'easgate signs with it from now on; the current certificate keeps working for the overlap, then retires. It must already be registered in the Entra app.'
                  : 'The vault stops signing with it. A retired certificate cannot be activated again.'}
              </Text>
              {activate && (
                <NumberInput
                  label="Overlap of the current certificate (hours)"
                  min={0}
                  max={2160}
                  value={overlap}
                  onChange={setOverlap}
                />
              )}
              <TextInput
                label="Reason (audit log)"
                value={reason}
                onChange={(e) => setReason(e.currentTarget.value)}
              />
              <Group justify="end">
                <Button variant="default" onClick={onClose}>
                  Cancel
                </Button>
                <Button type="submit" color={activate ? undefined : '#b71c1c'}>
                  {activate ? 'Activate' : 'Retire'}
                </Button>
              </Group>
            </Stack>
          )}
        </Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
