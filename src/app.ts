// The composition root: wires config, Connect clients, pollers, the restart pipeline, metrics and the HTTP server.
// buildApp(deps) touches no process-wide state (no signals, no exit), so tests drive a whole service in-process.

import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { parseDuration } from './config/duration.ts';
import { connectorFilter } from './config/connector-filter.ts';
import { Secret } from './config/secret.ts';
import { tlsMaterial, type ClusterConfig, type Config } from './config/schema.ts';
import type { ConfigStore, ReloadResult } from './config/config-store.ts';
import { createConnectClient, type ConnectClient, type ConnectClientOptions } from './connect/client.ts';
import { createListingDecoder, type ListingDecoder } from './connect/listing-decoder.ts';
import type { CircuitState, ClusterView, TargetRef } from './domain/model.ts';
import { ConnectLimitError, errorSummary, SentinelError } from './errors.ts';
import { buildServer, type RestartControl } from './http/server.ts';
import { Exposition } from './metrics/exposition.ts';
import { pollErrorReason } from './metrics/poll-error-reason.ts';
import { completeClusterRender, markedDown, renderClusterReusing, renderConnectorSteps } from './metrics/render.ts';
import { runInSlices, yieldToIo } from './metrics/sliced.ts';
import { createSelfMetrics, type SelfMetrics } from './metrics/self.ts';
import { ClusterPoller, type ClusterSource, type PollCycle } from './poller/poller.ts';
import { openStateClocks } from './poller/state-clocks.ts';
import { compilePolicy, type RestartPolicy } from './restart/compile.ts';
import { executeDecisions } from './restart/executor.ts';
import { forgetConnectors, retainClusters, type RestartHistory } from './restart/history.ts';
import { listHistory, requestRestartNow, resetBudget, silence, unsilence } from './restart/operator.ts';
import { applyOutcomes } from './restart/outcomes.ts';
import { decide } from './restart/policy.ts';
import type { HistoryStore } from './restart/history-file.ts';

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

interface ClusterRuntime {
  config: ClusterConfig;
  fingerprint: string;
  client: ConnectClient;
  poller: ClusterPoller;
  logger: Logger;
}

/** Identifies settings (a cluster's, the ha section), secrets included, so a rotated password is a change; never shown anywhere. */
function fingerprint(settings: ClusterConfig | Config['ha']): string {
  // JSON.stringify applies Secret.toJSON (<redacted>) before the replacer: look at the holder's original value.
  const json = JSON.stringify(settings ?? null, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Secret ? original.reveal() : value;
  });
  return createHash('sha256').update(json).digest('hex');
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
    ...(tls
      ? {
          tls: {
            ...tlsMaterial(tls),
            insecureSkipVerify: tls.insecureSkipVerify,
            ...(tls.serverName === undefined ? {} : { serverName: tls.serverName }),
          },
        }
      : {}),
    timeoutMs: cluster.timeout,
    maxResponseBytes: cluster.maxResponseSize,
    limits: { maxConnectors: cluster.maxConnectors, maxTasks: cluster.maxTasks },
    listingDecoder,
    onRequest: (endpoint, code) => selfMetrics.restRequest(cluster.name, endpoint, code),
    logger,
  };
}

