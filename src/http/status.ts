// Pure: the JSON of GET /api/v1/status, built from the poller's views. No connector config ever appears here.

import type { ClusterView, ConnectorStatus, Failure } from '../domain/model.ts';

export interface StatusFilter {
  cluster?: string | undefined;
  /** Only connectors that are, or have a task, in this state. */
  state?: string | undefined;
}

function failureJson(failure: Failure | undefined) {
  return failure === undefined
    ? null
    : { exception: failure.exception, rootCause: failure.rootCause, trace: failure.trace };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function matchesState(status: ConnectorStatus, state: string | undefined): boolean {
  if (state === undefined) return true;
  return status.state === state || status.tasks.some((t) => t.state === state);
}

export function statusReport(views: readonly ClusterView[], filter: StatusFilter = {}) {
  return {
    clusters: views
      .filter((view) => filter.cluster === undefined || view.cluster === filter.cluster)
      .map((view) => ({
        name: view.cluster,
        up: view.up,
        lastPollSuccess: iso(view.lastSuccessTimestampSeconds === null ? null : view.lastSuccessTimestampSeconds * 1000),
        pollDurationSeconds: view.pollDurationSeconds,
        worker: view.worker ?? null,
        connectors: view.connectors
          .filter(({ status }) => matchesState(status, filter.state))
          .map(({ status, observedAt, stateSince, taskStateSince }) => ({
            name: status.name,
            type: status.type,
            connectorClass: status.connectorClass,
            state: status.state,
            stateSince: iso(stateSince),
            workerId: status.workerId,
            failure: failureJson(status.failure),
            observedAt: iso(observedAt),
            tasks: status.tasks.map((task, index) => ({
              id: task.id,
              state: task.state,
              stateSince: iso(taskStateSince[index] ?? null),
              workerId: task.workerId,
              failure: failureJson(task.failure),
            })),
          })),
      })),
  };
}
