import { Alert } from '@mantine/core';
import { createContext, useContext } from 'react';
import type { SessionUser } from './api';
import { type TenantTarget, type WriteAccess, writeAccess, type WriteNeed } from './logic/permissions';

const SessionContext = createContext<SessionUser | undefined>(undefined);

/** The signed-in user, for the screens that offer changes (App provides it once signed in). */
export const SessionProvider = SessionContext.Provider;

/** Whether the signed-in user may make this change (a role and a tenant grant), and why not. */
export function useWriteAccess(tenant: TenantTarget, need: WriteNeed = 'operator'): WriteAccess {
  const user = useContext(SessionContext);
  if (!user) return { allowed: false, reason: 'Read-only: not signed in.' };
  return writeAccess(user, tenant, need);
}

/** The screen's one-line notice when its changes are not the user's to make (the buttons are disabled). */
export function ReadOnlyNotice({ access }: { access: WriteAccess }) {
  if (access.allowed) return null;
  return (
    <Alert color="gray" variant="light" data-testid="read-only-notice">
      {access.reason}
    </Alert>
  );
}
