// The Kafka Connect REST client of one cluster: status polling (one expanded request, or per connector before
// Kafka 2.3), worker info, plugins, health and restarts, with failover across the cluster's workers.

import type { Logger } from 'pino';
import type {
  ConnectorRestartOutcome,
  ConnectorStatus,
  PluginInfo,
  RestartApi,
  StatusPoll,
  WorkerInfo,
} from '../domain/model.ts';
import {
  ConnectDecodeError,
  ConnectHttpError,
  ConnectUnreachableError,
  isSentinelError,
  SentinelError,
} from '../errors.ts';
import { forEachLimited } from './concurrency.ts';
import {
  decodeConnectorInfo,
  decodeConnectorStatus,
  decodeErrorBody,
  decodeHealth,
  decodePlugins,
  decodeRestartPlan,
  decodeWorkerInfo,
  parseJsonBody,
  type ConnectorListing,
  type HealthStatus,
  type MissingConnector,
} from './decode.ts';
import type { ConnectEndpoint } from '../domain/endpoint.ts';
import {
  createDispatcher,
  exchange,
  requestWasNotSent,
  type ConnectTlsOptions,
  type ExchangeRequest,
  type ExchangeResult,
  type ExchangeSettings,
  type RequestOutcome,
} from './transport.ts';
import { inPlaceListingDecoder, type ListingDecoder } from './listing-decoder.ts';
import { checkListingLimits, type ListingLimits } from './listing.ts';
import { authorizationHeader, parseWorkerUrls, type ConnectAuth, type WorkerTarget } from './workers.ts';

export type { ConnectAuth } from './workers.ts';
export type { ConnectTlsOptions, RequestOutcome } from './transport.ts';
export type { ConnectEndpoint } from '../domain/endpoint.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_LEGACY_CONCURRENCY = 8;
export const DEFAULT_LISTING_LIMITS: ListingLimits = { maxConnectors: 20_000, maxTasks: 100_000 };

export interface ConnectClientOptions {
  /** The cluster's name, for logs and error messages. */
  cluster: string;
  /** The cluster's workers. Requests start with the last one that answered and move on when one cannot. */
  urls: string[];
  /** Default `{ kind: 'none' }`. Secrets are given as strings already read from their files. */
  auth?: ConnectAuth;
  /** TLS for https workers; the server certificate is verified unless `insecureSkipVerify`. */
  tls?: ConnectTlsOptions;
  /** Per request and worker, including reading the whole body. Default 10 s. */
  timeoutMs?: number;
  /** Default 64 MiB; a larger body fails with CS_ERR_CONNECT_TOO_LARGE as soon as the limit is passed. */
  maxResponseBytes?: number;
  /** How many connectors and tasks a poll may hold; past either, the poll fails with CS_ERR_CONNECT_LIMIT. */
  limits?: ListingLimits;
  /** Where status listings are decoded; default on the calling thread. A service shares one that uses a worker. */
  listingDecoder?: ListingDecoder;
  /** Status requests in flight at once in the per-connector mode (Kafka before 2.3). Default 8. */
  legacyConcurrency?: number;
  /** Called once per HTTP exchange, for `kafka_connect_exporter_rest_requests_total`. */
  onRequest?: (endpoint: ConnectEndpoint, code: RequestOutcome) => void;
  logger: Logger;
}

/** `GET /health`: `unsupported` when the worker is older than Kafka 3.9 (it answers Connect's JSON 404). */
export interface WorkerHealth {
  status: HealthStatus | 'unsupported';
  message: string;
}

export interface ConnectClient extends RestartApi {
  readonly cluster: string;
  pollStatus(signal?: AbortSignal): Promise<StatusPoll>;
  getWorkerInfo(signal?: AbortSignal): Promise<WorkerInfo>;
  getPlugins(signal?: AbortSignal): Promise<PluginInfo[]>;
  getHealth(signal?: AbortSignal): Promise<WorkerHealth>;
  /** Aborts requests in flight and closes the connections; later calls fail with CS_ERR_CONNECT_UNREACHABLE. */
  close(): Promise<void>;
}

interface RequestSpec extends ExchangeRequest {
  /** The statuses that are answers to this request; any other becomes a ConnectHttpError. */
  expect: readonly number[];
  /** Further checks that an expected status really is an answer (a 5xx from a proxy is not a health report). */
  isAnswer?: (result: ExchangeResult) => boolean;
}

// On a real worker, `expand=info` is what a large poll costs: each connector's info goes through the herder, while
// statuses are read from the status store (1,000 connectors, Kafka 3.9: ~250 ms of worker CPU with info, ~10 ms
// without; bench/real-connect.ts). A connector's class changes only with its config, so the info is read with the
// first poll, whenever a connector appears that was not seen before, and every INFO_REFRESH_MS.
const STATUS_POLL_PATH = '/connectors?expand=status';
const STATUS_AND_INFO_POLL_PATH = '/connectors?expand=status&expand=info';
const INFO_REFRESH_MS = 5 * 60_000;

