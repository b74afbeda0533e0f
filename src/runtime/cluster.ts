// One watched cluster: its Connect client, its poller, what it last rendered, and the restart round after each poll.
// A reload that changes the cluster's settings replaces the unit, which carries over what the cluster has shown.

import type { Logger } from 'pino';
import { connectorFilter } from '../config/connector-filter.ts';
import { tlsMaterial, type ClusterConfig, type Config } from '../config/schema.ts';
import type { ConnectClient, ConnectClientOptions } from '../connect/client.ts';
import type { ListingDecoder } from '../connect/listing-decoder.ts';
import type { CircuitState, ClusterView } from '../domain/model.ts';
import { ConnectLimitError, errorSummary } from '../errors.ts';
import type { Exposition } from '../metrics/exposition.ts';
import { pollErrorReason } from '../metrics/poll-error-reason.ts';
import { completeClusterRender, markedDown, renderClusterReusing, renderConnectorSteps } from '../metrics/render.ts';
import type { SelfMetrics } from '../metrics/self.ts';
import { runInSlices, yieldToIo } from '../metrics/sliced.ts';
import { ClusterPoller, type ClusterSource, type PollCycle } from '../poller/poller.ts';
import type { StateClocks } from '../poller/state-clocks.ts';
import { restartRound, type RestartRoundDeps } from './restart-round.ts';

/** What every cluster unit shares. */
export interface ClusterUnitDeps extends RestartRoundDeps {
  logger: Logger;
  exposition: Exposition;
  listingDecoder: ListingDecoder;
  clocks: StateClocks;
  /** The config in effect, read at each poll (for the metrics options). */
  config: () => Config;
  monotonicNow: () => number;
  createClient: (options: ConnectClientOptions) => ConnectClient;
  /** Set once the app closes: a poll that ends after that starts no round. */
  closed: () => boolean;
}

export class ClusterUnit {
  readonly config: ClusterConfig;
  readonly poller: ClusterPoller;
  /** Polled at least once, whatever its settings since: a replaced unit keeps the readiness of the one before. */
  polled: boolean;
  /** The circuit breaker as the last restart round left it, for the API. */
  circuit: CircuitState | undefined;
  readonly #deps: ClusterUnitDeps;
  readonly #client: ConnectClient;
  readonly #logger: Logger;
  /** The last poll went past maxExpositionSize: logged when it goes past and when it fits again. */
  #overExpositionLimit: boolean;

