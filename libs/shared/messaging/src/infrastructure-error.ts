import { isCodedError } from '@easgate/contracts';

/** Socket errors: the database or broker is down, restarting or unreachable. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server, not of a bad statement: connection exceptions
 * (class 08), operator intervention (57P01 terminated by pg_terminate_backend, 57P02 crash
 * shutdown, 57P03 cannot connect now, e.g. starting or in recovery), too many connections (53300)
 * and a read-only standby after a failover (25006).
 */
function isUnavailableSqlState(code: string): boolean {
  return code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '25006'].includes(code);
}

/** Messages of node-postgres and its pool when a connection is lost or none can be had. */
const CONNECTION_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection (was )?(closed|lost|reset)/i,
  /client has encountered a connection error/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /Connection is not established/i,
  /is not currently accepting connections/i,
  // TypeORM, when the connection of a transaction was lost under it.
  /Query runner already released/i,
];

/** kafkajs errors of an unreachable or not-yet-ready broker (a publish from the handler, a dead letter). */
const BROKER_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
]);

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current !== undefined && current !== null && chain.length < 5 && !chain.includes(current)) {
    chain.push(current);
    const e = current as { driverError?: unknown; cause?: unknown; originalError?: unknown };
    current = e.driverError ?? e.cause ?? e.originalError;
  }
  return chain;
}

/**
 * Is this failure the infrastructure's (the database or the broker unavailable) rather than the
 * message's? Such a failure says nothing about the message: it is retried until the infrastructure
 * is back, never dead-lettered. A coded error is the handler's own judgement and is never
 * reclassified here.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (isCodedError(error)) return false;
  return causes(error).some((e) => {
    if (!(e instanceof Error) && (typeof e !== 'object' || e === null)) return false;
    const { code, name, message } = e as { code?: unknown; name?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || isUnavailableSqlState(code))) return true;
    if (typeof name === 'string' && BROKER_ERRORS.has(name)) return true;
    return typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message));
  });
}
