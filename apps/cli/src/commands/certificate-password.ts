import { readInputFile, UsageError } from './usage';

/** A PFX password comes from a named environment variable, a file or stdin, never from the command line. */
export interface CertificatePasswordOptions {
  certificatePasswordEnv?: string;
  certificatePasswordStdin?: boolean;
  /** Only where a command offers --certificate-password-file. */
  certificatePasswordFile?: string;
}

export async function readCertificatePassword(options: CertificatePasswordOptions): Promise<string> {
  const fromEnv = options.certificatePasswordEnv;
  const sources = [fromEnv, options.certificatePasswordStdin, options.certificatePasswordFile];
  if (sources.filter((source) => source !== undefined && source !== false).length > 1) {
    throw new UsageError(
      'give the password one way only: --certificate-password-env, --certificate-password-file or --certificate-password-stdin',
    );
  }
  if (options.certificatePasswordFile !== undefined) {
    // Like stdin: only the final line ending an editor or `echo` adds is not part of the password.
    return readInputFile(options.certificatePasswordFile)
      .toString('utf8')
      .replace(/\r?\n$/, '');
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
