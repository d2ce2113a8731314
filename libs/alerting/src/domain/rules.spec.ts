import type { ExchangeResultV1 } from '@easgate/contracts';
import {
  backlogRule,
  certificateExpiryRule,
  circuitRule,
  type ConfigChangeActivity,
  configChangeRule,
  deadLetterRule,
  DEFAULT_THRESHOLDS,
  discoveryRule,
  exchangeResultRule,
  opensDeviceAccess,
  type RuleAction,
  throttlingRule,
  type TrackedCertificate,
  wipeResultRule,
} from './rules';

const now = new Date('2026-03-01T00:00:00.000Z');
const DAY = 86_400_000;
const raised = (actions: RuleAction[]) => actions.flatMap((a) => (a.type === 'raise' ? [a.condition] : []));

function aCertificate(daysLeft: number): TrackedCertificate {
  return {
    certificateId: 'c1',
    tenant: 'contoso',
    notAfter: new Date(now.getTime() + daysLeft * DAY).toISOString(),
    subject: 'CN=easgate',
  };
}

function aResult(overrides: Partial<ExchangeResultV1> = {}): ExchangeResultV1 {
  return {
    commandId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    tenant: 'contoso',
    mailbox: 'u@contoso.com',
    action: { kind: 'block-device', deviceId: 'D1' },
    outcome: 'failed',
    cmdlets: [],
    attempts: 1,
    completedAt: now.toISOString(),
    ...overrides,
  };
}

describe('certificateExpiryRule', () => {
  const sut = certificateExpiryRule;

  it.each([
    [45, undefined],
    [29, 'info'],
    [13, 'warning'],
    [6, 'critical'],
    [0.5, 'critical'],
  ])('at %s days left raises severity %s', (days, severity) => {
    const conditions = raised(sut(aCertificate(days), now, DEFAULT_THRESHOLDS));
    expect(conditions[0]?.severity).toBe(severity);
  });

  it('says "within 1 day" in the last day', () => {
    expect(raised(sut(aCertificate(0.5), now, DEFAULT_THRESHOLDS))[0]?.summary).toContain('within 1 day');
  });

  it('raises expired and clears expiring once notAfter passed', () => {
    const actions = sut(aCertificate(-1), now, DEFAULT_THRESHOLDS);
    expect(raised(actions).map((c) => c.kind)).toEqual(['certificate-expired']);
    expect(actions).toContainEqual({
      type: 'clear',
      identity: { kind: 'certificate-expiring', tenant: 'contoso', labels: { certificateId: 'c1' } },
    });
  });
});

describe('exchangeResultRule', () => {
  const sut = exchangeResultRule;

  it('raises an Entra failure by AADSTS code with the fix for a key not uploaded', () => {
    const [condition] = raised(
      sut(
        aResult({
          error: {
            code: 'TOKEN_REQUEST_FAILED',
            message: 'AADSTS700027: The certificate … is not registered',
            retriable: false,
          },
        }),
      ),
    );
    expect(condition).toMatchObject({
      kind: 'entra-auth-failed',
      labels: { code: 'AADSTS700027' },
      severity: 'critical',
    });
    expect(condition?.runbook).toMatch(/Upload the certificate/);
  });

  it('tells consent is missing for AADSTS7000229', () => {
    const [condition] = raised(
      sut(
        aResult({ error: { code: 'AADSTS7000229', message: 'missing service principal', retriable: false } }),
      ),
    );
    expect(condition?.description).toMatch(/consent missing/);
  });

  it('raises role missing for an RBAC refusal', () => {
    const [condition] = raised(
      sut(
        aResult({
          error: {
            code: 'EXO_FORBIDDEN',
            message: "The role assigned to application x isn't supported in this scenario",
            retriable: false,
          },
        }),
      ),
    );
    expect(condition?.kind).toBe('exchange-role-missing');
  });

  it("maps the executor's token error code when the message lost the AADSTS number", () => {
    const [condition] = raised(
      sut(
        aResult({
          error: { code: 'EXO_SERVICE_PRINCIPAL_MISSING', message: 'no service principal', retriable: false },
        }),
      ),
    );
    expect(condition?.labels).toEqual({ code: 'AADSTS7000229' });
  });

  it('does not alert on token throttling, which passes by itself', () => {
    expect(
      sut(
        aResult({
          error: { code: 'EXO_TOKEN_THROTTLED', message: 'AADSTS90055: throttled', retriable: true },
        }),
      ),
    ).toEqual([]);
  });

  it("treats the executor's 403 and RBAC refusals as a missing role", () => {
    for (const code of ['EXO_MISSING_ROLE', 'EXO_CMDLET_NOT_ALLOWED']) {
      expect(raised(sut(aResult({ error: { code, message: '', retriable: false } })))[0]?.kind).toBe(
        'exchange-role-missing',
      );
    }
  });

  it('ignores failures that are not about authentication', () => {
    expect(
      sut(aResult({ error: { code: 'DEVICE_NOT_FOUND', message: 'no such device', retriable: false } })),
    ).toEqual([]);
  });

  it('clears the tenant auth alerts on a success', () => {
    expect(sut(aResult({ outcome: 'applied' })).map((a) => a.type)).toEqual(['clear-kind', 'clear-kind']);
  });
});

