import { z } from 'zod';
import { parseInput } from './parse-input';

const schema = z.object({ name: z.string().min(1), tags: z.array(z.string()).optional() });
const invalid = (issues: string) => new Error(issues);

describe(parseInput.name, () => {
  const sut = parseInput;

  it('returns the parsed value', () => {
    expect(sut(schema, { name: 'ada', tags: ['x'] }, invalid)).toEqual({ name: 'ada', tags: ['x'] });
  });

  it('describes every issue by its path', () => {
    expect(() => sut(schema, { name: '', tags: [1] }, invalid)).toThrow(/^name: .+; tags\.0: .+$/);
  });

  it('names the whole value by its root when it is not an object at all', () => {
    expect(() => sut(schema, 'text', invalid, '(rules)')).toThrow(/^\(rules\): /);
  });
});
