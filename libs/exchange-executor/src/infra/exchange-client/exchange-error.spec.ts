import { adminApiErrorText, codeOfAadsts, errorOfResponse, ExchangeErrorCode } from './exchange-error';

describe('errorOfResponse', () => {
  it('recognises the 400 Exchange gives a full wipe of a client that supports only an account-only wipe', () => {
    const text =
      "The device 'u@contoso.com\\ExchangeActiveSyncDevices\\REST§Outlook§5eec' supports only an account-only wipe. Use the AccountOnly parameter.";
    const body = JSON.stringify({
      error: {
        code: 'BadRequest',
        message: 'Error executing cmdlet',
        details: [
          {
            code: 'Context',
            target: '',
            message: `|Microsoft.Exchange.Configuration.Tasks.TaskInvalidOperationException|${text}`,
          },
        ],
      },
    });
    const sut = errorOfResponse(400, body, 'Clear-MobileDevice', undefined);
    expect(sut.code).toBe(ExchangeErrorCode.AccountOnlyWipeRequired);
    expect(sut.retriable).toBe(false);
    expect(
      errorOfResponse(
        400,
        JSON.stringify({ error: { message: 'Cannot bind' } }),
        'Clear-MobileDevice',
        undefined,
      ).code,
    ).toBe(ExchangeErrorCode.BadRequest);
  });

  it('takes the internal exception text first, then details without the ErrorId|Type prefix', () => {
    const body = JSON.stringify({
      error: {
        code: 'NotFound',
        message: 'Error executing cmdlet',
        details: [
          {
            code: 'Context',
            target: '',
            message:
              "Ex6F9304|Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException|The operation couldn't be performed.",
          },
        ],
      },
    });
    expect(adminApiErrorText(body)).toEqual({
      odataCode: 'NotFound',
      text: "The operation couldn't be performed.",
    });
    const inner = JSON.stringify({
      error: {
        code: 'BadRequest',
        message: 'Invalid Operation',
        innererror: { internalexception: { message: 'Cannot convert' } },
      },
    });
    expect(adminApiErrorText(inner).text).toBe('Cannot convert');
  });

  it('types a 403 NUL-byte body as a missing role with a plain explanation', () => {
    const sut = errorOfResponse(403, '\u0000'.repeat(16), 'Get-Mailbox', undefined);
    expect(sut.code).toBe(ExchangeErrorCode.MissingRole);
    expect(sut.message).toMatch(/Exchange.ManageAsApp/);
  });

  it('tells an RBAC 401 from a refused token', () => {
    const rbac = JSON.stringify({
      error: { code: 'Unauthorized', message: 'User is not allowed to call Get-Mailbox' },
    });
    expect(errorOfResponse(401, rbac, 'Get-Mailbox', undefined).code).toBe(
      ExchangeErrorCode.CmdletNotAllowed,
    );
    expect(errorOfResponse(401, '', 'Get-Mailbox', undefined).code).toBe(ExchangeErrorCode.Unauthorized);
  });

  it('marks throttling and 503/504 as retriable, keeping Retry-After', () => {
    const throttled = errorOfResponse(429, '{}', 'Get-Mailbox', 1.5);
    expect(throttled).toMatchObject({ code: ExchangeErrorCode.Throttled, retriable: true });
    expect(throttled.details.retryAfterSeconds).toBe(1.5);
    expect(errorOfResponse(504, '<html>', 'Get-Mailbox', undefined).retriable).toBe(true);
    expect(errorOfResponse(400, '{}', 'Get-Mailbox', undefined).retriable).toBe(false);
  });

  it('maps AADSTS codes to token-time error codes', () => {
    expect(codeOfAadsts(700027)).toBe(ExchangeErrorCode.CertificateNotRegistered);
    expect(codeOfAadsts(7000229)).toBe(ExchangeErrorCode.ServicePrincipalMissing);
    expect(codeOfAadsts(700016)).toBe(ExchangeErrorCode.AppNotFound);
    expect(codeOfAadsts(90002)).toBe(ExchangeErrorCode.TenantNotFound);
    expect(codeOfAadsts(undefined, 503)).toBe(ExchangeErrorCode.TokenThrottled);
  });
});
