// The exporter's own metrics, held by prom-client: request and restart counters, reload and storage health, build
// information and (switchable) the Node.js process metrics. Callers get typed handles, never the metric objects.
// Every change goes through these handles, so the text of connect-sentinel's own metrics (thousands of series in a
// large fleet: per-cluster requests, per-connector skips) is written again only after a change, not at every
// scrape; the process metrics, which change all the time, are written at every scrape.

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConnectEndpoint } from '../domain/endpoint.ts';
import type { RequestOutcome } from '../connect/transport.ts';
import type { SkipReason, TargetRef } from '../domain/model.ts';
import { AUTORESTART_MODES, METRICS, POLL_ERROR_REASONS, type AutorestartMode, type MetricDefinition, type PollErrorReason } from './catalogue.ts';
import { registryText } from './registry-text.ts';
import type { ExpositionFormat } from './exposition-text.ts';

const GAUGES_NAMED_LIKE_COUNTERS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export interface SelfMetricsOptions {
  /** Register prom-client's default `process_*` and `nodejs_*` metrics. */
  processMetrics: boolean;
  /** connect-sentinel's version, for `kafka_connect_exporter_build_info`. */
  version: string;
  /** Default: the running Node.js version (e.g. `24.9.0`). */
  nodejsVersion?: string;
}

export interface SelfMetrics {
  /** The exposition text of these metrics: connect-sentinel's own in catalogue order, then the process metrics. */
  text(format: ExpositionFormat): Promise<string>;
  /** One HTTP exchange with Kafka Connect (the Connect client's `onRequest`). */
  restRequest(cluster: string, endpoint: ConnectEndpoint, code: RequestOutcome): void;
  /** A poll of the cluster ended, whatever its outcome. */
  poll(cluster: string): void;
  /** A poll that failed, or whose answer was held back as untrusted (see `pollErrorReason`). */
  pollError(cluster: string, reason: PollErrorReason): void;
  /** Auto-restart sent a restart request for the target (count every request, failed ones too). */
  restart(ref: TargetRef): void;
  /** A restart request auto-restart sent failed (counted in addition to `restart`). */
  restartFailure(ref: TargetRef): void;
  /**
   * A failed target auto-restart now watches: its restart counters start at 0, so `increase()` sees its first
   * restart (a counter series born at 1 loses it).
   */
  watchTarget(ref: TargetRef): void;
  skipped(cluster: string, connector: string, reason: SkipReason): void;
  /** The outcome of a config load or reload; the timestamp is kept only as a success timestamp. */
  setConfigReload(successful: boolean, timestampSeconds: number): void;
  setHistoryWritable(writable: boolean): void;
  /** Whether this replica leads, and the group generation it last joined. */
  setLeadership(leading: boolean, generation: number): void;
  /** The auto-restart mode in force (at start and after each reload). */
  setAutorestartMode(mode: AutorestartMode): void;
  /**
   * A cluster starts being watched: whether its worker certificates go unverified (its `tls.insecureSkipVerify`) and
   * its poll interval. Its poll counters are created at 0 (one per error reason), so that `increase()` and `rate()`
   * see its first (failed) poll: a counter series born at 1 loses it.
   */
  watchCluster(cluster: string, settings: { tlsVerificationDisabled: boolean; pollIntervalSeconds: number }): void;
  historyWriteFailure(): void;
  /** Drops the connector's series (it was deleted from Kafka Connect), so counters of gone connectors do not pile up. */
  forgetConnector(cluster: string, connector: string): Promise<void>;
  /** Drops every series of the cluster (it was removed from the config). */
  forgetCluster(cluster: string): Promise<void>;
}

