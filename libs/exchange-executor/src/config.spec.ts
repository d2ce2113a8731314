import { parseExecutorConfig } from './config';

describe(parseExecutorConfig.name, () => {
  it('reads mailbox scopes by tenant, lower-cased', () => {
    const sut = parseExecutorConfig({
      EXECUTOR_SCOPES: JSON.stringify({
        'Contoso.com': { recipientRestrictionFilter: "Department -eq 'Sales'" },
      }),
    });
    expect(sut.EXECUTOR_SCOPES.get('contoso.com')).toEqual({
      recipientRestrictionFilter: "Department -eq 'Sales'",
    });
  });

  it('names EXECUTOR_SCOPES when it is not JSON or a scope has neither filter nor group', () => {
    expect(() => parseExecutorConfig({ EXECUTOR_SCOPES: '{nope' })).toThrow(/EXECUTOR_SCOPES/);
    expect(() => parseExecutorConfig({ EXECUTOR_SCOPES: '{"contoso.com":{}}' })).toThrow(/EXECUTOR_SCOPES/);
  });
});
