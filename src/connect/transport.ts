// One HTTP exchange with one Connect worker: a whole-request timeout, a body size cap enforced while streaming,
// no redirects followed, and exactly one `onRequest` report per exchange.

import { Agent, type Dispatcher } from 'undici';
import { ConnectTooLargeError, ConnectUnreachableError } from '../errors.ts';
import type { ConnectEndpoint, ConnectRequestContext } from '../domain/endpoint.ts';
import type { WorkerTarget } from './workers.ts';

export interface ConnectTlsOptions {
  /** PEM CA bundle to verify workers against, instead of the system roots. */
  ca?: string | Buffer;
  /** PEM client certificate and key, for workers that require mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Accept any server certificate. For lab clusters only; the client logs a warning when it is set. */
  insecureSkipVerify?: boolean;
  /** The name to send as SNI and to verify the certificate against, when it differs from the URL's host. */
  serverName?: string;
}

/** What `onRequest` receives: the HTTP status as a string, or why there was none. */
export type RequestOutcome = `${number}` | 'timeout' | 'error' | 'too_large';

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  /** Path and query below the worker's base path, e.g. `/connectors?expand=status&expand=info`. */
  path: string;
  endpoint: ConnectEndpoint;
}

export interface ExchangeSettings {
  cluster: string;
  dispatcher: Dispatcher;
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  /** Aborted by the client's close(). */
  closing: AbortSignal;
  onRequest: (endpoint: ConnectEndpoint, outcome: RequestOutcome) => void;
}

export interface ExchangeResult {
  status: number;
  /** The body as received: a large status listing is decoded from these bytes off the event loop. */
  readonly body: Buffer;
  /** The body as UTF-8 text ('' when there was none), decoded when read. */
  readonly text: string;
  context: ConnectRequestContext;
}

/** One keep-alive connection pool per client. HTTP/1.1 only: that is what Connect's Jetty speaks. */
export function createDispatcher(tls: ConnectTlsOptions | undefined): Agent {
  return new Agent({
    allowH2: false,
    connect: {
      ...(tls?.ca === undefined ? {} : { ca: tls.ca }),
      ...(tls?.cert === undefined ? {} : { cert: tls.cert }),
      ...(tls?.key === undefined ? {} : { key: tls.key }),
      ...(tls?.serverName === undefined ? {} : { servername: tls.serverName }),
      rejectUnauthorized: tls?.insecureSkipVerify !== true,
    },
  });
}

export async function exchange(
  settings: ExchangeSettings,
  worker: WorkerTarget,
  request: ExchangeRequest,
  signal: AbortSignal | undefined,
): Promise<ExchangeResult> {
  const context: ConnectRequestContext = {
    cluster: settings.cluster,
    endpoint: request.endpoint,
    workerUrl: worker.label,
  };
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const abort = AbortSignal.any(signal === undefined ? [timeout, settings.closing] : [timeout, settings.closing, signal]);
  try {
    const response = await settings.dispatcher.request({
      origin: worker.origin,
      path: worker.basePath + request.path,
      method: request.method,
      headers: settings.headers,
      signal: abort,
    });
    const body = await readCapped(response.body, settings.maxResponseBytes, response.headers['content-length']);
    if (body === undefined) {
      settings.onRequest(request.endpoint, 'too_large');
      throw new ConnectTooLargeError(context, settings.maxResponseBytes);
    }
    settings.onRequest(request.endpoint, `${response.statusCode}`);
    return {
      status: response.statusCode,
      body,
      get text() {
        return body.toString('utf8');
      },
      context,
    };
  } catch (err) {
    if (err instanceof ConnectTooLargeError) throw err;
    const aborted = settings.closing.aborted || signal?.aborted === true;
    const timedOut = !aborted && timeout.aborted;
    settings.onRequest(request.endpoint, timedOut ? 'timeout' : 'error');
    const causeCode = errorCode(err);
    throw new ConnectUnreachableError(
      context,
      { timeout: timedOut, aborted, ...(causeCode === undefined ? {} : { causeCode }) },
      { cause: err },
    );
  }
}

/** The body, or undefined as soon as it is known to exceed `limit` (the stream is then destroyed, freeing the socket). */
async function readCapped(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  declaredLength: string | string[] | undefined,
): Promise<Buffer | undefined> {
  if (typeof declaredLength === 'string' && Number(declaredLength) > limit) {
    body.destroy();
    return undefined;
  }
  // A declared length is read straight into one buffer: gathering chunks and joining them would hold the body twice.
  const declared = typeof declaredLength === 'string' && /^\d+$/.test(declaredLength) ? Number(declaredLength) : undefined;
  let whole = declared === undefined || declared === 0 ? undefined : Buffer.allocUnsafeSlow(declared);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (total + chunk.length > limit) {
      body.destroy();
      return undefined;
    }
    if (whole !== undefined && total + chunk.length <= whole.length) chunk.copy(whole, total);
    else {
      // More than declared (undici normally refuses that): go on in chunks.
      if (whole !== undefined) chunks.push(whole.subarray(0, total));
      whole = undefined;
      chunks.push(chunk);
    }
    total += chunk.length;
  }
  if (whole !== undefined) return total === whole.length ? whole : whole.subarray(0, total);
  return Buffer.concat(chunks, total);
}

const ERROR_CODE_SHAPE = /^[A-Z][A-Z0-9_]{1,63}$/;

/** The Node.js or undici code of a transport error (`ECONNREFUSED`, `UND_ERR_SOCKET`, …), never its message. */
function errorCode(err: unknown): string | undefined {
  for (let current = err, depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && ERROR_CODE_SHAPE.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Codes raised before the request was sent: retrying elsewhere cannot repeat a side effect. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function requestWasNotSent(err: ConnectUnreachableError): boolean {
  return err.causeCode !== undefined && NOT_SENT_CODES.has(err.causeCode);
}

/** encodeURIComponent leaves `.` and `..` alone, and a URL parser removes them as dot segments: encode them too. */
export function connectorPath(connector: string): string {
  const segment = connector === '.' || connector === '..' ? connector.replaceAll('.', '%2E') : encodeURIComponent(connector);
  return `/connectors/${segment}`;
}
