import { translatorConfigFrom } from './config';

describe(translatorConfigFrom.name, () => {
  it('has defaults for everything', () => {
    expect(translatorConfigFrom({})).toEqual({
      sweepIntervalMs: 60_000,
      requestedBy: 'policy-translator',
      eventSource: '//easgate/policy-translator',
    });
  });

  it('names every bad key and no value', () => {
    const sut = () =>
      translatorConfigFrom({ TRANSLATOR_SWEEP_INTERVAL_MS: '10', TRANSLATOR_REQUESTED_BY: '' });
    expect(sut).toThrow(
      'invalid policy-translator configuration: TRANSLATOR_SWEEP_INTERVAL_MS, TRANSLATOR_REQUESTED_BY',
    );
  });
});
