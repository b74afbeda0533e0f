// The composition root: one unit per watched cluster (src/runtime/cluster.ts), the history they share, the operator
// actions and the HTTP server, and the config that drives them. buildApp(deps) touches no process-wide state (no
// signals, no exit), so tests drive a whole service in-process.

import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ConfigStore, ReloadResult } from './config/config-store.ts';
import { parseDuration } from './config/duration.ts';
import { sameSettings } from './config/same-settings.ts';
import type { Config } from './config/schema.ts';
import { createConnectClient, type ConnectClient, type ConnectClientOptions } from './connect/client.ts';
import { createListingDecoder } from './connect/listing-decoder.ts';
import type { ClusterView } from './domain/model.ts';
import { errorSummary } from './errors.ts';
import { buildServer } from './http/server.ts';
import { Exposition } from './metrics/exposition.ts';
import { createSelfMetrics } from './metrics/self.ts';
import { openStateClocks } from './poller/state-clocks.ts';
import { compilePolicy, type RestartPolicy } from './restart/compile.ts';
import type { HistoryStore } from './restart/history-file.ts';
import { retainClusters, type RestartHistory } from './restart/history.ts';
import type { ClusterUnitDeps } from './runtime/cluster.ts';
import { Clusters } from './runtime/clusters.ts';
import { historyWriter } from './runtime/history-writer.ts';
import { operatorActions } from './runtime/operator-actions.ts';
import { httpsOf, webSecurity } from './runtime/web.ts';

export interface AppDeps {
  config: ConfigStore;
  /** Opened (and locked) by the caller, which also closes it after app.close(). */
  historyStore: HistoryStore;
  logger: Logger;
  version: string;
  /** Unix ms. */
  now?: () => number;
  monotonicNow?: () => number;
  /** Replaces the real Connect client (tests wrap it to observe or break requests). */
  createClient?: (options: ConnectClientOptions) => ConnectClient;
}

export interface App {
  server: FastifyInstance;
  /** Starts every cluster's poll loop. */
  start(): void;
  /** Polls every cluster once now and waits for the restart round that follows (tests and the demo's first view). */
  pollAll(): Promise<void>;
  /** Reloads the config; never rejects. */
  reload(): Promise<ReloadResult>;
  views(): ClusterView[];
  history(): RestartHistory;
  /** Stops polling, aborts requests in flight, finishes the restart round under way and closes the HTTP server. */
  close(): Promise<void>;
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const now = deps.now ?? Date.now;
  const { logger } = deps;
  const initial = deps.config.current();
  // Everything that follows the config reads it here, as the last one applied: deciding and the API alike.
  const live: { config: Config; policy: RestartPolicy } = { config: initial, policy: compilePolicy(initial.restart) };

  const selfMetrics = createSelfMetrics({ processMetrics: initial.metrics.processMetrics, version: deps.version });
  selfMetrics.setConfigReload(true, deps.config.lastReloadSuccessTimestampSeconds());
  const showMode = () => selfMetrics.setAutorestartMode(!live.policy.enabled ? 'off' : live.policy.dryRun ? 'dry_run' : 'on');
  showMode();
  const history = historyWriter(deps.historyStore, selfMetrics);
  const exposition = new Exposition(selfMetrics);
  const listingDecoder = createListingDecoder();
  const clocks = await openStateClocks({ dataDir: initial.dataDir, logger: logger.child({ component: 'state-clocks' }), now });
  clocks.retain(initial.clusters.map((cluster) => cluster.name));
  const closing = new AbortController();
  let closed = false;
  const shared: ClusterUnitDeps = {
    logger,
    exposition,
    listingDecoder,
    clocks,
    history,
    selfMetrics,
    now,
    monotonicNow: deps.monotonicNow ?? (() => performance.now()),
    createClient: deps.createClient ?? createConnectClient,
    config: () => live.config,
    policy: () => live.policy,
    closing: closing.signal,
    closed: () => closed,
  };

  const clusters = new Clusters(shared, initial.clusters);

  const applyConfig = async (next: Config): Promise<void> => {
    logger.level = next.log.level;
    live.config = next;
    live.policy = compilePolicy(next.restart);
    showMode();
    const wanted = next.clusters.map((cluster) => cluster.name);
    clocks.retain(wanted);
    await clusters.apply(next.clusters);
    // History of clusters no longer configured would never be pruned by a poll.
    await history.serially(async () => {
      const kept = retainClusters(history.recorded(), wanted);
      if (kept !== history.recorded() && history.store.leading) await history.persist(kept);
    });
    const restartOnly =
      next.web.listenAddress !== initial.web.listenAddress ||
      Boolean(next.web.tls) !== Boolean(initial.web.tls) ||
      next.metrics.processMetrics !== initial.metrics.processMetrics ||
      !sameSettings(next.ha, initial.ha);
    if (restartOnly) logger.warn('web.listenAddress, web.tls, metrics.processMetrics and ha take effect only after a restart of connect-sentinel');
  };

  // Configs are applied one after another, and a reload answers only once its config is in effect.
  let applied: Promise<void> = Promise.resolve();
  deps.config.onChange((next) => {
    applied = applied.then(() => applyConfig(next)).catch((err: unknown) => logger.error({ err: errorSummary(err) }, 'Applying the new config failed'));
  });
  const reload = async (): Promise<ReloadResult> => {
    const result = await deps.config.reload();
    await applied;
    selfMetrics.setConfigReload(result.ok, deps.config.lastReloadSuccessTimestampSeconds());
    if (!result.ok) logger.error({ err: errorSummary(result.error) }, 'Configuration reload failed; keeping the current configuration');
    else if (result.changed) logger.info('Configuration reloaded');
    return result;
  };

  const server = buildServer({
    logger,
    version: deps.version,
    exposition,
    views: () => clusters.views(),
    restarts: operatorActions({
      history,
      views: () => clusters.viewsByName(),
      circuits: () => clusters.circuits(),
      policy: () => live.policy,
      now,
      logger,
    }),
    ready: () => clusters.ready(),
    reload: async () => {
      const result = await reload();
      if (!result.ok) throw result.error;
    },
    security: () => webSecurity(live.config),
    parseDuration,
    now,
    maxRequestBodyBytes: initial.web.maxRequestBodySize,
    https: httpsOf(initial),
  });

  return {
    server,
    start: () => clusters.start(),
    pollAll: () => clusters.pollAll(),
    reload,
    views: () => clusters.views(),
    history: () => history.recorded(),
    async close() {
      closing.abort();
      await clusters.stop();
      await history.serially(async () => {
        closed = true;
      });
      await clocks.close();
      await server.close();
      await listingDecoder.close();
    },
  };
}
