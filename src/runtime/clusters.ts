// The watched clusters: one unit each, started, replaced and stopped as configs are applied.

import type { Logger } from 'pino';
import { sameSettings } from '../config/same-settings.ts';
import type { ClusterConfig } from '../config/schema.ts';
import type { CircuitState, ClusterView } from '../domain/model.ts';
import { ClusterUnit, type ClusterUnitDeps } from './cluster.ts';

export class Clusters {
  readonly #deps: ClusterUnitDeps;
  readonly #units = new Map<string, ClusterUnit>();
  readonly #logger: Logger;
  #started = false;

  constructor(deps: ClusterUnitDeps, clusters: readonly ClusterConfig[]) {
    this.#deps = deps;
    this.#logger = deps.logger;
    // Cluster i of n polls at i/n of its interval after the first round, so that their CPU work does not pile up.
    clusters.forEach((cluster, i) => {
      this.#units.set(cluster.name, new ClusterUnit(deps, cluster, undefined, Math.floor((i * cluster.pollInterval) / clusters.length)));
    });
  }

  /** Stops the clusters no longer wanted, and starts or replaces those whose settings are new. */
  async apply(clusters: readonly ClusterConfig[]): Promise<void> {
    const wanted = new Set(clusters.map((cluster) => cluster.name));
    for (const [name, unit] of this.#units) {
      if (wanted.has(name)) continue;
      this.#units.delete(name);
      await unit.stop();
      this.#deps.exposition.deleteCluster(name);
      await this.#deps.selfMetrics.forgetCluster(name);
      this.#logger.info({ connect_cluster: name }, 'Stopped watching a cluster removed from the config');
    }
    for (const cluster of clusters) {
      const current = this.#units.get(cluster.name);
      if (current && sameSettings(current.config, cluster)) continue;
      if (current) await current.stop();
      const unit = new ClusterUnit(this.#deps, cluster, current);
      this.#units.set(cluster.name, unit);
      if (this.#started) unit.poller.start();
      this.#logger.info({ connect_cluster: cluster.name }, current ? 'Applied new settings for a cluster' : 'Started watching a cluster');
    }
  }

  start(): void {
    this.#started = true;
    for (const unit of this.#units.values()) unit.poller.start();
  }

  async pollAll(): Promise<void> {
    await Promise.all([...this.#units.values()].map((unit) => unit.poller.pollOnce()));
  }

  views(): ClusterView[] {
    return [...this.#units.values()].map((unit) => unit.view);
  }

  viewsByName(): Map<string, ClusterView> {
    return new Map([...this.#units].map(([name, unit]) => [name, unit.view]));
  }

  circuits(): Map<string, CircuitState> {
    return new Map([...this.#units].flatMap(([name, unit]): Array<[string, CircuitState]> => (unit.circuit ? [[name, unit.circuit]] : [])));
  }

  /** Every cluster polled at least once. */
  ready(): boolean {
    return [...this.#units.values()].every((unit) => unit.polled);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#units.values()].map((unit) => unit.stop()));
  }
}
