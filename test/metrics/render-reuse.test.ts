// Rendering a poll by reusing the previous render of the cluster gives exactly the bytes of a render from scratch,
// whatever changed in between, and keeps only what the current view holds.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterView, ConnectorStatus, TaskStatus } from '../../src/domain/model.ts';
import type { PollFamily } from '../../src/metrics/catalogue.ts';
import { renderClusterReusing, type ClusterRender, type RenderOptions } from '../../src/metrics/render.ts';
import { connector, familyBuffers, renderCluster, task, view } from './views.ts';

const FULL: RenderOptions = { dropZeroStates: false };

function joined(render: ClusterRender): Map<PollFamily, string> {
  return new Map([...familyBuffers(render)].map(([family, bytes]) => [family, bytes.toString('latin1')]));
}

function fromScratch(clusterView: ClusterView, options: RenderOptions): Map<PollFamily, string> {
  return new Map([...renderCluster(clusterView, undefined, options).families].map(([family, bytes]) => [family, bytes.toString('latin1')]));
}

/** `count` connectors of 3 tasks. */
function fleet(count: number, prefix = 'connector'): ConnectorStatus[] {
  return Array.from({ length: count }, (_, index) =>
    connector(`${prefix}-${index}`, 'running', [task(0, 'running'), task(1, 'running'), task(2, 'running')]),
  );
}

const name = fc.oneof(
  fc.integer({ min: 0, max: 400 }).map((n) => `connector-${n}`),
  fc.constantFrom('a"b', 'back\\slash', 'line\nfeed', 'lone\ud800', 'lone\udc00', '😀'),
);
const state = fc.constantFrom('running', 'failed', 'paused', 'unassigned', 'restarting', 'stopped', 'unknown');
const failure = fc.option(
  fc.record({ exception: fc.constantFrom('', 'java.io.IOException', 'a"b'), rootCause: fc.constantFrom('', 'x.Y'), trace: fc.string() }),
  { nil: undefined },
);
const taskArb: fc.Arbitrary<TaskStatus> = fc
  .record({ id: fc.nat({ max: 4 }), state, workerId: fc.constantFrom('w1:8083', 'w2:8083'), failure })
  .map(({ failure: f, ...rest }) => ({ ...rest, state: rest.state as TaskStatus['state'], ...(f === undefined ? {} : { failure: f }) }));
const connectorArb: fc.Arbitrary<ConnectorStatus> = fc
  .record({
    name,
    state,
    type: fc.constantFrom('source', 'sink', 'unknown' as const),
    workerId: fc.constantFrom('w1:8083', 'w2:8083'),
    failure,
    tasks: fc.array(taskArb, { maxLength: 4 }),
  })
  .map(({ failure: f, state: s, ...rest }) =>
    connector(rest.name, s, rest.tasks, { type: rest.type, workerId: rest.workerId, ...(f === undefined ? {} : { failure: f }) }),
  );

/** One change between two polls. */
const stepArb = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), connector: connectorArb }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), connector: connectorArb }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 80 }) }),
  fc.record({ kind: fc.constant('task' as const), at: fc.nat(), state }),
  fc.record({ kind: fc.constant('move' as const), from: fc.nat(), to: fc.nat() }),
  fc.record({ kind: fc.constant('mode' as const) }),
  fc.record({ kind: fc.constant('rename-cluster' as const), cluster: fc.constantFrom('prod', 'staging', 'prod\ud800', 'prod\udfff') }),
);
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

interface Poll {
  cluster: string;
  connectors: ConnectorStatus[];
  options: RenderOptions;
}

function apply(poll: Poll, step: Step): Poll {
  const connectors = [...poll.connectors];
  const at = (index: number) => (connectors.length === 0 ? 0 : index % connectors.length);
  switch (step.kind) {
    case 'insert':
      connectors.splice(at(step.at), 0, step.connector);
      break;
    case 'replace':
      if (connectors.length > 0) connectors[at(step.at)] = { ...step.connector, name: connectors[at(step.at)]!.name };
      break;
    case 'delete':
      connectors.splice(at(step.at), step.count);
      break;
    case 'task': {
      const target = connectors[at(step.at)];
      if (target !== undefined && target.tasks.length > 0) {
        const tasks = target.tasks.map((each, index) => (index === 0 ? { ...each, state: step.state as TaskStatus['state'] } : each));
        connectors[at(step.at)] = { ...target, tasks };
      }
      break;
    }
    case 'move': {
      const [moved] = connectors.splice(at(step.from), 1);
      if (moved !== undefined) connectors.splice(at(step.to), 0, moved);
      break;
    }
    case 'mode':
      return { ...poll, connectors, options: { dropZeroStates: !poll.options.dropZeroStates } };
    case 'rename-cluster':
      return { ...poll, connectors, cluster: step.cluster };
  }
  return { ...poll, connectors };
}