export function createConnectClient(options: ConnectClientOptions): ConnectClient {
  return new HttpConnectClient(options);
}

class HttpConnectClient implements ConnectClient {
  readonly cluster: string;
  readonly #workers: WorkerTarget[];
  readonly #logger: Logger;
  readonly #settings: ExchangeSettings;
  readonly #legacyConcurrency: number;
  readonly #limits: ListingLimits;
  readonly #listingDecoder: ListingDecoder;
  readonly #closing = new AbortController();
  /** Index of the worker that answered last: the first one tried next time. */
  #preferred = 0;
  #lastMode: StatusPoll['mode'] | undefined;
  readonly #modesAnnounced = new Set<StatusPoll['mode']>();
  /** Names of the connectors whose status had an unexpected shape in the last poll, to warn once per change. */
  #lastMalformed = '';
  /**
   * `connector.class` per connector, from the last poll that read the info (`expand=info`), or in the per-connector
   * mode from `GET /connectors/{name}`: both go through the herder, statuses do not.
   */
  readonly #connectorClasses = new Map<string, string>();
  /** performance.now() of the last poll that read every connector's info. */
  #infoReadAt = Number.NEGATIVE_INFINITY;

  constructor(options: ConnectClientOptions) {
    this.cluster = options.cluster;
    this.#workers = parseWorkerUrls(options.urls);
    // The same key as the rest of connect-sentinel's log lines; not bound twice when the caller already did.
    this.#logger =
      options.logger.bindings()['connect_cluster'] === undefined
        ? options.logger.child({ connect_cluster: options.cluster })
        : options.logger;
    this.#legacyConcurrency = positiveInteger('legacyConcurrency', options.legacyConcurrency, DEFAULT_LEGACY_CONCURRENCY);
    this.#limits = options.limits ?? DEFAULT_LISTING_LIMITS;
    this.#listingDecoder = options.listingDecoder ?? inPlaceListingDecoder;
    const authorization = authorizationHeader(options.auth ?? { kind: 'none' });
    this.#settings = {
      cluster: options.cluster,
      dispatcher: createDispatcher(options.tls),
      headers: {
        accept: 'application/json',
        'user-agent': 'connect-sentinel',
        ...(authorization === undefined ? {} : { authorization }),
      },
      timeoutMs: positiveInteger('timeoutMs', options.timeoutMs, DEFAULT_TIMEOUT_MS),
      maxResponseBytes: positiveInteger('maxResponseBytes', options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES),
      closing: this.#closing.signal,
      onRequest: options.onRequest ?? (() => {}),
    };
    if (options.tls?.insecureSkipVerify === true) {
      this.#logger.warn('TLS certificate verification of Kafka Connect workers is disabled (insecureSkipVerify)');
    }
  }

  async pollStatus(signal?: AbortSignal): Promise<StatusPoll> {
    let withInfo = this.#lastMode !== 'expanded' || performance.now() - this.#infoReadAt >= INFO_REFRESH_MS;
    const list = (path: string) => this.#send({ method: 'GET', path, endpoint: 'connectors', expect: [200] }, signal);
    let result = await list(withInfo ? STATUS_AND_INFO_POLL_PATH : STATUS_POLL_PATH);
    let listing = await this.#decodeListing(result);
    if (!withInfo && listing.kind === 'expanded' && listing.connectors.some((c) => !this.#connectorClasses.has(c.name))) {
      // A connector not seen before: its class is only in the info.
      withInfo = true;
      result = await list(STATUS_AND_INFO_POLL_PATH);
      listing = await this.#decodeListing(result);
    }
    if (listing.kind === 'names') {
      if (listing.invalidEntries > 0) {
        this.#logger.warn({ count: listing.invalidEntries }, 'Kafka Connect listed connector names that are not strings; ignoring them');
      }
      this.#noteMode('per-connector');
      return this.#pollEachConnector(listing.names, result.context.workerUrl, signal);
    }
    this.#noteMode('expanded');
    if (withInfo) {
      this.#connectorClasses.clear();
      for (const connector of listing.connectors) this.#connectorClasses.set(connector.name, connector.connectorClass);
      this.#infoReadAt = performance.now();
    } else {
      for (const connector of listing.connectors) connector.connectorClass = this.#connectorClasses.get(connector.name) ?? '';
    }
    this.#logMissing(listing.missing);
    return {
      connectors: listing.connectors,
      mode: 'expanded',
      missingStatus: listing.missing.map((missing) => missing.name),
      workerUrl: result.context.workerUrl,
    };
  }

  async getWorkerInfo(signal?: AbortSignal): Promise<WorkerInfo> {
    const result = await this.#send({ method: 'GET', path: '/', endpoint: 'root', expect: [200] }, signal);
    return decodeWith(result, decodeWorkerInfo);
  }

  async getPlugins(signal?: AbortSignal): Promise<PluginInfo[]> {
    const result = await this.#send({ method: 'GET', path: '/connector-plugins', endpoint: 'plugins', expect: [200] }, signal);
    return decodeWith(result, decodePlugins);
  }

  async getHealth(signal?: AbortSignal): Promise<WorkerHealth> {
    try {
      const result = await this.#send(
        {
          method: 'GET',
          path: '/health',
          endpoint: 'health',
          // 503 (starting) and 500 (herder stuck) carry a health report too; Connect's generic JSON 500 does not.
          expect: [200, 500, 503],
          isAnswer: (answer) => answer.status === 200 || looksLikeHealth(answer.text),
        },
        signal,
      );
      return decodeWith(result, decodeHealth);
    } catch (err) {
      // Before 3.9 the path is unknown to Connect, which says so in JSON. Jetty's HTML 404 (a worker still
      // starting) is not that answer.
      if (err instanceof ConnectHttpError && err.status === 404 && err.errorCode !== undefined) {
        return { status: 'unsupported', message: '' };
      }
      throw err;
    }
  }

  async restartConnector(
    connector: string,
    options: { includeTasks: boolean; onlyFailed: boolean },
    signal?: AbortSignal,
  ): Promise<ConnectorRestartOutcome> {
    const query = `includeTasks=${options.includeTasks}&onlyFailed=${options.onlyFailed}`;
    const result = await this.#send(
      {
        method: 'POST',
        path: `${connectorPath(connector)}/restart?${query}`,
        endpoint: 'connector_restart',
        expect: [202, 204],
      },
      signal,
    );
    // Before 3.0 the flags are ignored and only the connector restarts (204). An empty 202 (a 3.x worker relaying
    // an older leader's answer) says no more than that, so callers must restart the tasks themselves.
    if (result.status === 204 || result.text.trim() === '') return { kind: 'connector-only' };
    return { kind: 'planned', plan: decodeWith(result, (body) => decodeRestartPlan(body, connector)) };
  }

  async restartTask(connector: string, task: number, signal?: AbortSignal): Promise<void> {
    await this.#send(
      {
        method: 'POST',
        path: `${connectorPath(connector)}/tasks/${encodeURIComponent(String(task))}/restart`,
        endpoint: 'task_restart',
        expect: [200, 204],
      },
      signal,
    );
  }

  async close(): Promise<void> {
    if (this.#closing.signal.aborted) return;
    this.#closing.abort();
    await this.#settings.dispatcher.destroy();
  }

  async #decodeListing(result: ExchangeResult): Promise<ConnectorListing> {
    try {
      return await this.#listingDecoder.decode(result.body, this.cluster, this.#limits);
    } catch (err) {
      if (err instanceof ConnectDecodeError) throw new ConnectDecodeError(err.problem, result.context);
      throw err;
    }
  }

  /** Pre-2.3 clusters: one `/status` per connector, `limit` at a time; the class from a cached `GET /connectors/{name}`. */
  async #pollEachConnector(names: string[], workerUrl: string, signal: AbortSignal | undefined): Promise<StatusPoll> {
    const listed = new Set(names);
    for (const name of this.#connectorClasses.keys()) if (!listed.has(name)) this.#connectorClasses.delete(name);
    const connectors: ConnectorStatus[] = [];
    const missing: MissingConnector[] = [];
    await forEachLimited(
      names,
      this.#legacyConcurrency,
      async (name, shared) => {
        const status = await this.#readStatus(name, shared, missing);
        if (status === undefined) return;
        status.connectorClass = await this.#connectorClass(name, shared);
        connectors.push(status);
      },
      signal,
    );
    connectors.sort((a, b) => compareNames(a.name, b.name));
    checkListingLimits(this.cluster, { connectors: names.length, tasks: connectors.reduce((sum, c) => sum + c.tasks.length, 0) }, this.#limits);
    this.#logMissing(missing);
    return {
      connectors,
      mode: 'per-connector',
      missingStatus: missing.map((entry) => entry.name).sort(compareNames),
      workerUrl,
    };
  }

  /**
   * One connector's status; undefined (and an entry in `missing`) when Connect has none for it or answers
   * something unusable. An unreachable cluster fails the whole poll instead: its answers so far are partial.
   */
  async #readStatus(name: string, signal: AbortSignal, missing: MissingConnector[]): Promise<ConnectorStatus | undefined> {
    try {
      const result = await this.#send(
        { method: 'GET', path: `${connectorPath(name)}/status`, endpoint: 'connector_status', expect: [200] },
        signal,
      );
      return decodeWith(result, (body) => decodeConnectorStatus(body, { name }));
    } catch (err) {
      if (err instanceof ConnectUnreachableError || !isSentinelError(err)) throw err;
      missing.push({ name, reason: err.message, malformed: err instanceof ConnectDecodeError });
      return undefined;
    }
  }

  /** Cached once read; a failure leaves it '' for this poll and it is asked again next time. */
  async #connectorClass(name: string, signal: AbortSignal): Promise<string> {
    const cached = this.#connectorClasses.get(name);
    if (cached !== undefined) return cached;
    try {
      const result = await this.#send(
        { method: 'GET', path: connectorPath(name), endpoint: 'connector_info', expect: [200] },
        signal,
      );
      const { connectorClass } = decodeWith(result, decodeConnectorInfo);
      this.#connectorClasses.set(name, connectorClass);
      return connectorClass;
    } catch (err) {
      if (signal.aborted || !isSentinelError(err)) throw err;
      this.#logger.debug({ connector: name, err: err.message }, 'Reading the connector class failed; will retry next poll');
      return '';
    }
  }

  /**
   * Sends to the preferred worker first, then to the others in turn. Moves on only when a worker gave no answer:
   * a transport failure or timeout, or a 5xx or 404 that is not Connect's JSON (a proxy's page, Jetty's startup
   * page). A POST moves on only when it certainly did not reach a worker, so a restart is never sent twice.
   */
  async #send(spec: RequestSpec, signal: AbortSignal | undefined): Promise<ExchangeResult> {
    if (this.#closing.signal.aborted) {
      const workerUrl = this.#workers[this.#preferred]?.label ?? '';
      throw new ConnectUnreachableError(
        { cluster: this.cluster, endpoint: spec.endpoint, workerUrl },
        { timeout: false, aborted: true },
      );
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
  }

  #noteFailover(err: Error, worker: WorkerTarget, endpoint: ConnectEndpoint): Error {
    if (this.#workers.length > 1) {
      this.#logger.warn({ worker: worker.label, endpoint, err: err.message }, 'Kafka Connect worker gave no answer; trying the next one');
    }
    return err;
  }

  #noteMode(mode: StatusPoll['mode']): void {
    if (mode === this.#lastMode) return;
    const first = this.#lastMode === undefined;
    this.#lastMode = mode;
    if (first && mode === 'expanded') return;
    const message =
      mode === 'per-connector'
        ? 'Kafka Connect ignores ?expand (Kafka before 2.3): reading each connector status separately'
        : 'Kafka Connect supports ?expand again: reading all statuses in one request';
    // Old and new workers alternate during a rolling upgrade: say each switch once, then only at debug.
    if (this.#modesAnnounced.has(mode)) {
      this.#logger.debug(message);
    } else {
      this.#modesAnnounced.add(mode);
      this.#logger.info(message);
    }
  }

  /** Connectors without a status are normal while they start; a malformed status is worth a warning. */
  #logMissing(missing: MissingConnector[]): void {
    const malformed = missing.filter((entry) => entry.malformed);
    // The same odd entries poll after poll are news once; a different set is news again.
    const malformedNames = malformed.map((entry) => entry.name).join('\n');
    const news = malformedNames !== this.#lastMalformed;
    this.#lastMalformed = malformedNames;
    if (malformed.length > 0) {
      this.#logger[news ? 'warn' : 'debug'](
        { count: malformed.length, examples: malformed.slice(0, 5) },
        'Kafka Connect sent connector statuses of an unexpected shape; reporting them as missing',
      );
    }
    if (missing.length > malformed.length) {
      this.#logger.debug({ count: missing.length - malformed.length }, 'Kafka Connect has no status yet for some connectors');
    }
  }
}

function decodeWith<T>(result: ExchangeResult, decoder: (body: unknown) => T): T {
  try {
    return decoder(parseJsonBody(result.text));
  } catch (err) {
    if (err instanceof ConnectDecodeError) throw new ConnectDecodeError(err.problem, result.context);
    throw err;
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

/** A health report has a `status` string; Connect's generic error body has `error_code` instead. */
function looksLikeHealth(text: string): boolean {
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null && typeof (body as { status?: unknown }).status === 'string';
  } catch {
    return false;
  }
}

/** encodeURIComponent leaves `.` and `..` alone, and a URL parser removes them as dot segments: encode them too. */
function connectorPath(connector: string): string {
  const segment = connector === '.' || connector === '..' ? connector.replaceAll('.', '%2E') : encodeURIComponent(connector);
  return `/connectors/${segment}`;
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SentinelError('CS_ERR_CONFIG_INVALID', `Kafka Connect client option ${name} must be a positive integer`);
  }
  return value;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
