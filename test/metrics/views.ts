// Small hand-built views for unit tests.

import type { ClusterView, ConnectorStatus, TaskStatus } from '../../src/domain/model.ts';
import type { PollFamily } from '../../src/metrics/catalogue.ts';
import type { RenderedCluster } from '../../src/metrics/render.ts';
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
    connectors: connectors.map((status) => ({ status, observedAt: 1_700_000_000_000 })),
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
