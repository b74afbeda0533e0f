import { describe, expect, it } from 'vitest';
import { CONNECTOR_STATES, TASK_STATES } from '../../src/domain/model.ts';
import { METRICS, POLL_FAMILIES, type PollFamily } from '../../src/metrics/catalogue.ts';
import { validateExposition } from './validator.ts';
import { connector, familySamples, renderCluster, stateValues, task, view } from './views.ts';

const FULL = { dropZeroStates: false };
const DROP = { dropZeroStates: true };

describe('renderCluster: cluster families', () => {
  it('writes up, duration and the success timestamp', () => {
    const rendered = renderCluster(view('prod', [], { pollDurationSeconds: 0.25, lastSuccessTimestampSeconds: 1_700_000_000.5 }), undefined, FULL);
    expect(rendered.cluster).toBe('prod');
    expect(rendered.families.get('up')?.toString()).toBe('kafka_connect_up{connect_cluster="prod"} 1\n');
    expect(rendered.families.get('pollDuration')?.toString()).toBe('kafka_connect_poll_duration_seconds{connect_cluster="prod"} 0.25\n');
    expect(rendered.families.get('lastPollSuccess')?.toString()).toBe(
      'kafka_connect_last_poll_success_timestamp_seconds{connect_cluster="prod"} 1700000000.5\n',
    );
  });

  it('writes up 0 and no success timestamp before the first success, and no cluster info without a worker', () => {
    const rendered = renderCluster(view('prod', [], { up: false, lastSuccessTimestampSeconds: null }), undefined, FULL);
    expect(familySamples(rendered, 'up').map((sample) => sample.value)).toEqual(['0']);
    expect(rendered.families.has('lastPollSuccess')).toBe(false);
    expect(rendered.families.has('clusterInfo')).toBe(false);
  });

  it('writes cluster info and one plugin series per distinct plugin', () => {
    const rendered = renderCluster(
      view('prod', [], {
        worker: { version: '3.9.0', commit: 'a60e31147e6b01ee', kafkaClusterId: 'abc' },
        plugins: [
          { class: 'org.A', type: 'sink', version: '1.0' },
          { class: 'org.A', type: 'sink', version: '1.0' },
          { class: 'org.A', type: 'sink', version: '2.0' },
        ],
      }),
      undefined,
      FULL,
    );
    expect(familySamples(rendered, 'clusterInfo')).toEqual([
      { name: 'kafka_connect_cluster_info', labels: { connect_cluster: 'prod', version: '3.9.0', commit: 'a60e31147e6b01ee', kafka_cluster_id: 'abc' }, value: '1' },
    ]);
    expect(familySamples(rendered, 'pluginInfo').map((sample) => sample.labels['version'])).toEqual(['1.0', '2.0']);
  });
});

describe('renderCluster: state sets', () => {
  it.each(CONNECTOR_STATES)('gives a %s connector 1 for its state and 0 for the five others', (state) => {
    const samples = familySamples(renderCluster(view('c', [connector('x', state)]), undefined, FULL), 'connectorState');
    expect(stateValues(samples)).toEqual(CONNECTOR_STATES.map((known) => `${known}=${known === state ? 1 : 0}`));
  });

  it.each(TASK_STATES)('gives a %s task 1 for its state and 0 for the four others', (state) => {
    const samples = familySamples(renderCluster(view('c', [connector('x', 'running', [task(0, state)])]), undefined, FULL), 'taskState');
    expect(stateValues(samples)).toEqual(TASK_STATES.map((known) => `${known}=${known === state ? 1 : 0}`));
    expect(samples.every((sample) => sample.labels['task'] === '0' && !('worker_id' in sample.labels))).toBe(true);
  });

  it('gives an unknown state all zeros, and nothing with dropZeroStates', () => {
    const unknown = view('c', [connector('x', 'unknown', [task(0, 'unknown')])]);
    const full = renderCluster(unknown, undefined, FULL);
    expect(familySamples(full, 'connectorState').map((sample) => sample.value)).toEqual(['0', '0', '0', '0', '0', '0']);
    expect(familySamples(full, 'taskState').map((sample) => sample.value)).toEqual(['0', '0', '0', '0', '0']);
    const dropped = renderCluster(unknown, undefined, DROP);
    expect(dropped.families.has('connectorState')).toBe(false);
    expect(dropped.families.has('taskState')).toBe(false);
    // The info series still say the instances exist.
    expect(familySamples(dropped, 'connectorInfo')).toHaveLength(1);
    expect(familySamples(dropped, 'taskInfo')).toHaveLength(1);
  });

  it('writes only the current state with dropZeroStates', () => {
    const rendered = renderCluster(view('c', [connector('x', 'paused', [task(0, 'failed'), task(1, 'running')])]), undefined, DROP);
    expect(stateValues(familySamples(rendered, 'connectorState'))).toEqual(['paused=1']);
    expect(familySamples(rendered, 'taskState').map((sample) => `${sample.labels['task']}:${sample.labels['state']}=${sample.value}`)).toEqual([
      '0:failed=1',
      '1:running=1',
    ]);
  });
});

