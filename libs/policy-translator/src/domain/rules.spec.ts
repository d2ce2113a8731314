import { decide, defaultRules, TranslatorRules } from './rules';

describe(decide.name, () => {
  it('turns a full-wipe verdict into an account-only wipe unless the tenant enabled full wipe', () => {
    const sut = decide('full-wipe', undefined, defaultRules());

    expect(sut).toMatchObject({ access: 'block', action: 'account-only-wipe' });
    expect(sut.rule).toContain('allowFullWipe is off');
  });

  it('factory-resets only when the rules say allowFullWipe', () => {
    const rules = { ...defaultRules(), allowFullWipe: true };

    expect(decide('full-wipe', undefined, rules)).toMatchObject({ action: 'full-wipe' });
  });

  it('reads rules saved before the setting existed as full wipe off', () => {
    const { allowFullWipe: _omitted, ...older } = defaultRules();

    expect(TranslatorRules.parse(older).allowFullWipe).toBe(false);
  });
});
