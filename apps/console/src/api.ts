/** Calls to the console gateway: the session cookie rides along; writes carry the CSRF token. */
let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(init.body !== undefined && { 'content-type': 'application/json' }),
      ...(method !== 'GET' && { 'x-csrf-token': csrfToken }),
    },
    ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!res.ok) {
    const error = (data ?? {}) as { code?: string; message?: unknown };
    const message = Array.isArray(error.message)
      ? error.message.join('; ')
      : typeof error.message === 'string'
        ? error.message
        : res.statusText;
    throw new ApiError(res.status, error.code ?? `HTTP_${res.status}`, message);
  }
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface SessionUser {
  id: string;
  roles: string[];
  tenants: '*' | string[];
}

export interface TenantConnection {
  id: string;
  tenantId: string;
  appId: string;
  organization: string;
  cloud?: string;
  activeCertificate?: { id: string; thumbprintSha1: string; notAfter: string };
}

export interface CertificateMetadata {
  id: string;
  status: string;
  subject: string;
  thumbprintSha1: string;
  notAfter: string;
}

export interface Health {
  sandbox?: string;
  sandboxTenant?: { tenantId: string; organization: string };
}