describe('throttlingRule', () => {
  const sut = throttlingRule;
  const signal = {
    signal: 'throttling' as const,
    service: 'exchange-executor',
    tenant: 'contoso',
    active: true,
    throttledRequests: 12,
    windowSeconds: 60,
    observedAt: now.toISOString(),
  };

  it('waits until throttling is sustained', () => {
    expect(sut(signal, new Date(now.getTime() - 60_000).toISOString(), now, DEFAULT_THRESHOLDS)).toEqual([]);
    expect(
      raised(sut(signal, new Date(now.getTime() - 11 * 60_000).toISOString(), now, DEFAULT_THRESHOLDS))[0]
        ?.kind,
    ).toBe('exchange-throttling');
  });

  it('clears when throttling stops', () => {
    expect(sut({ ...signal, active: false }, undefined, now, DEFAULT_THRESHOLDS)[0]?.type).toBe('clear');
  });
});

describe('circuitRule', () => {
  const base = {
    signal: 'circuit' as const,
    service: 'exchange-executor',
    tenant: 'contoso',
    observedAt: now.toISOString(),
  };
  it('raises on open, clears on closed, waits on half-open', () => {
    expect(raised(circuitRule({ ...base, state: 'open' }))[0]?.severity).toBe('critical');
    expect(circuitRule({ ...base, state: 'closed' })[0]?.type).toBe('clear');
    expect(circuitRule({ ...base, state: 'half-open' })).toEqual([]);
  });
});

describe('backlogRule', () => {
  const base = {
    signal: 'backlog' as const,
    service: 'policy-translator',
    queue: 'outbox',
    observedAt: now.toISOString(),
  };
  it('raises over depth or age, critical when twice too old, deployment-wide without a tenant', () => {
    expect(
      raised(backlogRule({ ...base, depth: 5000, oldestAgeSeconds: 1 }, DEFAULT_THRESHOLDS))[0],
    ).toMatchObject({
      severity: 'warning',
      tenant: '*',
    });
    expect(
      raised(backlogRule({ ...base, depth: 1, oldestAgeSeconds: 5000 }, DEFAULT_THRESHOLDS))[0]?.severity,
    ).toBe('critical');
    expect(backlogRule({ ...base, depth: 1, oldestAgeSeconds: 1 }, DEFAULT_THRESHOLDS)[0]?.type).toBe(
      'clear',
    );
  });
});

describe('discoveryRule', () => {
  const schedule = {
    tenant: 'contoso',
    service: 'exchange-executor',
    completedAt: now.toISOString(),
    intervalSeconds: 3600,
  };
  it('raises once the interval and its grace passed without a completion', () => {
    expect(discoveryRule(schedule, new Date(now.getTime() + 5400_000), DEFAULT_THRESHOLDS)[0]?.type).toBe(
      'clear',
    );
    expect(
      raised(discoveryRule(schedule, new Date(now.getTime() + 5401_000), DEFAULT_THRESHOLDS))[0]?.kind,
    ).toBe('discovery-overdue');
  });
});