describe('renderCluster: connectors and tasks', () => {
  it('keeps the worker out of state series and in the info series', () => {
    const rendered = renderCluster(view('c', [connector('x', 'running', [task(3, 'running', { workerId: 'w2:8083' })], { workerId: 'w1:8083' })]), undefined, FULL);
    expect(familySamples(rendered, 'connectorWorkerInfo').map((sample) => sample.labels)).toEqual([
      { connect_cluster: 'c', connector: 'x', worker_id: 'w1:8083' },
    ]);
    expect(familySamples(rendered, 'taskInfo').map((sample) => sample.labels)).toEqual([
      { connect_cluster: 'c', connector: 'x', task: '3', worker_id: 'w2:8083' },
    ]);
    expect(familySamples(rendered, 'connectorInfo').map((sample) => sample.labels)).toEqual([
      { connect_cluster: 'c', connector: 'x', type: 'sink', connector_class: 'io.example.SinkConnector' },
    ]);
  });

  it('writes failure classes only while FAILED, never the trace', () => {
    const failure = { exception: 'org.E', rootCause: 'org.R', trace: 'org.E: secret=hunter2\n\tat x\nCaused by: org.R: boom\n' };
    const rendered = renderCluster(
      view('c', [
        connector('failed', 'failed', [task(0, 'failed', { failure }), task(1, 'running', { failure })], { failure }),
        connector('running-with-stale-trace', 'running', [], { failure }),
      ]),
      undefined,
      FULL,
    );
    expect(familySamples(rendered, 'connectorFailureInfo').map((sample) => sample.labels)).toEqual([
      { connect_cluster: 'c', connector: 'failed', exception: 'org.E', root_cause: 'org.R' },
    ]);
    expect(familySamples(rendered, 'taskFailureInfo').map((sample) => sample.labels)).toEqual([
      { connect_cluster: 'c', connector: 'failed', task: '0', exception: 'org.E', root_cause: 'org.R' },
    ]);
    const everything = [...rendered.families.values()].map(String).join('');
    expect(everything).not.toContain('hunter2');
    expect(everything).not.toContain('boom');
  });

  it('writes a connector without tasks with no task series', () => {
    const rendered = renderCluster(view('c', [connector('x', 'running', [])]), undefined, FULL);
    expect(familySamples(rendered, 'connectorState')).toHaveLength(6);
    expect(rendered.families.has('taskState')).toBe(false);
    expect(rendered.families.has('taskInfo')).toBe(false);
  });

  it('skips a connector named twice and a task id given twice, keeping the first', () => {
    const rendered = renderCluster(
      view('c', [
        connector('x', 'running', [task(2, 'running'), task(1, 'failed'), task(2, 'paused')]),
        connector('x', 'failed'),
        // Distinct in UTF-16, equal once encoded: both lone surrogates become U+FFFD.
        connector('y\ud800', 'running'),
        connector('y\udc00', 'paused'),
      ]),
      undefined,
      FULL,
    );
    expect(familySamples(rendered, 'connectorInfo').map((sample) => sample.labels['connector'])).toEqual(['x', 'y\ufffd']);
    expect(familySamples(rendered, 'taskInfo').map((sample) => sample.labels['task'])).toEqual(['2', '1']);
    expect(stateValues(familySamples(rendered, 'taskState').filter((sample) => sample.labels['task'] === '2'))).toContain('running=1');
  });

  it('escapes every label value', () => {
    const rendered = renderCluster(
      view('clu"ster', [connector('a\\b"c\nd', 'running', [task(0, 'running', { workerId: 'w"\\' })], { connectorClass: 'x\ny' })]),
      undefined,
      FULL,
    );
    const info = familySamples(rendered, 'connectorInfo')[0];
    expect(info?.labels).toEqual({ connect_cluster: 'clu"ster', connector: 'a\\b"c\nd', type: 'sink', connector_class: 'x\ny' });
    expect(familySamples(rendered, 'taskInfo')[0]?.labels['worker_id']).toBe('w"\\');
    expect(rendered.families.get('connectorInfo')?.toString()).toContain('connector="a\\\\b\\"c\\nd"');
  });

  it('gives every family its own lines, each ending in a line feed', () => {
    const rendered = renderCluster(view('c', [connector('x', 'failed', [task(0, 'failed')])], { worker: { version: '1', commit: '2', kafkaClusterId: '3' } }), undefined, FULL);
    for (const [family, bytes] of rendered.families) {
      const text = bytes.toString();
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.slice(0, -1).split('\n')) expect(line.startsWith(`${familyMetricName(family)}{`)).toBe(true);
    }
  });
});

