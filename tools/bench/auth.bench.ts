import { createSelfSignedCertificate, buildClientAssertion, type SelfSignedCertificate } from '@easgate/auth';
import { randomUUID } from 'node:crypto';
import forge from 'node-forge';

/**
 * Native crypto against pure node-forge for the two operations the vault does: creating a certificate
 * (RSA 2048 key generation + self-signed X.509 + PKCS#12) and signing a client assertion (RS256).
 * Run with `npm run bench`.
 */
// Present in node-forge, missing from its type definitions.
const forgeOptions = (forge as unknown as { options: { usePureJavaScript: boolean } }).options;

interface Measurement {
  readonly iterations: number;
  readonly opsPerSecond: number;
}

async function measure(
  work: () => unknown,
  limits: { min: number; max: number; budgetMs: number },
): Promise<Measurement> {
  await work(); // warm-up
  const start = process.hrtime.bigint();
  let iterations = 0;
  let elapsedMs = 0;
  while (iterations < limits.max && (iterations < limits.min || elapsedMs < limits.budgetMs)) {
    await work();
    iterations += 1;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return { iterations, opsPerSecond: (iterations * 1000) / elapsedMs };
}

function forgeCreateCertificate(): Buffer {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const subject = [{ shortName: 'CN', value: 'easgate-bench' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([{ name: 'keyUsage', digitalSignature: true, critical: true }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  const p12 = forge.pkcs12.toPkcs12Asn1(keys.privateKey, [cert], 'bench-password', { algorithm: 'aes256' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}

function forgeSignAssertion(key: forge.pki.rsa.PrivateKey, x5t: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: 'RS256', typ: 'JWT', x5t })}.${b64({
    aud: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
    iss: 'bench',
    sub: 'bench',
    jti: randomUUID(),
    nbf: now,
    iat: now,
    exp: now + 600,
  })}`;
  const md = forge.md.sha256.create();
  md.update(input, 'utf8');
  return `${input}.${Buffer.from(key.sign(md), 'binary').toString('base64url')}`;
}

export async function runAuthBench(): Promise<void> {
  const previous = forgeOptions.usePureJavaScript;
  // Without this, node-forge quietly delegates RSA key generation to Node's native crypto.
  forgeOptions.usePureJavaScript = true;
  try {
    console.log('auth: native node:crypto vs pure node-forge (RSA 2048)');
    const nativeCreate = await measure(
      () =>
        createSelfSignedCertificate({
          subject: 'CN=easgate-bench',
          password: 'bench-password',
          now: new Date(),
        }),
      { min: 5, max: 40, budgetMs: 5_000 },
    );
    const forgeCreate = await measure(forgeCreateCertificate, { min: 2, max: 10, budgetMs: 15_000 });

    const credential: SelfSignedCertificate = await createSelfSignedCertificate({
      subject: 'CN=easgate-bench',
      password: 'bench-password',
      now: new Date(),
    });
    const forgeKey = forge.pki.privateKeyFromPem(
      credential.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    const tokenEndpoint = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token';
    const nativeSign = await measure(
      () =>
        buildClientAssertion({
          clientId: 'bench',
          tokenEndpoint,
          certificate: credential.certificate,
          privateKey: credential.privateKey,
          now: new Date(),
        }),
      { min: 200, max: 5_000, budgetMs: 3_000 },
    );
    const x5t = Buffer.from(credential.facts.thumbprintSha1, 'hex').toString('base64url');
    const forgeSign = await measure(() => forgeSignAssertion(forgeKey, x5t), {
      min: 20,
      max: 500,
      budgetMs: 5_000,
    });

    const row = (name: string, native: Measurement, pure: Measurement) =>
      `${name.padEnd(44)} ${native.opsPerSecond.toFixed(1).padStart(10)} ${pure.opsPerSecond.toFixed(1).padStart(12)} ${`${(native.opsPerSecond / pure.opsPerSecond).toFixed(1)}x`.padStart(10)}   (n=${native.iterations}/${pure.iterations})`;
    console.log(
      `${'operation'.padEnd(44)} ${'native/s'.padStart(10)} ${'forge/s'.padStart(12)} ${'ratio'.padStart(10)}`,
    );
    console.log(row('certificate creation (keygen + X.509 + PFX)', nativeCreate, forgeCreate));
    console.log(row('client assertion signing (RS256)', nativeSign, forgeSign));
  } finally {
    forgeOptions.usePureJavaScript = previous;
  }
}
