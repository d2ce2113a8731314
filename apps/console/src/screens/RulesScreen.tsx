import { Alert, Button, Group, Loader, Select, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { ApiError, request, type TenantConnection } from '../api';
import {
  parseRulesText,
  previewSummary,
  type RulesPreview,
  rulesText,
  saveProblem,
  type VersionedRules,
} from '../logic/rules-editor';
import { ReadOnlyNotice, useWriteAccess } from '../session';

/** The translator's rules of a tenant: current version, history, a what-if preview, and save with the version. */
export function RulesScreen() {
  const connections = useQuery({
    queryKey: ['connections'],
    queryFn: async () => (await request('cert-vault', 'get', '/v1/tenant-connections')) as TenantConnection[],
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const tenant = chosen ?? connections.data?.[0]?.organization ?? null;
  return (
    <Stack maw={1100}>
      <Title order={1}>Rules</Title>
      <Text size="sm">
        How MDM verdicts become Exchange access. Preview what a change would do to the devices before saving
        it.
      </Text>
      {connections.isPending && <Loader aria-label="Loading the tenants" />}
      {connections.data?.length === 0 && <Text>No tenant is connected yet.</Text>}
      {connections.data && connections.data.length > 0 && (
        <Select
          label="Tenant"
          allowDeselect={false}
          data={connections.data.map((c) => ({ value: c.organization, label: c.organization }))}
          value={tenant}
          onChange={setChosen}
          maw={480}
        />
      )}
      {tenant && <RulesEditor key={tenant} tenant={tenant} />}
    </Stack>
  );
}

function RulesEditor({ tenant }: { tenant: string }) {
  const queryClient = useQueryClient();
  const path = { tenant };
  const access = useWriteAccess(tenant);
  const current = useQuery({
    queryKey: ['rules', tenant],
    queryFn: async () =>
      (await request('policy-translator', 'get', '/v1/tenants/{tenant}/rules', { path })) as VersionedRules,
  });
  const history = useQuery({
    queryKey: ['rules-history', tenant],
    queryFn: async () =>
      (await request('policy-translator', 'get', '/v1/tenants/{tenant}/rules/history', {
        path,
      })) as VersionedRules[],
  });
  /** The version the text was loaded from: what a save is made against. */
  const [baseVersion, setBaseVersion] = useState<number>();
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<RulesPreview>();
  const [message, setMessage] = useState<{ ok: boolean; text: string; conflict?: boolean }>();
  const [busy, setBusy] = useState(false);

  const load = (rules: VersionedRules) => {
    setBaseVersion(rules.version);
    setText(rulesText(rules.rules));
    setPreview(undefined);
  };
  useEffect(() => {
    if (current.data && baseVersion === undefined) load(current.data);
  }, [current.data, baseVersion]);

  const parsed = parseRulesText(text);
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      await work();
    } catch (err) {
      const conflict = err instanceof ApiError && err.code === 'TRANSLATOR_RULES_VERSION_CONFLICT';
      setMessage({ ok: false, text: saveProblem(err as Error, baseVersion), conflict });
      // The version saved meanwhile shows in the history at once.
      if (conflict) await queryClient.invalidateQueries({ queryKey: ['rules-history', tenant] });
    } finally {
      setBusy(false);
    }
  };
  const previewChanges = () =>
    run(async () => {
      if (!parsed.ok) return;
      setPreview(
        (await request('policy-translator', 'post', '/v1/tenants/{tenant}/rules/preview', {
          path,
          body: { rules: parsed.rules },
        })) as RulesPreview,
      );
    });
  const save = () =>
    run(async () => {
      if (!parsed.ok) return;
      const saved = (await request('policy-translator', 'put', '/v1/tenants/{tenant}/rules', {
        path,
        body: { rules: parsed.rules, expectedVersion: baseVersion },
      })) as { version: number; devicesChanged: number; commands: number };
      setBaseVersion(saved.version);
      setPreview(undefined);
      setMessage({
        ok: true,
        text: `Saved as version ${saved.version}: ${saved.devicesChanged} device(s) re-decided, ${saved.commands} Exchange command(s) sent.`,
      });
      await queryClient.invalidateQueries({ queryKey: ['rules', tenant] });
      await queryClient.invalidateQueries({ queryKey: ['rules-history', tenant] });
    });
  const reloadCurrent = async () => {
    const fresh = await current.refetch();
    if (fresh.data) load(fresh.data);
    setMessage(undefined);
    await history.refetch();
  };

  if (current.isPending) return <Loader aria-label="Loading the rules" />;
  if (current.isError)
    return (
      <Alert color="red" role="alert">
        {current.error.message}
      </Alert>
    );
  return (
    <Stack>
      <ReadOnlyNotice access={access} />
      <section aria-labelledby="rules-editor">
        <Title order={2} size="h3" id="rules-editor">
          Current rules
        </Title>
        <Text size="sm" data-testid="rules-version">
          Editing version {baseVersion ?? current.data.version}
          {current.data.createdBy ? `, saved by ${current.data.createdBy}` : ''}
          {current.data.createdAt ? ` at ${current.data.createdAt}` : ''}
          {current.data.version === 0 ? ' (the defaults)' : ''}
        </Text>
        <Textarea
          mt="xs"
          label="Rules (JSON)"
          description="per MDM state: access (allow, block, quarantine) and action; mailbox policies; auto-quarantine"
          autosize
          minRows={12}
          maxRows={30}
          styles={{ input: { fontFamily: 'monospace' } }}
          value={text}
          error={parsed.ok ? undefined : parsed.error}
          onChange={(e) => {
            setText(e.currentTarget.value);
            setPreview(undefined);
          }}
        />
        <Group mt="sm">
          <Button variant="default" disabled={!parsed.ok || busy} onClick={() => void previewChanges()}>
            Preview changes
          </Button>
          <Button
            disabled={!parsed.ok || busy || !access.allowed}
            title={access.reason}
            onClick={() => void save()}
          >
            Save rules
          </Button>
        </Group>
        {message && (
          <Alert
            mt="sm"
            color={message.ok ? 'green' : 'red'}
            role={message.ok ? 'status' : 'alert'}
            data-testid="rules-message"
          >
            {message.text}
            {message.conflict && (
              <div>
                <Button mt="xs" size="xs" variant="default" onClick={() => void reloadCurrent()}>
                  Load the current rules
                </Button>
              </div>
            )}
          </Alert>
        )}
      </section>
      {preview && (
        <section aria-labelledby="rules-preview">
          <Title order={2} size="h3" id="rules-preview">
            What-if preview
          </Title>
          <Text role="status" data-testid="preview-summary">
            {previewSummary(preview)}
          </Text>
          {preview.changes.length > 0 && (
            <Table striped mt="xs">
              <Table.Caption>Devices whose Exchange access or action would change</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">MDM device id</Table.Th>
                  <Table.Th scope="col">Mailbox</Table.Th>
                  <Table.Th scope="col">MDM state</Table.Th>
                  <Table.Th scope="col">Now</Table.Th>
                  <Table.Th scope="col">With these rules</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.changes.map((c) => (
                  <Table.Tr key={c.mdmDeviceId}>
                    <Table.Td>{c.mdmDeviceId}</Table.Td>
                    <Table.Td>{c.mailbox}</Table.Td>
                    <Table.Td>{c.state}</Table.Td>
                    <Table.Td>
                      {c.from.access}, {c.from.action}
                    </Table.Td>
                    <Table.Td>
                      {c.to.access}, {c.to.action}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </section>
      )}
      <section aria-labelledby="rules-history">
        <Title order={2} size="h3" id="rules-history">
          History
        </Title>
        {history.isError && (
          <Alert color="red" role="alert">
            {history.error.message}
          </Alert>
        )}
        {history.data && history.data.length === 0 && <Text>No saved version yet: the defaults apply.</Text>}
        {history.data && history.data.length > 0 && (
          <Table striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Version</Table.Th>
                <Table.Th scope="col">Saved at</Table.Th>
                <Table.Th scope="col">By</Table.Th>
                <Table.Th scope="col">Editor</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.data.map((h) => (
                <Table.Tr key={h.version} data-testid={`rules-history-${h.version}`}>
                  <Table.Td>{h.version}</Table.Td>
                  <Table.Td>{h.createdAt ?? '—'}</Table.Td>
                  <Table.Td>{h.createdBy ?? '—'}</Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="default"
                      aria-label={`Copy version ${h.version} into the editor`}
                      onClick={() => {
                        setText(rulesText(h.rules));
                        setPreview(undefined);
                      }}
                    >
                      Copy into the editor
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </section>
    </Stack>
  );
}
