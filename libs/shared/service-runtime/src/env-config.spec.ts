import { z } from 'zod';
import { parseEnv } from './env-config';

const schema = z.object({
  A_PORT: z.coerce.number().int().positive().default(8080),
  A_URL: z.url().optional(),
  A_SECRET: z.string().min(20),
});

describe(parseEnv.name, () => {
  const sut = parseEnv;
  const invalid = (keys: string[]) => new Error(`invalid configuration: ${keys.join(', ')}`);

  it('returns the parsed values with their defaults', () => {
    expect(sut(schema, { A_SECRET: 'x'.repeat(20) }, invalid)).toEqual({
      A_PORT: 8080,
      A_SECRET: 'x'.repeat(20),
    });
  });

  it('names every bad key once, in one error', () => {
    expect(() => sut(schema, { A_PORT: '-1', A_URL: 'not a url' }, invalid)).toThrow(
      'invalid configuration: A_PORT, A_URL, A_SECRET',
    );
  });

  it('never puts a value in the error', () => {
    const secret = 'too-short-secret';

    let message = '';
    try {
      sut(schema, { A_SECRET: secret }, invalid);
    } catch (err) {
      message = (err as Error).message;
    }

    expect(message).toBe('invalid configuration: A_SECRET');
    expect(message).not.toContain(secret);
  });
});