describe('deadLetterRule', () => {
  const activity = {
    topic: 'easgate.exchange.command.v1',
    tenant: '*',
    count: 3,
    lastSeenAt: now.toISOString(),
    lastCode: 'EVENT_INVALID_DATA',
  };
  it('raises while dead letters are recent and clears after a quiet period', () => {
    expect(raised(deadLetterRule(activity, now, DEFAULT_THRESHOLDS))[0]?.description).toContain(
      '3 message(s)',
    );
    expect(deadLetterRule(activity, new Date(now.getTime() + 3600_000), DEFAULT_THRESHOLDS)[0]?.type).toBe(
      'clear',
    );
  });
});

describe('configChangeRule', () => {
  const aChange = (overrides: Partial<ConfigChangeActivity> = {}): ConfigChangeActivity => ({
    tenant: 'contoso',
    section: 'organization-settings',
    identity: 'Mobile Mailbox Settings',
    change: 'changed',
    before: { DefaultAccessLevel: 'Quarantine' },
    after: { DefaultAccessLevel: 'Allow' },
    count: 1,
    lastSeenAt: now.toISOString(),
    ...overrides,
  });

  it('warns when the organization default access level turns to Allow, naming both values', () => {
    const [alert] = raised(configChangeRule(aChange(), now, DEFAULT_THRESHOLDS));
    expect(alert).toMatchObject({
      kind: 'exchange-config-changed',
      tenant: 'contoso',
      severity: 'warning',
      labels: { section: 'organization-settings', identity: 'Mobile Mailbox Settings' },
    });
    expect(alert?.summary).toBe(
      'ActiveSync organization settings were changed in Exchange Online: more devices may now connect',
    );
    expect(alert?.description).toBe('DefaultAccessLevel: "Quarantine" -> "Allow".');
    expect(alert?.runbook).toContain('Set-ActiveSyncOrganizationSettings');
  });

  it('is only information when the change closes access or touches other settings', () => {
    const closing = aChange({
      before: { DefaultAccessLevel: 'Allow' },
      after: { DefaultAccessLevel: 'Block' },
    });
    expect(raised(configChangeRule(closing, now, DEFAULT_THRESHOLDS))[0]?.severity).toBe('info');
    const other = aChange({
      before: { UserMailInsert: null },
      after: { UserMailInsert: 'Sent from my phone' },
    });
    const [alert] = raised(configChangeRule(other, now, DEFAULT_THRESHOLDS));
    expect(alert?.severity).toBe('info');
    expect(alert?.description).toBe('UserMailInsert: null -> "Sent from my phone".');
  });

  it.each([
    ['an Allow rule added', { change: 'added', after: { AccessLevel: 'Allow' } }, true],
    ['a rule changed to Allow', { change: 'changed', after: { accesslevel: 'allow' } }, true],
    ['a Block rule removed', { change: 'removed', before: { AccessLevel: 'Block' } }, true],
    ['a Quarantine rule removed', { change: 'removed', before: { AccessLevel: 'Quarantine' } }, true],
    ['a Block rule added', { change: 'added', after: { AccessLevel: 'Block' } }, false],
    ['an Allow rule removed', { change: 'removed', before: { AccessLevel: 'Allow' } }, false],
    ['a rule changed to Quarantine', { change: 'changed', after: { AccessLevel: 'Quarantine' } }, false],
  ] as const)('device access rules: %s opens access: %s', (_name, change, opens) => {
    expect(opensDeviceAccess({ section: 'device-access-rules', ...change })).toBe(opens);
  });

  it('names a device access rule, its level and its match', () => {
    const added = aChange({
      section: 'device-access-rules',
      identity: 'iPhone (DeviceModel)',
      change: 'added',
      before: undefined,
      after: { AccessLevel: 'Allow', Characteristic: 'DeviceModel', QueryString: 'iPhone' },
      count: 2,
    });
    const [alert] = raised(configChangeRule(added, now, DEFAULT_THRESHOLDS));
    expect(alert?.summary).toBe(
      "ActiveSync device access rule 'iPhone (DeviceModel)' was added in Exchange Online: more devices may now connect",
    );
    expect(alert?.description).toBe(
      'access level "Allow", matching "iPhone". 2 changes since this alert started.',
    );
    expect(alert?.labels).toEqual({ section: 'device-access-rules', identity: 'iPhone (DeviceModel)' });
  });

  it('resolves once the object has stayed unchanged for the quiet period', () => {
    const quietEnd = new Date(now.getTime() + DEFAULT_THRESHOLDS.configChangeQuietMs);
    expect(configChangeRule(aChange(), new Date(quietEnd.getTime() - 1), DEFAULT_THRESHOLDS)[0]?.type).toBe(
      'raise',
    );
    expect(configChangeRule(aChange(), quietEnd, DEFAULT_THRESHOLDS)).toEqual([
      {
        type: 'clear',
        identity: {
          kind: 'exchange-config-changed',
          tenant: 'contoso',
          labels: { section: 'organization-settings', identity: 'Mobile Mailbox Settings' },
        },
      },
    ]);
  });
});