  constructor(deps: ClusterUnitDeps, config: ClusterConfig, previous?: ClusterUnit, phaseMs = 0) {
    this.#deps = deps;
    this.config = config;
    this.polled = previous?.polled ?? false;
    this.circuit = previous?.circuit;
    this.#overExpositionLimit = previous === undefined ? false : previous.#overExpositionLimit;
    this.#logger = deps.logger.child({ connect_cluster: config.name });
    this.#client = deps.createClient(clientOptions(config, this.#logger, deps.selfMetrics, deps.listingDecoder));
    deps.selfMetrics.watchCluster(config.name, {
      tlsVerificationDisabled: config.tls?.insecureSkipVerify === true,
      pollIntervalSeconds: config.pollInterval / 1000,
    });
    this.poller = new ClusterPoller({
      cluster: config.name,
      source: asSource(this.#client),
      watches: connectorFilter(config.connectors),
      intervalMs: config.pollInterval,
      phaseMs,
      pluginsIntervalMs: config.pluginsInterval,
      now: deps.now,
      monotonicNow: deps.monotonicNow,
      logger: this.#logger,
      onPoll: (cycle) => this.#onPoll(cycle),
      ...(previous ? { initial: previous.poller.state } : { remembered: deps.clocks.takeRemembered(config.name) }),
    });
  }

  get view(): ClusterView {
    return this.poller.view;
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await this.#client.close();
  }

  async #onPoll(cycle: PollCycle): Promise<void> {
    const { selfMetrics, exposition } = this.#deps;
    const name = this.config.name;
    this.polled = true;
    selfMetrics.poll(name);
    if (cycle.error !== undefined) selfMetrics.pollError(name, pollErrorReason(cycle.error));
    else if (!cycle.trusted) selfMetrics.pollError(name, 'untrusted');
    for (const connector of cycle.deleted) await selfMetrics.forgetConnector(name, connector);
    if (cycle.statesChanged) this.#deps.clocks.update(cycle.view);

    if (this.#deps.closed()) return;
    try {
      await this.#roundAndRender(cycle);
      if (this.#overExpositionLimit) this.#logger.info('The cluster\'s series fit within maxExpositionSize again');
      this.#overExpositionLimit = false;
    } catch (err) {
      // Whatever failed here, the cluster must not keep its last series as if they were fresh.
      if (err instanceof ConnectLimitError) {
        selfMetrics.pollError(name, 'limit');
        if (!this.#overExpositionLimit) {
          this.#logger.warn({ err: errorSummary(err) }, 'The cluster\'s series pass maxExpositionSize: showing its last series as down, restarting nothing, until they fit');
        }
        this.#overExpositionLimit = true;
      } else {
        this.#logger.error({ err: errorSummary(err) }, 'Handling this poll failed; the cluster shows up 0 until a poll is handled whole');
        selfMetrics.pollError(name, 'internal');
      }
      exposition.setCluster(this.#renderDown(cycle.view));
    }
  }

  /** Rounds of one cluster never overlap: its poller awaits each. */
  async #roundAndRender(cycle: PollCycle): Promise<void> {
    const { exposition } = this.#deps;
    const options = this.#renderOptions();
    // The connector lines come first, spread over turns of the event loop: a cluster past maxExpositionSize is
    // refused here, before any restart is decided on it.
    const previous = exposition.lastRender(cycle.view.cluster);
    const connectorLines = await runInSlices(renderConnectorSteps(cycle.view, { ...options, maxExpositionBytes: this.config.maxExpositionSize }, previous));
    const result = await restartRound(this.#deps, cycle, this.#client, this.#logger);
    this.circuit = result.view.circuit;
    // Deciding on 60,000 targets takes about 10 ms: pending scrapes go first.
    await yieldToIo();
    await exposition.publish(completeClusterRender(cycle.view, result.view, connectorLines));
  }

  /** The cluster as down: its last series marked down, or only its cluster-wide series before any render. */
  #renderDown(view: ClusterView) {
    const last = this.#deps.exposition.lastRender(view.cluster);
    if (last !== undefined) return markedDown(last);
    return renderClusterReusing({ ...view, up: false, connectors: [] }, undefined, this.#renderOptions(), undefined);
  }

  /** As the config in effect says, read at each poll. */
  #renderOptions() {
    return { dropZeroStates: this.#deps.config().metrics.dropZeroStates };
  }
}

function asSource(client: ConnectClient): ClusterSource {
  return {
    pollStatus: (signal) => client.pollStatus(signal),
    getWorkerInfo: (signal) => client.getWorkerInfo(signal),
    getPlugins: (signal) => client.getPlugins(signal),
    isWorkerHealthy: async (signal) => {
      const health = await client.getHealth(signal);
      if (health.status === 'healthy') return true;
      if (health.status === 'starting' || health.status === 'unhealthy') return false;
      return undefined;
    },
  };
}

function clientOptions(cluster: ClusterConfig, logger: Logger, selfMetrics: SelfMetrics, listingDecoder: ListingDecoder): ConnectClientOptions {
  const tls = cluster.tls;
  return {
    cluster: cluster.name,
    urls: [...cluster.urls],
    auth: cluster.basicAuth
      ? { kind: 'basic', username: cluster.basicAuth.username, password: cluster.basicAuth.password.reveal() }
      : cluster.bearerToken
        ? { kind: 'bearer', token: cluster.bearerToken.reveal() }
        : { kind: 'none' },
    ...(tls ? { tls: { ...tlsMaterial(tls), insecureSkipVerify: tls.insecureSkipVerify, ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }) } } : {}),
    timeoutMs: cluster.timeout,
    maxResponseBytes: cluster.maxResponseSize,
    limits: { maxConnectors: cluster.maxConnectors, maxTasks: cluster.maxTasks },
    listingDecoder,
    onRequest: (endpoint, code) => selfMetrics.restRequest(cluster.name, endpoint, code),
    logger,
  };
}