export function createSelfMetrics(options: SelfMetricsOptions): SelfMetrics {
  const registry = new Registry();
  const counter = (definition: MetricDefinition, register = true) =>
    new Counter({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labels,
      registers: register ? [registry] : [],
    });
  const gauge = (definition: MetricDefinition, register = true) =>
    new Gauge({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labels,
      registers: register ? [registry] : [],
    });

  const buildInfo = gauge(METRICS.buildInfo);
  buildInfo.set({ version: options.version, nodejs_version: options.nodejsVersion ?? process.versions.node }, 1);

  const restRequests = counter(METRICS.restRequests);
  const polls = counter(METRICS.polls);
  const pollInterval = gauge(METRICS.pollInterval);
  const pollErrors = counter(METRICS.pollErrors);
  const restarts = counter(METRICS.autorestartRestarts);
  const restartFailures = counter(METRICS.autorestartRestartFailures);
  const skipped = counter(METRICS.autorestartSkipped);
  const historyWriteFailures = counter(METRICS.historyWriteFailures);
  const autorestartMode = gauge(METRICS.autorestartMode);
  const leader = gauge(METRICS.leader);
  const leaderGeneration = gauge(METRICS.leaderGeneration);
  let leadership = '';
  // These have no meaningful value until someone reports one, and a label-less prom-client gauge would say 0:
  // they join the registry at their first value.
  const reloadSuccessful = gauge(METRICS.configReloadSuccessful, false);
  const reloadSuccessTimestamp = gauge(METRICS.configReloadSuccessTimestamp, false);
  const historyWritable = gauge(METRICS.historyWritable, false);
  const registered = new Set<Gauge>();
  const registerOnce = (metric: Gauge) => {
    if (registered.has(metric)) return;
    registered.add(metric);
    registry.registerMetric(metric);
  };

  const processRegistry = new Registry();
  if (options.processMetrics) {
    collectDefaultMetrics({ register: processRegistry });
    // These three are gauges named like counters, which `promtool check metrics` rejects; each is the sum of the
    // per-type gauge beside it (nodejs_active_handles{type} and so on).
    for (const name of GAUGES_NAMED_LIKE_COUNTERS) processRegistry.removeSingleMetric(name);
  }

  /** Bumped by every change made through the handles below: the cached text of an older version is stale. */
  let version = 0;
  const changed = () => {
    version += 1;
  };
  const written = new Map<ExpositionFormat, { version: number; text: string }>();
  const ownText = async (format: ExpositionFormat): Promise<string> => {
    const cached = written.get(format);
    if (cached?.version === version) return cached.text;
    const at = version;
    const text = await registryText(registry, format);
    written.set(format, { version: at, text });
    return text;
  };

  const tlsVerificationDisabled = gauge(METRICS.tlsVerificationDisabled, false);
  const perCluster = [restRequests, polls, pollInterval, pollErrors, restarts, restartFailures, skipped, tlsVerificationDisabled];
  const forget = async (matches: (labels: Partial<Record<string, string | number>>) => boolean) => {
    for (const metric of perCluster) {
      const { values } = await metric.get();
      for (const { labels } of values) if (matches(labels)) metric.remove(labels);
    }
    changed();
  };

  return {
    async text(format) {
      const own = await ownText(format);
      return options.processMetrics ? own + (await registryText(processRegistry, format)) : own;
    },
    restRequest(cluster, endpoint, code) {
      restRequests.inc({ connect_cluster: cluster, endpoint, code });
      changed();
    },
    poll(cluster) {
      polls.inc({ connect_cluster: cluster });
      changed();
    },
    pollError(cluster, reason) {
      pollErrors.inc({ connect_cluster: cluster, reason });
      changed();
    },
    restart(ref) {
      restarts.inc(targetLabels(ref));
      changed();
    },
    restartFailure(ref) {
      restartFailures.inc(targetLabels(ref));
      changed();
    },
    watchTarget(ref) {
      const labels = targetLabels(ref);
      restarts.inc(labels, 0);
      restartFailures.inc(labels, 0);
      changed();
    },
    skipped(cluster, connector, reason) {
      skipped.inc({ connect_cluster: cluster, connector, reason });
      changed();
    },
    setConfigReload(successful, timestampSeconds) {
      changed();
      registerOnce(reloadSuccessful);
      reloadSuccessful.set(successful ? 1 : 0);
      if (successful) {
        registerOnce(reloadSuccessTimestamp);
        reloadSuccessTimestamp.set(timestampSeconds);
      }
    },
    setAutorestartMode(mode) {
      for (const each of AUTORESTART_MODES) autorestartMode.set({ mode: each }, each === mode ? 1 : 0);
      changed();
    },
    setHistoryWritable(writable) {
      changed();
      registerOnce(historyWritable);
      historyWritable.set(writable ? 1 : 0);
    },
    setLeadership(leading, generation) {
      const now = `${leading} ${generation}`;
      if (now === leadership) return;
      leadership = now;
      leader.set(leading ? 1 : 0);
      leaderGeneration.set(generation);
      changed();
    },
    watchCluster(cluster, settings) {
      registerOnce(tlsVerificationDisabled);
      tlsVerificationDisabled.set({ connect_cluster: cluster }, settings.tlsVerificationDisabled ? 1 : 0);
      pollInterval.set({ connect_cluster: cluster }, settings.pollIntervalSeconds);
      polls.inc({ connect_cluster: cluster }, 0);
      for (const reason of POLL_ERROR_REASONS) pollErrors.inc({ connect_cluster: cluster, reason }, 0);
      changed();
    },
    historyWriteFailure() {
      historyWriteFailures.inc();
      changed();
    },
    forgetConnector(cluster, connector) {
      return forget((labels) => labels['connect_cluster'] === cluster && labels['connector'] === connector);
    },
    forgetCluster(cluster) {
      return forget((labels) => labels['connect_cluster'] === cluster);
    },
  };
}

/** A connector target carries no `task` label at all (an empty one would mean the same to Prometheus). */
function targetLabels(ref: TargetRef): Record<string, string> {
  return ref.task === undefined
    ? { connect_cluster: ref.cluster, connector: ref.connector }
    : { connect_cluster: ref.cluster, connector: ref.connector, task: String(ref.task) };
}