describe('renderCluster: auto-restart', () => {
  it('writes nothing about auto-restart without a restart view', () => {
    const rendered = renderCluster(view('c', [connector('x', 'failed')]), undefined, FULL);
    expect([...rendered.families.keys()].filter((family) => family.startsWith('autorestart'))).toEqual([]);
  });

  it('writes the circuit, exhausted targets and planned attempts, a connector target without a task label', () => {
    const rendered = renderCluster(view('c', []), {
      cluster: 'c',
      circuit: { open: true, failingConnectors: 3, connectors: 4 },
      targets: [
        { ref: { cluster: 'c', connector: 'x' }, exhausted: true, nextAttemptAt: null, decision: { action: 'skip', reason: 'policy_never', rule: 'never "x"' } },
        { ref: { cluster: 'c', connector: 'x', task: 0 }, exhausted: false, nextAttemptAt: 1_700_000_060_500, decision: { action: 'skip', reason: 'backoff', rule: null } },
        { ref: { cluster: 'c', connector: 'y', task: 4 }, exhausted: false, nextAttemptAt: null },
        { ref: { cluster: 'c', connector: 'x' }, exhausted: true, nextAttemptAt: null },
      ],
      lastRestarts: [
        { ref: { cluster: 'c', connector: 'x' }, at: 1_700_000_000_250 },
        { ref: { cluster: 'c', connector: 'y', task: 4 }, at: 1_700_000_030_000 },
        { ref: { cluster: 'c', connector: 'x' }, at: 1_700_000_000_250 },
      ],
    }, FULL);
    expect(familySamples(rendered, 'autorestartCircuitOpen')).toEqual([
      { name: 'kafka_connect_autorestart_circuit_open', labels: { connect_cluster: 'c' }, value: '1' },
    ]);
    expect(familySamples(rendered, 'autorestartExhausted')).toEqual([
      { name: 'kafka_connect_autorestart_exhausted', labels: { connect_cluster: 'c', connector: 'x' }, value: '1' },
    ]);
    expect(familySamples(rendered, 'autorestartNextAttempt')).toEqual([
      {
        name: 'kafka_connect_autorestart_next_attempt_timestamp_seconds',
        labels: { connect_cluster: 'c', connector: 'x', task: '0' },
        value: '1700000060.5',
      },
    ]);
    // The decision of each decided target once, its rule escaped, empty for the defaults.
    expect(familySamples(rendered, 'autorestartLastDecision')).toEqual([
      {
        name: 'kafka_connect_autorestart_last_decision_info',
        labels: { connect_cluster: 'c', connector: 'x', action: 'skip', reason: 'policy_never', rule: 'never "x"' },
        value: '1',
      },
      {
        name: 'kafka_connect_autorestart_last_decision_info',
        labels: { connect_cluster: 'c', connector: 'x', task: '0', action: 'skip', reason: 'backoff', rule: '' },
        value: '1',
      },
    ]);
    // Once per target, a connector without a task label.
    expect(familySamples(rendered, 'autorestartLastRestart')).toEqual([
      { name: 'kafka_connect_autorestart_last_restart_timestamp_seconds', labels: { connect_cluster: 'c', connector: 'x' }, value: '1700000000.25' },
      { name: 'kafka_connect_autorestart_last_restart_timestamp_seconds', labels: { connect_cluster: 'c', connector: 'y', task: '4' }, value: '1700000030' },
    ]);
  });

  it('writes a closed circuit as 0', () => {
    const rendered = renderCluster(view('c', []), { cluster: 'c', circuit: { open: false, failingConnectors: 0, connectors: 0 }, targets: [], lastRestarts: [] }, FULL);
    expect(familySamples(rendered, 'autorestartCircuitOpen').map((sample) => sample.value)).toEqual(['0']);
  });
});

describe('renderCluster: output', () => {
  it('is a valid exposition once headers are added, for every family', () => {
    const rendered = renderCluster(
      view('c', [connector('x', 'failed', [task(0, 'failed'), task(1, 'restarting')])], {
        worker: { version: '1', commit: '2', kafkaClusterId: '3' },
        plugins: [{ class: 'a', type: 'sink', version: '' }],
      }),
      {
        cluster: 'c',
        circuit: { open: false, failingConnectors: 0, connectors: 0 },
        targets: [
          {
            ref: { cluster: 'c', connector: 'x', task: 0 },
            exhausted: true,
            nextAttemptAt: 1,
            decision: { action: 'skip', reason: 'budget_exhausted', rule: null },
          },
        ],
        lastRestarts: [{ ref: { cluster: 'c', connector: 'x', task: 0 }, at: 0 }],
      },
      FULL,
    );
    expect([...rendered.families.keys()]).toEqual(POLL_FAMILIES);
    const body = POLL_FAMILIES.map((family) => `# TYPE ${familyMetricName(family)} gauge\n${rendered.families.get(family)?.toString() ?? ''}`).join('');
    expect(validateExposition(body, 'prometheus')).toEqual([]);
  });
});

function familyMetricName(family: PollFamily): string {
  return METRICS[family].name;
}
