// Failover between a cluster's workers: each request goes to the worker that answered last, then to the others in
// turn, moving on only when a worker gave no answer. It owns the connection pool.

import type { Logger } from 'pino';
import type { ConnectEndpoint } from '../domain/endpoint.ts';
import { ConnectHttpError, ConnectUnreachableError, errorSummary } from '../errors.ts';
import { decodeErrorBody } from './decode.ts';
import { createDispatcher, exchange, requestWasNotSent, type ExchangeRequest, type ExchangeResult, type ExchangeSettings } from './transport.ts';
import { workerTargets, type WorkerTarget } from './workers.ts';

export interface RequestSpec extends ExchangeRequest {
  /** The statuses that are answers to this request; any other becomes a ConnectHttpError. */
  expect: readonly number[];
  /** Further checks that an expected status really is an answer (a 5xx from a proxy is not a health report). */
  isAnswer?: (result: ExchangeResult) => boolean;
}

export type Send = (spec: RequestSpec, signal: AbortSignal | undefined) => Promise<ExchangeResult>;

export class WorkerFailover {
  readonly #cluster: string;
  readonly #workers: WorkerTarget[];
  readonly #settings: ExchangeSettings;
  readonly #closing: AbortController;
  readonly #logger: Logger;
  /** Index of the worker that answered last: the first one tried next time. */
  #preferred = 0;

  constructor(options: { urls: readonly string[]; settings: Omit<ExchangeSettings, 'dispatcher' | 'closing'>; tls: Parameters<typeof createDispatcher>[0]; logger: Logger }) {
    this.#cluster = options.settings.cluster;
    this.#workers = workerTargets(options.urls);
    this.#closing = new AbortController();
    this.#settings = { ...options.settings, dispatcher: createDispatcher(options.tls), closing: this.#closing.signal };
    this.#logger = options.logger;
  }

  /**
   * Sends to the preferred worker first, then to the others in turn. Moves on only when a worker gave no answer:
   * a transport failure or timeout, or a 5xx or 404 that is not Connect's JSON (a proxy's page, Jetty's startup
   * page). A POST moves on only when it certainly did not reach a worker, so a restart is never sent twice.
   */
  readonly send: Send = async (spec, signal) => {
    if (this.#closing.signal.aborted) {
      const workerUrl = this.#workers[this.#preferred]?.label ?? '';
      throw new ConnectUnreachableError({ cluster: this.#cluster, endpoint: spec.endpoint, workerUrl }, { timeout: false, aborted: true });
    }
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < this.#workers.length; attempt += 1) {
      const index = (this.#preferred + attempt) % this.#workers.length;
      const worker = this.#workers[index] as WorkerTarget;
      let result: ExchangeResult;
      try {
        result = await exchange(this.#settings, worker, spec, signal);
      } catch (err) {
        if (!(err instanceof ConnectUnreachableError) || err.aborted) throw err;
        if (spec.method !== 'GET' && !requestWasNotSent(err)) throw err;
        lastError = this.#noteFailover(err, worker, spec.endpoint);
        continue;
      }
      if (spec.expect.includes(result.status) && (spec.isAnswer?.(result) ?? true)) {
        this.#preferred = index;
        return result;
      }
      const error = httpError(result);
      const noAnswer = error.errorCode === undefined && (result.status >= 500 || result.status === 404);
      // A 404 page means the request never reached Connect's resources, so even a POST may go elsewhere.
      if (noAnswer && (spec.method === 'GET' || result.status === 404)) {
        lastError = this.#noteFailover(error, worker, spec.endpoint);
        continue;
      }
      this.#preferred = index;
      throw error;
    }
    throw lastError as Error;
  };

  /** Aborts requests in flight and closes the connections; later requests fail with CS_ERR_CONNECT_UNREACHABLE. */
  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    await this.#settings.dispatcher.destroy();
  }

  #noteFailover(err: Error, worker: WorkerTarget, endpoint: ConnectEndpoint): Error {
    if (this.#workers.length > 1) {
      this.#logger.warn({ worker: worker.label, endpoint, err: errorSummary(err) }, 'Kafka Connect worker gave no answer; trying the next one');
    }
    return err;
  }
}

function httpError(result: ExchangeResult): ConnectHttpError {
  const body = decodeErrorBody(result.text);
  return new ConnectHttpError(result.context, {
    status: result.status,
    connectMessage: body?.message ?? null,
    ...(body === undefined ? {} : { errorCode: body.errorCode }),
  });
}
