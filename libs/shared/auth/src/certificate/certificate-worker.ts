import { type KeyObject, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CertificateError, CertificateErrorCode } from './certificate-error';
import type { CertificateFacts } from './certificate-facts';
import {
  assessCertificate,
  type CertificateAssessment,
  type CertificateValidationResult,
  type ValidateCertificateInput,
} from './certificate-validator';

/**
 * Opening a PKCS#12 file derives keys from its password (thousands to 100,000 iterations of a pure
 * JavaScript KDF, see MAX_PKCS12_KDF_ITERATIONS): seconds of CPU that would stall every other request
 * of a service. Services open certificate files here instead: one worker thread per file (this same
 * module, started with a marker in `workerData`), at most `maxConcurrent` at a time, terminated after
 * `timeoutMs`. The password reaches the worker by `postMessage` only (never argv, env or a log); the
 * private key comes back as a cloned KeyObject, never as bytes.
 */
const WORKER_MARKER = 'easgate/certificate-assessment/v1';

export interface CertificateWorkerOptions {
  /** The worker is terminated and VALIDATION_TIMED_OUT thrown after this long. Default 60 s. */
  readonly timeoutMs?: number;
}

interface AssessRequest {
  readonly data: Uint8Array;
  readonly password: string;
  readonly now: number;
  readonly minimumRsaBits?: number;
  readonly expiryWarningDays?: number;
}

type AssessReply =
  | {
      readonly ok: true;
      readonly result: CertificateValidationResult;
      readonly signing?: {
        readonly privateKey: KeyObject;
        readonly chainDer: Uint8Array[];
        readonly facts: CertificateFacts;
        readonly friendlyName?: string;
      };
    }
  | { readonly ok: false; readonly error: { readonly code?: string; readonly message: string } };

const DEFAULT_TIMEOUT_MS = 60_000;
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

/** {@link assessCertificate} on a worker thread: the caller's event loop stays free meanwhile. */
export async function assessCertificateInWorker(
  input: ValidateCertificateInput,
  options: CertificateWorkerOptions = {},
): Promise<CertificateAssessment> {
  await slot();
  try {
    const reply = await runWorker(
      {
        data: input.data,
        password: input.password,
        now: input.now.getTime(),
        ...(input.minimumRsaBits !== undefined && { minimumRsaBits: input.minimumRsaBits }),
        ...(input.expiryWarningDays !== undefined && { expiryWarningDays: input.expiryWarningDays }),
      },
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    if (!reply.ok) {
      throw reply.error.code === undefined
        ? new Error(reply.error.message)
        : new CertificateError(reply.error.code as CertificateErrorCode, reply.error.message);
    }
    if (!reply.signing) return { result: reply.result };
    const chain = reply.signing.chainDer.map((der) => new X509Certificate(Buffer.from(der)));
    return {
      result: reply.result,
      signing: {
        privateKey: reply.signing.privateKey,
        certificate: chain[0],
        chain,
        facts: reply.signing.facts,
        ...(reply.signing.friendlyName !== undefined && { friendlyName: reply.signing.friendlyName }),
      },
    };
  } finally {
    release();
  }
}

async function slot(): Promise<void> {
  if (running < MAX_CONCURRENT) {
    running += 1;
    return;
  }
  await new Promise<void>((resolve) => waiting.push(resolve));
}

function release(): void {
  const next = waiting.shift();
  if (next) next();
  else running -= 1;
}

function runWorker(request: AssessRequest, timeoutMs: number): Promise<AssessReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, {
      workerData: { marker: WORKER_MARKER },
      ...fromSource(),
      // A hostile file cannot take more than this much memory with it.
      resourceLimits: { maxOldGenerationSizeMb: 256 },
    });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            new CertificateError(
              CertificateErrorCode.TimedOut,
              `Opening the certificate file took longer than ${timeoutMs} ms and was stopped.`,
            ),
          ),
        ),
      timeoutMs,
    );
    worker.once('message', (reply: AssessReply) => settle(() => resolve(reply)));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`the certificate worker exited (${code}) without an answer`))),
    );
    worker.postMessage(request);
  });
}

/**
 * Run from TypeScript (tools/bin/run-ts.js, jest), the worker loads this same .ts file through SWC;
 * the compiled build (dist/) runs the .js file beside the code that required it.
 */
function fromSource(): { execArgv?: string[]; env?: NodeJS.ProcessEnv } {
  if (!__filename.endsWith('.ts')) return {};
  return {
    execArgv: ['--require', require.resolve('@swc-node/register')],
    env: {
      ...process.env,
      SWC_NODE_PROJECT: process.env['SWC_NODE_PROJECT'] ?? join(__dirname, '../../../../../tsconfig.json'),
    },
  };
}

function serve(): void {
  const port = parentPort;
  if (!port) return;
  port.once('message', (request: AssessRequest) => {
    let reply: AssessReply;
    try {
      const { result, signing } = assessCertificate({
        data: Buffer.from(request.data),
        password: request.password,
        now: new Date(request.now),
        ...(request.minimumRsaBits !== undefined && { minimumRsaBits: request.minimumRsaBits }),
        ...(request.expiryWarningDays !== undefined && { expiryWarningDays: request.expiryWarningDays }),
      });
      reply = {
        ok: true,
        result,
        ...(signing && {
          signing: {
            privateKey: signing.privateKey,
            chainDer: signing.chain.map((c) => c.raw),
            facts: signing.facts,
            ...(signing.friendlyName !== undefined && { friendlyName: signing.friendlyName }),
          },
        }),
      };
    } catch (err) {
      // Codes and messages only: a stack or an input never leaves the worker.
      const coded = err as { code?: unknown; message?: unknown };
      reply = {
        ok: false,
        error: {
          ...(err instanceof CertificateError && { code: err.code }),
          message: typeof coded.message === 'string' ? coded.message : 'the certificate file cannot be read',
        },
      };
    }
    port.postMessage(reply);
  });
}

if (!isMainThread && (workerData as { marker?: unknown } | null)?.marker === WORKER_MARKER) serve();
