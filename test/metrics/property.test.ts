// Property: whatever a cluster holds (any strings for names, worker ids, classes and versions, any numbers, any
// states, repeated names and ids), the exposition is valid in both formats and has the series counts the docs state.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONNECTOR_STATES,
  TASK_STATES,
  firstObserved,
  type ClusterRestartView,
  type ClusterView,
  type ConnectorStatus,
  type TaskStatus,
} from '../../src/domain/model.ts';
import { Exposition } from '../../src/metrics/exposition.ts';
import { createSelfMetrics } from '../../src/metrics/self.ts';
import { escapeLabelValue } from '../../src/metrics/exposition-text.ts';
import { promtoolCheckMetrics, promtoolParseOpenMetrics } from './promtool.ts';
import { samplesOf, validateExposition } from './validator.ts';
import { plainBody } from './bodies.ts';
import { renderFresh } from './views.ts';

/** Any text, weighted towards what breaks expositions: quotes, backslashes, line feeds, lone surrogates. */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom('"', '\\', '\n', '\r', '\t', '{', '}', ',', '=', ' ', '#', '\u0000', '\ud800', '\udfff', '😀'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});
const anyNumber = fc.double();
const connectorState = fc.constantFrom(...CONNECTOR_STATES, 'unknown' as const);
const taskState = fc.constantFrom(...TASK_STATES, 'unknown' as const);
const failure = fc.option(fc.record({ exception: text, rootCause: text, trace: text }), { nil: undefined });

const taskArb: fc.Arbitrary<TaskStatus> = fc
  .record({ id: fc.nat({ max: 20 }), state: taskState, workerId: text, failure })
  .map(({ failure: f, ...task }) => (f === undefined ? task : { ...task, failure: f }));

const connectorArb: fc.Arbitrary<ConnectorStatus> = fc
  .record({
    name: text,
    type: fc.constantFrom('source', 'sink', 'unknown' as const),
    connectorClass: text,
    state: connectorState,
    workerId: text,
    failure,
    tasks: fc.array(taskArb, { maxLength: 4 }),
  })
  .map(({ failure: f, ...status }) => (f === undefined ? status : { ...status, failure: f }));

const viewArb: fc.Arbitrary<ClusterView> = fc
  .record({
    cluster: text,
    up: fc.boolean(),
    pollDurationSeconds: anyNumber,
    lastSuccessTimestampSeconds: fc.option(anyNumber, { nil: null }),
    worker: fc.option(fc.record({ version: text, commit: text, kafkaClusterId: text }), { nil: undefined }),
    plugins: fc.array(fc.record({ class: text, type: text, version: text }), { maxLength: 3 }),
    connectors: fc.array(connectorArb, { maxLength: 5 }),
  })
  .map(({ worker, connectors, ...view }) => ({
    ...view,
    ...(worker === undefined ? {} : { worker }),
    connectors: connectors.map((status) => firstObserved(status, 0)),
  }));

const clusterArb = fc
  .tuple(
    viewArb,
    fc.option(
      fc.record({
        circuitOpen: fc.boolean(),
        targets: fc.array(
          fc.record({
            connector: text,
            task: fc.option(fc.nat({ max: 5 }), { nil: undefined }),
            exhausted: fc.boolean(),
            nextAttemptAt: fc.option(anyNumber, { nil: null }),
          }),
          { maxLength: 4 },
        ),
      }),
      { nil: undefined },
    ),
  )
  .map(([view, restart]): { view: ClusterView; restart: ClusterRestartView | undefined } => ({
    view,
    restart:
      restart === undefined
        ? undefined
        : {
            cluster: view.cluster,
            circuit: { open: restart.circuitOpen, failingConnectors: 0, connectors: 0 },
            targets: restart.targets.map(({ connector, task, exhausted, nextAttemptAt }) => ({
              ref: task === undefined ? { cluster: view.cluster, connector } : { cluster: view.cluster, connector, task },
              exhausted,
              nextAttemptAt,
            })),
            // Repeats included: a view may name a target twice, and the render must still be valid.
            lastRestarts: restart.targets
              .filter(({ nextAttemptAt }) => nextAttemptAt !== null)
              .map(({ connector, task, nextAttemptAt }) => ({
                ref: task === undefined ? { cluster: view.cluster, connector } : { cluster: view.cluster, connector, task },
                at: nextAttemptAt! - 60_000,
              })),
          },
  }));

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({ clusters: fc.array(clusterArb, { minLength: 1, maxLength: 3 }), dropZeroStates: fc.boolean() });

interface Scenario {
  clusters: Array<{ view: ClusterView; restart: ClusterRestartView | undefined }>;
  dropZeroStates: boolean;
}

async function render(scenario: Scenario) {
  const self = createSelfMetrics({ processMetrics: false, version: '0.0.0', nodejsVersion: '24.9.0' });
  const exposition = new Exposition(self);
  for (const { view, restart } of scenario.clusters) {
    exposition.setCluster(renderFresh(view, restart, { dropZeroStates: scenario.dropZeroStates }));
  }
  return {
    prometheus: (await plainBody(exposition, 'prometheus')).body,
    openmetrics: (await plainBody(exposition, 'openmetrics')).body,
  };
}

/** What the renderer keeps of a view: the first connector of each (encoded) name, the first task of each id. */
function expectedStateSeries(scenario: Scenario): { connectors: number; tasks: number } {
  // A later setCluster of the same name replaces the earlier one.
  const last = new Map(scenario.clusters.map((cluster) => [escapeLabelValue(cluster.view.cluster), cluster.view]));
  let connectors = 0;
  let tasks = 0;
  for (const view of last.values()) {
    const names = new Set<string>();
    for (const { status } of view.connectors) {
      const name = escapeLabelValue(status.name);
      if (names.has(name)) continue;
      names.add(name);
      const counted = (state: string, states: readonly string[]) =>
        scenario.dropZeroStates ? (states.includes(state) ? 1 : 0) : states.length;
      connectors += counted(status.state, CONNECTOR_STATES);
      const ids = new Set<number>();
      for (const task of status.tasks) {
        if (ids.has(task.id)) continue;
        ids.add(task.id);
        tasks += counted(task.state, TASK_STATES);
      }
    }
  }
  return { connectors, tasks };
}

describe('any view renders a valid exposition', () => {
  it('passes the strict validator in both formats', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const { prometheus, openmetrics } = await render(scenario);
        expect(validateExposition(prometheus, 'prometheus')).toEqual([]);
        expect(validateExposition(openmetrics, 'openmetrics')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('has the documented number of state series', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const samples = samplesOf((await render(scenario)).prometheus);
        const count = (name: string) => samples.filter((sample) => sample.name === name).length;
        const expected = expectedStateSeries(scenario);
        expect({ connectors: count('kafka_connect_connector_state'), tasks: count('kafka_connect_task_state') }).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('passes promtool (Prometheus text and OpenMetrics parsers) on a sample of generated views', async () => {
    for (const scenario of fc.sample(scenarioArb, { numRuns: 6, seed: 20241124 })) {
      const { prometheus, openmetrics } = await render(scenario);
      expect(promtoolCheckMetrics(prometheus)).toEqual({ status: 0, output: '' });
      expect(promtoolParseOpenMetrics(openmetrics)).toEqual({ status: 0, output: '' });
    }
  });
});
