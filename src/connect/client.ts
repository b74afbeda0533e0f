// The Kafka Connect REST client of one cluster: its endpoints (the status poll, worker info, plugins, health and
// restarts). Failover between workers is failover.ts, the pre-2.3 per-connector poll per-connector.ts, and what is
// worth logging about polls poll-notes.ts.

import type { Logger } from 'pino';
import type { ConnectorRestartOutcome, PluginInfo, RestartApi, StatusPoll, WorkerInfo } from '../domain/model.ts';
import { ConnectDecodeError, ConnectHttpError } from '../errors.ts';
import { decodeHealth, decodePlugins, decodeRestartPlan, decodeWith, decodeWorkerInfo, type ConnectorListing, type HealthStatus } from './decode.ts';
import { WorkerFailover, type Send } from './failover.ts';
import type { ConnectEndpoint } from '../domain/endpoint.ts';
import { connectorPath, type ConnectTlsOptions, type ExchangeResult, type RequestOutcome } from './transport.ts';
import { inPlaceListingDecoder, type ListingDecoder } from './listing-decoder.ts';
import type { ListingLimits } from './listing.ts';
import { pollEachConnector } from './per-connector.ts';
import { PollNotes } from './poll-notes.ts';
import { authorizationHeader, type ConnectAuth } from './workers.ts';

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
  /**
   * The cluster's workers, as the config checked them (src/config/connect-url.ts). Requests start with the last one
   * that answered and move on when one cannot.
   */
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
  readonly #failover: WorkerFailover;
  readonly #send: Send;
  readonly #logger: Logger;
  readonly #notes: PollNotes;
  readonly #legacyConcurrency: number;
  readonly #limits: ListingLimits;
  readonly #listingDecoder: ListingDecoder;
  /**
   * `connector.class` per connector, from the last poll that read the info (`expand=info`), or in the per-connector
   * mode from `GET /connectors/{name}`: both go through the herder, statuses do not.
   */
  readonly #connectorClasses = new Map<string, string>();
  /** performance.now() of the last poll that read every connector's info. */
  #infoReadAt = Number.NEGATIVE_INFINITY;

  constructor(options: ConnectClientOptions) {
    this.cluster = options.cluster;
    // The same key as the rest of connect-sentinel's log lines; not bound twice when the caller already did.
    this.#logger =
      options.logger.bindings()['connect_cluster'] === undefined
        ? options.logger.child({ connect_cluster: options.cluster })
        : options.logger;
    this.#notes = new PollNotes(this.#logger);
    this.#legacyConcurrency = options.legacyConcurrency ?? DEFAULT_LEGACY_CONCURRENCY;
    this.#limits = options.limits ?? DEFAULT_LISTING_LIMITS;
    this.#listingDecoder = options.listingDecoder ?? inPlaceListingDecoder;
    const authorization = authorizationHeader(options.auth ?? { kind: 'none' });
    this.#failover = new WorkerFailover({
      urls: options.urls,
      tls: options.tls,
      logger: this.#logger,
      settings: {
        cluster: options.cluster,
        headers: {
          accept: 'application/json',
          'user-agent': 'connect-sentinel',
          ...(authorization === undefined ? {} : { authorization }),
        },
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxResponseBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        onRequest: options.onRequest ?? (() => {}),
      },
    });
    this.#send = this.#failover.send;
    if (options.tls?.insecureSkipVerify === true) {
      this.#logger.warn('TLS certificate verification of Kafka Connect workers is disabled (insecureSkipVerify)');
    }
  }

  async pollStatus(signal?: AbortSignal): Promise<StatusPoll> {
    let withInfo = this.#notes.mode !== 'expanded' || performance.now() - this.#infoReadAt >= INFO_REFRESH_MS;
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
      this.#notes.noteMode('per-connector');
      const deps = { send: this.#send, cluster: this.cluster, limits: this.#limits, concurrency: this.#legacyConcurrency, classes: this.#connectorClasses, logger: this.#logger };
      const { poll, missing } = await pollEachConnector(deps, listing.names, result.context.workerUrl, signal);
      this.#notes.noteMissing(missing);
      return poll;
    }
    this.#notes.noteMode('expanded');
    if (withInfo) {
      this.#connectorClasses.clear();
      for (const connector of listing.connectors) this.#connectorClasses.set(connector.name, connector.connectorClass);
      this.#infoReadAt = performance.now();
    } else {
      for (const connector of listing.connectors) connector.connectorClass = this.#connectorClasses.get(connector.name) ?? '';
    }
    this.#notes.noteMissing(listing.missing);
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

  close(): Promise<void> {
    return this.#failover.close();
  }

  async #decodeListing(result: ExchangeResult): Promise<ConnectorListing> {
    try {
      return await this.#listingDecoder.decode(result.body, this.cluster, this.#limits);
    } catch (err) {
      if (err instanceof ConnectDecodeError) throw new ConnectDecodeError(err.problem, result.context);
      throw err;
    }
  }
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
