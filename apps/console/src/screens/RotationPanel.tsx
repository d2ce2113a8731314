import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  List,
  NumberInput,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { type CertificateMetadata, request, type TenantConnection } from '../api';
import { ReadOnlyNotice, useWriteAccess } from '../session';
import {
  isRotationOpen,
  latestRotation,
  ROTATION_STATE_TEXT,
  rotationSteps,
  type RotationView,
  type StepState,
} from '../logic/rotation-steps';

const STEP_COLOURS: Record<StepState, string> = {
  done: '#1b5e20',
  running: '#1f3a93',
  waiting: '#495057',
  failed: '#b71c1c',
  skipped: '#495057',
};
const STATE_COLOURS: Record<RotationView['state'], string> = {
  started: '#1f3a93',
  'key-added': '#1f3a93',
  completed: '#1b5e20',
  'rolled-back': '#b71c1c',
};

/**
 * The certificate rotation of one connection: the state of its latest staged rotation, step by step,
 * and a button to start one (new certificate → Entra → token check with the new key → active).
 */
export function RotationPanel({
  connection,
  certificates,
}: {
  connection: TenantConnection & { applicationObjectId?: string };
  /** The connection's certificates: the new one's thumbprint, to find it again in Entra. */
  certificates: readonly CertificateMetadata[];
}) {
  const queryClient = useQueryClient();
  const path = { connectionId: connection.id };
  const rotations = useQuery({
    queryKey: ['rotations', connection.id],
    queryFn: async () =>
      (await request('cert-vault', 'get', '/v1/tenant-connections/{connectionId}/rotations', {
        path,
      })) as RotationView[],
  });
  const graph = connection.applicationObjectId !== undefined;
  const access = useWriteAccess(connection.tenantId);
  const [uploadToEntra, setUploadToEntra] = useState(graph);
  const [completeNow, setCompleteNow] = useState(true);
  // A certificate registered by hand: verified only once the administrator says it is in Entra.
  const manual = !(graph && uploadToEntra);
  const [confirmedFor, setConfirmedFor] = useState<string>();
  const [days, setDays] = useState<number | string>(365);
  const [inFlight, setInFlight] = useState(false);
  const [error, setError] = useState<string>();
  const latest = latestRotation(rotations.data ?? []);
  const open = isRotationOpen(latest);
  const awaitingUpload = latest !== undefined && latest.state === 'started' && !latest.uploadToEntra;
  const uploadConfirmed = awaitingUpload && confirmedFor === latest.id;
  const incoming = latest && certificates.find((c) => c.id === latest.toCertificateId);
  const headingId = `rotation-${connection.id}`;

  const refresh = async () => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: ['rotations', connection.id] }),
      queryClient.invalidateQueries({ queryKey: ['connections'] }),
      queryClient.invalidateQueries({ queryKey: ['certificates', connection.id] }),
    ]);
  };
  const run = async (call: () => Promise<unknown>) => {
    setError(undefined);
    setInFlight(true);
    try {
      await call();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      await refresh();
      setInFlight(false);
    }
  };
  const start = () =>
    run(() =>
      request('cert-vault', 'post', '/v1/tenant-connections/{connectionId}/rotations', {
        path,
        body: {
          uploadToEntra: !manual,
          complete: !manual && completeNow,
          ...(typeof days === 'number' && { create: { days } }),
          reason: 'started in the console',
        },
      }),
    );
  const complete = (rotation: RotationView) =>
    run(() =>
      request('cert-vault', 'post', '/v1/tenant-connections/{connectionId}/rotations/{rotationId}/complete', {
        path: { connectionId: connection.id, rotationId: rotation.id },
        ...(awaitingUpload && { body: { uploadConfirmed: uploadConfirmed } }),
      }),
    );
  // While a start is in flight, the new rotation does not exist yet: its steps start from nothing.
  const shown = inFlight && !open ? undefined : latest;
  const steps = rotationSteps(shown, inFlight);

  return (
    <Stack component="section" aria-labelledby={headingId} mt="md" gap="xs">
      <Title order={3} size="h4" id={headingId}>
        Certificate rotation
      </Title>
      <Group gap="sm">
        <Text>Rotation state:</Text>
        {latest ? (
          <Badge color={STATE_COLOURS[latest.state]} variant="filled" data-testid="rotation-state">
            {ROTATION_STATE_TEXT[latest.state]}
          </Badge>
        ) : (
          <Text data-testid="rotation-state">never rotated</Text>
        )}
        {latest?.finishedAt && (
          <Text size="sm">finished {latest.finishedAt.replace('T', ' ').slice(0, 19)} UTC</Text>
        )}
      </Group>
      {(latest || inFlight) && (
        <List
          component="ol"
          aria-label="Rotation steps"
          aria-busy={inFlight}
          listStyleType="decimal"
          spacing={4}
        >
          {steps.map((step) => (
            <List.Item key={step.key} data-state={step.state}>
              <Group gap="xs" wrap="nowrap">
                <Badge color={STEP_COLOURS[step.state]} variant="filled" w={80}>
                  {step.state}
                </Badge>
                <Text>{step.label}</Text>
              </Group>
              {step.detail && (
                <Text size="sm" c="dimmed" ml={88} style={{ wordBreak: 'break-all' }}>
                  {step.detail}
                </Text>
              )}
            </List.Item>
          ))}
        </List>
      )}
      <ReadOnlyNotice access={access} />
      {latest && awaitingUpload && (
        <Stack
          gap={6}
          component="section"
          aria-labelledby={`${headingId}-upload`}
          data-testid="upload-confirmation"
        >
          <Title order={4} size="h5" id={`${headingId}-upload`}>
            Register the new certificate in Entra
          </Title>
          <Text size="sm">
            Add the new certificate to the app in Entra (App registrations → your app → Certificates &amp;
            secrets → Certificates → Upload certificate):{' '}
            <Anchor
              href={`/api/cert-vault/v1/tenant-connections/${connection.id}/certificates/${latest.toCertificateId}/public.cer`}
              download
            >
              download the new .cer
            </Anchor>
            {incoming && (
              <>
                {' '}
                (thumbprint <code data-testid="incoming-thumbprint">{incoming.thumbprintSha1}</code>)
              </>
            )}
            . The rotation goes on only once you confirm the upload: the vault then requests a token with the
            new key and activates it, or rolls back if Entra does not know it.
          </Text>
          <Checkbox
            label="I have uploaded the new certificate to the app in Entra"
            checked={uploadConfirmed}
            disabled={!access.allowed || inFlight}
            onChange={(e) => setConfirmedFor(e.currentTarget.checked ? latest.id : undefined)}
          />
        </Stack>
      )}
      <Group align="end" gap="md">
        <NumberInput
          label="Validity of the new certificate (days)"
          min={1}
          max={3650}
          w={260}
          value={days}
          onChange={setDays}
          disabled={open || inFlight || !access.allowed}
        />
        <Checkbox
          label="Add the new key to the Entra app through Microsoft Graph"
          description={graph ? undefined : 'needs the application object id on the connection'}
          checked={graph && uploadToEntra}
          disabled={!graph || open || inFlight || !access.allowed}
          onChange={(e) => setUploadToEntra(e.currentTarget.checked)}
        />
        <Checkbox
          label="Verify and activate right away"
          description={
            manual ? 'not for a certificate uploaded by hand: you confirm the upload first' : undefined
          }
          checked={completeNow && !manual}
          disabled={manual || open || inFlight || !access.allowed}
          onChange={(e) => setCompleteNow(e.currentTarget.checked)}
        />
      </Group>
      <Group>
        <Button
          onClick={() => void start()}
          disabled={open || rotations.isPending || !access.allowed}
          title={access.reason}
          loading={inFlight && !open}
        >
          Start staged rotation
        </Button>
        {latest && open && (
          <Button
            variant="outline"
            onClick={() => void complete(latest)}
            loading={inFlight}
            disabled={!access.allowed || (awaitingUpload && !uploadConfirmed)}
            title={
              access.reason ??
              (awaitingUpload && !uploadConfirmed ? 'Confirm the upload to Entra first' : undefined)
            }
          >
            Verify and activate
          </Button>
        )}
      </Group>
      <div role="status" aria-live="polite">
        {inFlight && <Text size="sm">Rotation in progress…</Text>}
      </div>
      {error && (
        <Alert color="red" role="alert" title="The rotation failed">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