describe('wipeResultRule', () => {
  const sut = wipeResultRule;
  const fullWipe = { kind: 'wipe-device', deviceId: 'Outlook5EEC', accountOnly: false } as const;

  it('raises a wipe-degraded warning when a full wipe was sent as an account-only wipe', () => {
    const actions = sut(
      aResult({
        action: fullWipe,
        outcome: 'applied',
        detail: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
        wipe: { accountOnly: true, fullWipeUnsupported: true },
      }),
    );
    expect(raised(actions)).toEqual([
      expect.objectContaining({
        kind: 'wipe-degraded',
        severity: 'warning',
        tenant: 'contoso',
        labels: { mailbox: 'u@contoso.com', deviceId: 'outlook5eec' },
      }),
    ]);
  });

  it('recognises the fallback by its detail alone, from a producer that does not set the wipe field', () => {
    const actions = sut(
      aResult({
        action: fullWipe,
        outcome: 'applied',
        detail: 'account-only wipe: full wipe unsupported for Outlook (REST) clients',
      }),
    );
    expect(raised(actions).map((c) => c.kind)).toEqual(['wipe-degraded']);
  });

  it('raises a critical wipe-failed alert with the error when a wipe fails for good', () => {
    const [condition] = raised(
      sut(
        aResult({
          action: fullWipe,
          outcome: 'failed',
          error: {
            code: 'EXO_NOT_FOUND',
            message: 'no partnership for device Outlook5EEC to wipe',
            retriable: false,
          },
        }),
      ),
    );
    expect(condition).toMatchObject({ kind: 'wipe-failed', severity: 'critical' });
    expect(condition?.description).toContain('EXO_NOT_FOUND');
  });

  it('clears the failure, and raises nothing, when a full wipe is applied as asked', () => {
    const actions = sut(aResult({ action: fullWipe, outcome: 'applied', wipe: { accountOnly: false } }));
    expect(raised(actions)).toEqual([]);
    expect(actions).toContainEqual({
      type: 'clear',
      identity: {
        kind: 'wipe-failed',
        tenant: 'contoso',
        labels: { mailbox: 'u@contoso.com', deviceId: 'outlook5eec' },
      },
    });
  });

  it('clears both wipe alerts of a device whose wipe was cancelled', () => {
    const actions = sut(
      aResult({ action: { kind: 'cancel-wipe', deviceId: 'Outlook5EEC' }, outcome: 'applied' }),
    );
    expect(actions.map((a) => (a.type === 'clear' ? a.identity.kind : a.type))).toEqual([
      'wipe-degraded',
      'wipe-failed',
    ]);
  });

  it('ignores results of commands that are not wipes', () => {
    expect(sut(aResult({ outcome: 'failed' }))).toEqual([]);
  });
});
