// Small hand-built views for unit tests.

import { firstObserved, type ClusterRestartView, type ClusterView, type ConnectorStatus, type TaskStatus } from '../../src/domain/model.ts';
import { POLL_FAMILIES, type PollFamily } from '../../src/metrics/catalogue.ts';
import { familyRanges, renderClusterReusing, type ClusterRender, type RenderOptions } from '../../src/metrics/render.ts';
import { samplesOf, type Sample } from './validator.ts';

export function task(id: number, state: string, extra: Partial<TaskStatus> = {}): TaskStatus {
  return { id, state: state as TaskStatus['state'], workerId: 'worker-1:8083', ...extra };
}

export function connector(name: string, state: string, tasks: TaskStatus[] = [], extra: Partial<ConnectorStatus> = {}): ConnectorStatus {
  return {
    name,
    type: 'sink',
    connectorClass: 'io.example.SinkConnector',
    state: state as ConnectorStatus['state'],
    workerId: 'worker-1:8083',
    tasks,
    ...extra,
  };
}

export function view(cluster: string, connectors: ConnectorStatus[], extra: Partial<ClusterView> = {}): ClusterView {
  return {
    cluster,
    up: true,
    pollDurationSeconds: 0.5,
    lastSuccessTimestampSeconds: 1_700_000_000,
    plugins: [],
    connectors: connectors.map((status) => firstObserved(status, 1_700_000_000_000)),
    ...extra,
  };
}

export function familySamples(rendered: RenderedCluster, family: PollFamily): Sample[] {
  const bytes = rendered.families.get(family);
  return bytes === undefined ? [] : samplesOf(bytes);
}

/** `state=value` pairs of the state-set samples of one instance, e.g. ['running=1', 'failed=0', …]. */
export function stateValues(samples: Sample[]): string[] {
  return samples.map((sample) => `${sample.labels['state']}=${sample.value}`);
}

/** A render from scratch, as the exposition takes it (no earlier render to reuse). */
export function renderFresh(view: ClusterView, restart: ClusterRestartView | undefined, options: RenderOptions): ClusterRender {
  return renderClusterReusing(view, restart, options, undefined);
}

/** A render with each family's lines joined into one Buffer, for reading one family at a time. */
export interface RenderedCluster {
  readonly cluster: string;
  /** Per family with samples: its sample lines (no HELP/TYPE), each ending in `\n`, as UTF-8. */
  readonly families: ReadonlyMap<PollFamily, Buffer>;
}

/** Renders the cluster from scratch, each family joined into one Buffer. */
export function renderCluster(view: ClusterView, restart: ClusterRestartView | undefined, options: RenderOptions): RenderedCluster {
  return { cluster: view.cluster, families: familyBuffers(renderFresh(view, restart, options)) };
}

/** Each family with lines, in catalogue order: its lines joined into one Buffer. */
export function familyBuffers(render: ClusterRender): Map<PollFamily, Buffer> {
  const families = new Map<PollFamily, Buffer>();
  for (const family of POLL_FAMILIES) {
    // Each range is read before the next: the generator yields one object again and again.
    const ranges = Array.from(familyRanges(render, family), ({ bytes, start, end }) => bytes.subarray(start, end));
    if (ranges.length > 0) families.set(family, Buffer.concat(ranges));
  }
  return families;
}

/** A render that counts how often its cluster-wide lines are read: once per family by each compression or join. */
export function countingReads(rendered: ClusterRender): { rendered: ClusterRender; reads: () => number } {
  let reads = 0;
  const lines = new Map(rendered.lines);
  const get = lines.get.bind(lines);
  lines.get = (family: PollFamily) => {
    reads += 1;
    return get(family);
  };
  return { rendered: { ...rendered, lines }, reads: () => reads };
}