/** Runs tasks one after another: restart rounds and operator actions share one history. */
function serialQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const now = deps.now ?? Date.now;
  const monotonicNow = deps.monotonicNow ?? (() => performance.now());
  const createClient = deps.createClient ?? createConnectClient;
  const { logger, historyStore: store } = deps;

  const initial = deps.config.current();
  const selfMetrics = createSelfMetrics({ processMetrics: initial.metrics.processMetrics, version: deps.version });
  const exposition = new Exposition(selfMetrics);
  const listingDecoder = createListingDecoder();
  selfMetrics.setConfigReload(true, deps.config.lastReloadSuccessTimestampSeconds());

  /** The history as recorded: for a follower, as the leader last wrote it to the shared log. */
  const recorded = (): RestartHistory => store.current();
  const clocks = await openStateClocks({ dataDir: initial.dataDir, logger: logger.child({ component: 'state-clocks' }), now });
  clocks.retain(initial.clusters.map((cluster) => cluster.name));
  let policy: RestartPolicy = compilePolicy(initial.restart);
  const showMode = () => selfMetrics.setAutorestartMode(!policy.enabled ? 'off' : policy.dryRun ? 'dry_run' : 'on');
  showMode();
  const runtimes = new Map<string, ClusterRuntime>();
  /** Clusters polled at least once, whatever their settings since: a reload that replaces a poller keeps readiness. */
  const polled = new Set<string>();
  /** Per cluster, the circuit breaker as its last restart round left it, for the API. */
  const circuits = new Map<string, CircuitState>();
  const serially = serialQueue();
  let closed = false;
  /** Aborted by close(): a restart call left hanging must not hold up shutdown. */
  const closing = new AbortController();

  /** Only what is recorded is true: `recorded()` moves to `next` once `next` is written. */
  const persist = async (next: RestartHistory): Promise<boolean> => {
    const saved = await store.save(next);
    // A replica that lost the lead (fenced by the next leader) has nothing to write: not a write failure.
    if (!saved && store.leading) selfMetrics.historyWriteFailure();
    showStore();
    return saved;
  };
  const showStore = () => {
    selfMetrics.setHistoryWritable(store.writable);
    selfMetrics.setLeadership(store.leading, store.generation);
  };
  showStore();

  /** Decide, record, send, record again, render: one restart round per poll, never two at once. */
  const onPoll = (runtime: () => ClusterRuntime) => async (cycle: PollCycle) => {
    const { config: cluster, client, logger: clusterLogger } = runtime();
    polled.add(cluster.name);
    selfMetrics.poll(cluster.name);
    if (cycle.error !== undefined) selfMetrics.pollError(cluster.name, pollErrorReason(cycle.error));
    else if (!cycle.trusted) selfMetrics.pollError(cluster.name, 'untrusted');
    for (const connector of cycle.deleted) await selfMetrics.forgetConnector(cluster.name, connector);
    if (cycle.statesChanged) clocks.update(cycle.view);

    if (closed) return;
    try {
      await restartRoundAndRender(cycle, cluster, client, clusterLogger);
      if (overExpositionLimit.delete(cluster.name)) clusterLogger.info('The cluster\'s series fit within maxExpositionSize again');
    } catch (err) {
      // Whatever failed here, the cluster must not keep its last series as if they were fresh.
      if (err instanceof ConnectLimitError) {
        selfMetrics.pollError(cluster.name, 'limit');
        if (!overExpositionLimit.has(cluster.name)) {
          overExpositionLimit.add(cluster.name);
          clusterLogger.warn({ err: errorSummary(err) }, 'The cluster\'s series pass maxExpositionSize: showing its last series as down, restarting nothing, until they fit');
        }
      } else {
        clusterLogger.error({ err: errorSummary(err) }, 'Handling this poll failed; the cluster shows up 0 until a poll is handled whole');
        selfMetrics.pollError(cluster.name, 'internal');
      }
      exposition.setCluster(renderDown(cycle.view));
    }
  };

  const renderOptions = () => ({ dropZeroStates: deps.config.current().metrics.dropZeroStates });
  /** Clusters whose last poll went past maxExpositionSize: logged when they go past it and when they fit again. */
  const overExpositionLimit = new Set<string>();

  /** The cluster as down: its last series marked down, or only its cluster-wide series before any render. */
  const renderDown = (view: ClusterView) => {
    const last = exposition.lastRender(view.cluster);
    return last === undefined ? renderClusterReusing({ ...view, up: false, connectors: [] }, undefined, renderOptions(), undefined) : markedDown(last);
  };

  /**
   * One cluster's round. Only the steps that read and write the shared history run in the serial queue (deciding
   * with the write-ahead record, and folding the outcomes in); the restart calls run outside it, so a cluster whose
   * restart calls are slow never holds back another cluster's round. Rounds of one cluster never overlap: its poller
   * awaits each.
   */
  const restartRoundAndRender = async (cycle: PollCycle, cluster: ClusterConfig, client: ConnectClient, clusterLogger: Logger) => {
    // The connector lines come first, spread over turns of the event loop: a cluster past maxExpositionSize is
    // refused here, before any restart is decided on it.
    const previous = exposition.lastRender(cycle.view.cluster);
    const connectorLines = await runInSlices(
      renderConnectorSteps(cycle.view, { ...renderOptions(), maxExpositionBytes: cluster.maxExpositionSize }, previous),
    );
    const { result, sends, written, leading } = await serially(async () => {
      showStore();
      // A follower decides as the leader would, to show the same state, but records and sends nothing.
      const leading = store.leading;
      // A store that failed is retried at every poll, even when nothing changed: otherwise an unchanged history
      // would never be written again and auto-restart would stay off after the disk recovered.
      if (leading && !store.writable) await persist(recorded());
      const before = recorded();
      const decided = decide({
        view: cycle.view,
        history: forgetConnectors(before, cycle.view.cluster, cycle.deleted),
        policy,
        now: now(),
        polledAt: cycle.polledAt,
        trusted: cycle.trusted,
        historyWritable: store.writable,
        leading,
      });
      // While auto-restart is disabled no restart can happen: per-target counters would be thousands of zeros.
      if (policy.enabled) for (const decision of decided.decisions) selfMetrics.watchTarget(decision.ref);
      // Write-ahead: a restart is recorded before it is sent, so a crash never forgets a restart that happened.
      const ok = !leading || decided.history === before ? true : await persist(decided.history);
      return { result: decided, sends: decided.decisions.some((d) => d.action === 'restart'), written: ok, leading };
    });
    if (sends && !written) {
      if (store.leading) clusterLogger.error('Restart history cannot be written; not restarting anything until it can');
      else clusterLogger.warn('This replica no longer leads (another replica took over): not sending the restarts it decided');
    } else if (leading) {
      // Only the leader logs and counts its decisions: a follower's would repeat them once per replica.
      const answered = await executeDecisions(result.decisions, { api: client, logger: clusterLogger, metrics: selfMetrics, signal: closing.signal });
      // A call cut short by close() may have reached Connect: it stays pending and counts as a restart at the next
      // start, so stopping never makes a restart happen twice.
      const outcomes = closing.signal.aborted ? answered.filter((o) => o.result !== 'retry') : answered;
      // Folded into the history as it is now: other clusters' rounds may have changed it meanwhile.
      if (outcomes.length > 0) await serially(() => persist(applyOutcomes(recorded(), outcomes, now())));
    }
    if (runtimes.has(cluster.name)) circuits.set(cluster.name, result.view.circuit);
    // Deciding on 60,000 targets takes about 10 ms: pending scrapes go first.
    await yieldToIo();
    const rendered = completeClusterRender(cycle.view, result.view, connectorLines, previous);
    await exposition.compress(rendered);
    exposition.setCluster(rendered);
  };

  const startCluster = (cluster: ClusterConfig, previous?: ClusterRuntime, phaseMs = 0): ClusterRuntime => {
    const clusterLogger = logger.child({ connect_cluster: cluster.name });
    const client = createClient(clientOptions(cluster, clusterLogger, selfMetrics, listingDecoder));
    selfMetrics.watchCluster(cluster.name, {
      tlsVerificationDisabled: cluster.tls?.insecureSkipVerify === true,
      pollIntervalSeconds: cluster.pollInterval / 1000,
    });
    let runtime: ClusterRuntime;
    const poller = new ClusterPoller({
      cluster: cluster.name,
      source: asSource(client),
      watches: connectorFilter(cluster.connectors),
      intervalMs: cluster.pollInterval,
      phaseMs,
      pluginsIntervalMs: cluster.pluginsInterval,
      now,
      monotonicNow,
      logger: clusterLogger,
      onPoll: onPoll(() => runtime),
      ...(previous ? { initial: previous.poller.state } : { remembered: clocks.takeRemembered(cluster.name) }),
    });
    runtime = { config: cluster, fingerprint: fingerprint(cluster), client, poller, logger: clusterLogger };
    return runtime;
  };

  const stopCluster = async (runtime: ClusterRuntime): Promise<void> => {
    await runtime.poller.stop();
    await runtime.client.close();
  };

  // Cluster i of n polls at i/n of its interval after the first round, so that their CPU work does not pile up.
  initial.clusters.forEach((cluster, index) => {
    runtimes.set(cluster.name, startCluster(cluster, undefined, Math.floor((index * cluster.pollInterval) / initial.clusters.length)));
  });
  let started = false;

  const applyConfig = async (next: Config): Promise<void> => {
    logger.level = next.log.level;
    policy = compilePolicy(next.restart);
    showMode();
    const wanted = new Map(next.clusters.map((c) => [c.name, c]));
    clocks.retain(wanted.keys());
    for (const [name, runtime] of runtimes) {
      if (wanted.has(name)) continue;
      runtimes.delete(name);
      polled.delete(name);
      circuits.delete(name);
      overExpositionLimit.delete(name);
      await stopCluster(runtime);
      exposition.deleteCluster(name);
      await selfMetrics.forgetCluster(name);
      logger.info({ connect_cluster: name }, 'Stopped watching a cluster removed from the config');
    }
    for (const cluster of next.clusters) {
      const current = runtimes.get(cluster.name);
      if (current && current.fingerprint === fingerprint(cluster)) continue;
      if (current) await stopCluster(current);
      const runtime = startCluster(cluster, current);
      runtimes.set(cluster.name, runtime);
      if (started) runtime.poller.start();
      logger.info({ connect_cluster: cluster.name }, current ? 'Applied new settings for a cluster' : 'Started watching a cluster');
    }
    // History of clusters no longer configured would never be pruned by a poll.
    await serially(async () => {
      const kept = retainClusters(recorded(), wanted.keys());
      if (kept !== recorded() && store.leading) await persist(kept);
    });
    if (
      next.web.listenAddress !== initial.web.listenAddress ||
      Boolean(next.web.tls) !== Boolean(initial.web.tls) ||
      next.metrics.processMetrics !== initial.metrics.processMetrics ||
      fingerprint(next.ha) !== fingerprint(initial.ha)
    ) {
      logger.warn('web.listenAddress, web.tls, selfMetrics.processMetrics and ha take effect only after a restart of connect-sentinel');
    }
  };

  // Configs are applied one after another, and a reload answers only once its config is in effect.
  let applied: Promise<void> = Promise.resolve();
  deps.config.onChange((next) => {
    applied = applied
      .then(() => applyConfig(next))
      .catch((err: unknown) => logger.error({ err: errorSummary(err) }, 'Applying the new config failed'));
  });

  const reload = async (): Promise<ReloadResult> => {
    const result = await deps.config.reload();
    await applied;
    selfMetrics.setConfigReload(result.ok, deps.config.lastReloadSuccessTimestampSeconds());
    if (result.ok) {
      if (result.changed) logger.info('Configuration reloaded');
    } else {
      logger.error({ err: { code: result.error.code, message: result.error.message } }, 'Configuration reload failed; keeping the current configuration');
    }
    return result;
  };

  /** Operator actions act on connectors the cluster currently has; anything else is a 404. */
  const requireTarget = (ref: { cluster: string; connector: string; task?: number }): void => {
    const runtime = runtimes.get(ref.cluster);
    if (!runtime) throw new SentinelError('CS_ERR_API_NOT_FOUND', `unknown cluster "${ref.cluster}"`);
    const connector = runtime.poller.view.connectors.find((c) => c.status.name === ref.connector);
    if (!connector) throw new SentinelError('CS_ERR_API_NOT_FOUND', `cluster "${ref.cluster}" has no connector "${ref.connector}"`);
    if (ref.task !== undefined && !connector.status.tasks.some((t) => t.id === ref.task)) {
      throw new SentinelError('CS_ERR_API_NOT_FOUND', `connector "${ref.connector}" has no task ${ref.task}`);
    }
  };

  const operatorAction = (describe: string, change: (h: RestartHistory) => RestartHistory) =>
    serially(async () => {
      if (!store.leading) {
        throw new SentinelError('CS_ERR_NOT_LEADER', `${describe} was not recorded: this replica does not lead; send it to the replica whose kafka_connect_exporter_leader is 1`);
      }
      if (!(await persist(change(recorded())))) {
        throw new SentinelError('CS_ERR_STORE_IO', `${describe} was not recorded: restart history cannot be written`);
      }
      logger.info({ action: describe }, 'Operator action recorded');
    });

  const restarts: RestartControl = {
    list: (filter) => listHistory(recorded(), circuits, filter, now()),
    restartNow: async (ref: TargetRef) => {
      requireTarget(ref);
      if (!deps.config.current().restart.enabled) {
        throw new SentinelError('CS_ERR_API_FORBIDDEN', 'auto-restart is disabled (restart.enabled: false): nothing would be sent');
      }
      await operatorAction('restart now', (h) => requestRestartNow(h, ref, now()));
    },
    resetBudget: async (ref: TargetRef) => {
      requireTarget(ref);
      await operatorAction('reset budget', (h) => resetBudget(h, ref, now()));
    },
    silence: async (target, until, reason) => {
      requireTarget(target);
      await operatorAction('silence', (h) => silence(h, target, until, now(), reason));
    },
    unsilence: async (target) => {
      if (!runtimes.has(target.cluster)) throw new SentinelError('CS_ERR_API_NOT_FOUND', `unknown cluster "${target.cluster}"`);
      await operatorAction('unsilence', (h) => unsilence(h, target));
    },
  };

  const reveal = (secret: Secret | undefined) => secret?.reveal();
  const server = buildServer({
    logger,
    version: deps.version,
    exposition,
    views: () => [...runtimes.values()].map((r) => r.poller.view),
    restarts,
    ready: () => [...runtimes.keys()].every((name) => polled.has(name)),
    reload: async () => {
      const result = await reload();
      if (!result.ok) throw result.error;
    },
    security: () => {
      const { web, api } = deps.config.current();
      return {
        credentials: {
          ...(web.basicAuth ? { basicAuth: { username: web.basicAuth.username, password: web.basicAuth.password.reveal() } } : {}),
          ...(web.bearerToken ? { bearerToken: web.bearerToken.reveal() } : {}),
        },
        apiToken: reveal(api.token),
      };
    },
    parseDuration,
    now,
    maxRequestBodyBytes: initial.web.maxRequestBodySize,
    https: initial.web.tls
      ? {
          cert: initial.web.tls.cert,
          key: initial.web.tls.key.reveal(),
          ...(initial.web.tls.clientCa ? { ca: initial.web.tls.clientCa, requestCert: true } : {}),
        }
      : undefined,
  });

  return {
    server,
    start() {
      started = true;
      for (const runtime of runtimes.values()) runtime.poller.start();
    },
    async pollAll() {
      await Promise.all([...runtimes.values()].map((r) => r.poller.pollOnce()));
    },
    reload,
    views: () => [...runtimes.values()].map((r) => r.poller.view),
    history: recorded,
    async close() {
      closing.abort();
      await Promise.all([...runtimes.values()].map(stopCluster));
      await serially(async () => {
        closed = true;
      });
      await clocks.close();
      await server.close();
      await listingDecoder.close();
    },
  };
}
