import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

/** Every compiled file of an app's production build (dist/apps/<app>), as one text. */
export function compiledSource(app: string): string {
  const dir = join(ROOT, 'dist/apps', app);
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js') && statSync(join(dir, f)).isFile())
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

/** The names of `names` that the compiled code does not mention as a whole word (so does not read). */
export function unreadEnvNames(code: string, names: readonly string[]): string[] {
  return names.filter((name) => !new RegExp(`(^|[^A-Z0-9_])${name}([^A-Z0-9_]|$)`).test(code));
}
