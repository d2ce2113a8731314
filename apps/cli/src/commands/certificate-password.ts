import { UsageError } from './usage';

/** A PFX password comes from a named environment variable or stdin, never from the command line. */
export interface CertificatePasswordOptions {
  certificatePasswordEnv?: string;
  certificatePasswordStdin?: boolean;
}

export async function readCertificatePassword(options: CertificatePasswordOptions): Promise<string> {
  const fromEnv = options.certificatePasswordEnv;
  if (fromEnv !== undefined && options.certificatePasswordStdin) {
    throw new UsageError(
      'give the password one way only: --certificate-password-env or --certificate-password-stdin',
    );
  }
  if (fromEnv !== undefined) {
    const value = process.env[fromEnv];
    if (value === undefined) throw new UsageError(`environment variable ${fromEnv} is not set`);
    return value;
  }
  if (options.certificatePasswordStdin) return readStdin();
  throw new UsageError(
    'a password source is required: --certificate-password-env <VAR> or --certificate-password-stdin',
  );
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Certificate password: ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    if (process.stdin.isTTY && chunks.some((c) => c.includes(0x0a))) break;
  }
  // Only the line ending that `echo` or a terminal adds is stripped; spaces are part of the password.
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
