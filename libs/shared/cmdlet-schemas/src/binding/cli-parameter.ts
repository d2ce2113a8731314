/**
 * Reads one `--param <Name>=<Value>` of `easgate exchange invoke`: a value that parses as a JSON
 * object or array is that JSON; anything else stays a string (the binder coerces it to the
 * parameter's type), except `$null`, which is null (clears a list or a nullable value).
 * Undefined when there is no `=` or no name.
 */
export function parseCliParameterAssignment(
  text: string,
): { readonly name: string; readonly value: unknown } | undefined {
  const at = text.indexOf('=');
  if (at <= 0) return undefined;
  const name = text.slice(0, at).trim().replace(/^-/, '');
  if (name === '') return undefined;
  const raw = text.slice(at + 1);
  const trimmed = raw.trim();
  if (trimmed.toLowerCase() === '$null') return { name, value: null };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (typeof parsed === 'object' && parsed !== null) return { name, value: parsed };
    } catch {
      // Not JSON: send the text as it is.
    }
  }
  return { name, value: raw };
}