describe('renderClusterReusing', () => {
  it('gives exactly the bytes of a render from scratch over any sequence of polls', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }),
        fc.array(fc.array(stepArb, { maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        (size, polls) => {
          let poll: Poll = { cluster: 'prod', connectors: fleet(size), options: FULL };
          let previous: ClusterRender | undefined;
          for (const steps of [[], ...polls]) {
            poll = steps.reduce(apply, poll);
            const current = view(poll.cluster, poll.connectors);
            const render = renderClusterReusing(current, undefined, poll.options, previous);
            expect(joined(render)).toEqual(fromScratch(current, poll.options));
            previous = render;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps the very same Buffers when nothing changed, and only the current connectors', () => {
    const first = renderClusterReusing(view('prod', fleet(1000)), undefined, FULL, undefined);
    // New status objects with the same content, as every poll decodes them.
    const second = renderClusterReusing(view('prod', fleet(1000)), undefined, FULL, first);
    expect(second.connectors.connectors).toHaveLength(1000);
    second.connectors.connectors.forEach((lines, index) => expect(lines.bytes).toBe(first.connectors.connectors[index]!.bytes));
    expect(second.connectors.byName.size).toBe(1000);

    const shrunk = renderClusterReusing(view('prod', fleet(10)), undefined, FULL, second);
    expect(shrunk.connectors.byName.size).toBe(10);
    expect([...shrunk.connectors.byName.keys()]).toEqual(fleet(10).map((each) => each.name));
  });

  it('encodes again only the connector that changed', () => {
    const connectors = fleet(1000);
    const first = renderClusterReusing(view('prod', connectors), undefined, FULL, undefined);
    const changed = connectors.map((each, index) => (index === 500 ? { ...each, state: 'failed' as const } : each));
    const second = renderClusterReusing(view('prod', changed), undefined, FULL, first);
    const encoded = second.connectors.connectors.filter((lines, index) => lines.bytes !== first.connectors.connectors[index]!.bytes);
    expect(encoded.map((lines) => lines.name)).toEqual(['connector-500']);
    expect(encoded[0]?.bytes.toString()).toContain('connector="connector-500",state="failed"} 1\n');
    expect(familyBuffers(second).get('connectorFailureInfo')?.toString()).toEqual(
      'kafka_connect_connector_failure_info{connect_cluster="prod",connector="connector-500",exception="",root_cause=""} 1\n',
    );
  });

  it('renders again from scratch when the state-set mode or the cluster label changes', () => {
    const first = renderClusterReusing(view('prod', fleet(200)), undefined, FULL, undefined);
    const dropped = renderClusterReusing(view('prod', fleet(200)), undefined, { dropZeroStates: true }, first);
    expect(joined(dropped)).toEqual(fromScratch(view('prod', fleet(200)), { dropZeroStates: true }));
    const renamed = renderClusterReusing(view('staging', fleet(200)), undefined, FULL, first);
    expect(familyBuffers(renamed).get('taskInfo')?.toString()).not.toContain('connect_cluster="prod"');
    expect(joined(renamed)).toEqual(fromScratch(view('staging', fleet(200)), FULL));
  });

  it('keeps the first of two connectors whose names encode alike, poll after poll', () => {
    const twins = [connector('x\ud800', 'running'), connector('x\udc00', 'failed')];
    const first = renderClusterReusing(view('prod', twins), undefined, FULL, undefined);
    const swapped = renderClusterReusing(view('prod', [...twins].reverse()), undefined, FULL, first);
    expect(joined(swapped)).toEqual(fromScratch(view('prod', [...twins].reverse()), FULL));
    expect(familyBuffers(swapped).get('connectorState')?.toString()).toContain('state="failed"} 1\n');
  });
});
