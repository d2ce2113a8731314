import { Stack, Title } from '@mantine/core';

/** Certificates per tenant connection: list, import, create, download, activate, retire. */
export function CertificatesScreen() {
  return (
    <Stack maw={1100}>
      <Title order={1}>Certificates</Title>
    </Stack>
  );
}
