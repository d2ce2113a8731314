import { ApiError } from '../api';
import { parseRulesText, previewSummary, saveProblem } from './rules-editor';

describe(parseRulesText.name, () => {
  it('refuses text that is not a JSON object, saying why', () => {
    expect(parseRulesText('{"states": ')).toMatchObject({ ok: false });
    expect(parseRulesText('[]')).toEqual({
      ok: false,
      error: 'The rules are a JSON object ({ "states": …, … }).',
    });
    expect(parseRulesText('{"allowFullWipe": false}')).toEqual({ ok: true, rules: { allowFullWipe: false } });
  });
});

describe(saveProblem.name, () => {
  it('explains a version conflict plainly, with the version the change was made against', () => {
    const sut = saveProblem(
      new ApiError(409, 'TRANSLATOR_RULES_VERSION_CONFLICT', 'expected version 1, current is 2'),
      1,
    );

    expect(sut).toMatch(
      /^Version conflict: someone saved the rules after you loaded version 1, so nothing was saved/,
    );
  });
});

describe(previewSummary.name, () => {
  it('counts the devices that would change', () => {
    expect(previewSummary({ devicesEvaluated: 3, devicesChanging: 1, currentVersion: 2, changes: [] })).toBe(
      '1 of 3 device(s) would change (compared with version 2).',
    );
  });
});
