import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeConnectorInfo,
  decodeConnectorListing,
  decodeConnectorStatus,
  decodeErrorBody,
  decodeHealth,
  decodePlugins,
  decodeRestartPlan,
  decodeTaskStatus,
  decodeWorkerInfo,
  MAX_KEPT_TRACE_LENGTH,
  parseJsonBody,
} from '../../src/connect/decode.ts';
import { CONNECTOR_STATES, TASK_STATES } from '../../src/domain/model.ts';
import { ConnectDecodeError, isSentinelError } from '../../src/errors.ts';

const TRACE = 'org.apache.kafka.connect.errors.ConnectException: boom\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException: x\n';

function status(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'c1',
    connector: { state: 'RUNNING', worker_id: 'w1:8083' },
    tasks: [{ id: 0, state: 'RUNNING', worker_id: 'w1:8083' }],
    type: 'sink',
    ...overrides,
  };
}

function decodeProblem(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectDecodeError);
    return (err as ConnectDecodeError).problem;
  }
  throw new Error('expected a decode error');
}

describe('decodeConnectorListing', () => {
  it('rejects a body of the wrong overall shape, naming what and where', () => {
    expect(decodeProblem(() => decodeConnectorListing('oops'))).toBe(
      'expected an object or an array at the top level, got string',
    );
    expect(decodeProblem(() => decodeConnectorListing(null))).toBe(
      'expected an object or an array at the top level, got null',
    );
    const err = (() => {
      try {
        decodeConnectorListing(42);
      } catch (e) {
        return e;
      }
    })();
    expect(isSentinelError(err, 'CS_ERR_CONNECT_DECODE')).toBe(true);
  });

  it('reads a plain array of names (before 2.3), deduplicated and sorted, counting invalid entries', () => {
    expect(decodeConnectorListing(['b', 'a', 'b', 7, null, { x: 1 }])).toEqual({
      kind: 'names',
      names: ['7', 'a', 'b'],
      invalidEntries: 2,
    });
  });

  it('decodes the expanded map independent of key order, keeping only connector.class from the config', () => {
    const listing = decodeConnectorListing({
      zeta: {
        info: {
          type: 'sink',
          tasks: [],
          config: { 'connection.password': 'hunter2', 'connector.class': 'io.example.ZetaSink', name: 'zeta' },
          name: 'zeta',
        },
        status: {
          type: 'sink',
          tasks: [
            { worker_id: 'w2:8083', trace: TRACE, id: 1, state: 'FAILED' },
            { state: 'RUNNING', id: 0, worker_id: 'w1:8083' },
          ],
          connector: { worker_id: 'w1:8083', state: 'RUNNING' },
          name: 'zeta',
        },
      },
      alpha: { status: status({ name: 'alpha' }), info: null },
    });
    expect(listing).toEqual({
      kind: 'expanded',
      connectors: [
        {
          name: 'alpha',
          type: 'sink',
          connectorClass: '',
          state: 'running',
          workerId: 'w1:8083',
          tasks: [{ id: 0, state: 'running', workerId: 'w1:8083' }],
        },
        {
          name: 'zeta',
          type: 'sink',
          connectorClass: 'io.example.ZetaSink',
          state: 'running',
          workerId: 'w1:8083',
          tasks: [
            { id: 0, state: 'running', workerId: 'w1:8083' },
            {
              id: 1,
              state: 'failed',
              workerId: 'w2:8083',
              failure: {
                exception: 'org.apache.kafka.connect.errors.ConnectException',
                rootCause: 'java.io.IOException',
                trace: TRACE,
              },
            },
          ],
        },
      ],
      missing: [],
    });
    expect(JSON.stringify(listing)).not.toContain('hunter2');
  });

  it('reports entries without a status as missing instead of dropping them', () => {
    const listing = decodeConnectorListing({
      a: { status: status({ name: 'a' }) },
      b: {},
      c: { status: null, info: { name: 'c' } },
    });
    expect(listing.kind).toBe('expanded');
    if (listing.kind !== 'expanded') return;
    expect(listing.connectors.map((c) => c.name)).toEqual(['a']);
    expect(listing.missing).toEqual([
      { name: 'b', reason: 'no status at $["b"]', malformed: false },
      { name: 'c', reason: 'no status at $["c"]', malformed: false },
    ]);
  });

  it('one malformed entry does not sink the others; the reason says what and where', () => {
    const listing = decodeConnectorListing({
      good: { status: status({ name: 'good' }) },
      notObject: 'x',
      noConnector: { status: { name: 'noConnector', tasks: [] } },
      badTasks: { status: status({ tasks: { 0: {} } }) },
      badTaskId: { status: status({ tasks: [{ id: 'one', state: 'RUNNING' }] }) },
      duplicate: { status: status({ tasks: [{ id: 1 }, { id: 1 }] }) },
    });
    if (listing.kind !== 'expanded') throw new Error('expected the expanded shape');
    expect(listing.connectors.map((c) => c.name)).toEqual(['good']);
    expect(listing.missing).toEqual([
      { name: 'badTaskId', reason: 'expected a non-negative integer at $["badTaskId"].status.tasks[0].id, got string', malformed: true },
      { name: 'badTasks', reason: 'expected an array at $["badTasks"].status.tasks, got object', malformed: true },
      { name: 'duplicate', reason: 'duplicate task id 1 in $["duplicate"].status.tasks', malformed: true },
      { name: 'noConnector', reason: 'expected an object at $["noConnector"].status.connector, got nothing', malformed: true },
      { name: 'notObject', reason: 'expected an object at $["notObject"], got string', malformed: true },
    ]);
  });

  it('takes the connector type from info when the status has none', () => {
    const listing = decodeConnectorListing({
      a: { status: status({ name: 'a', type: undefined }), info: { name: 'a', type: 'source', config: {} } },
    });
    if (listing.kind !== 'expanded') throw new Error('expected the expanded shape');
    expect(listing.connectors[0]?.type).toBe('source');
  });
});

describe('decodeConnectorStatus', () => {
  it('maps states case-insensitively and unknown ones to "unknown"; STOPPED only for connectors', () => {
    const decoded = decodeConnectorStatus(
      status({
        connector: { state: 'STOPPED', worker_id: 'w' },
        tasks: [
          { id: 0, state: 'STOPPED' },
          { id: 1, state: 'DESTROYED' },
          { id: 2, state: 'restarting' },
          { id: 3, state: 42 },
          { id: 4 },
        ],
      }),
    );
    expect(decoded.state).toBe('stopped');
    expect(decoded.tasks.map((t) => t.state)).toEqual(['unknown', 'unknown', 'restarting', 'unknown', 'unknown']);
  });

  it('tolerates missing fields, numbers where strings belong and string task ids', () => {
    const decoded = decodeConnectorStatus({ name: 12, connector: { state: 'FAILED', worker_id: 8083 }, tasks: [{ id: '3', worker_id: null }] });
    expect(decoded).toEqual({
      name: '12',
      type: 'unknown',
      connectorClass: '',
      state: 'failed',
      workerId: '8083',
      tasks: [{ id: 3, state: 'unknown', workerId: '' }],
    });
  });

  it('treats a missing task list as no tasks', () => {
    expect(decodeConnectorStatus(status({ tasks: undefined })).tasks).toEqual([]);
  });

  it('prefers the name that was asked for and applies the given class', () => {
    const decoded = decodeConnectorStatus(status({ name: 'other' }), { name: 'asked', connectorClass: 'x.Y' });
    expect(decoded.name).toBe('asked');
    expect(decoded.connectorClass).toBe('x.Y');
  });

  it('requires a name when none was asked for', () => {
    expect(decodeProblem(() => decodeConnectorStatus(status({ name: undefined })))).toBe(
      'expected a string at $.name, got nothing',
    );
  });

  it('keeps a failure with classes on a connector-level trace, and ignores empty or non-string traces', () => {
    const decoded = decodeConnectorStatus(
      status({
        connector: { state: 'FAILED', worker_id: 'w', trace: TRACE },
        tasks: [
          { id: 0, state: 'FAILED', trace: '' },
          { id: 1, state: 'FAILED', trace: 17 },
        ],
      }),
    );
    expect(decoded.failure?.exception).toBe('org.apache.kafka.connect.errors.ConnectException');
    expect(decoded.failure?.rootCause).toBe('java.io.IOException');
    expect(decoded.tasks.every((t) => t.failure === undefined)).toBe(true);
  });

  it('truncates a huge trace but parses its classes first', () => {
    const huge = `a.Top: x\n${'\tat a.B.c(B.java:1)\n'.repeat(20_000)}Caused by: b.Root: y\n`;
    const decoded = decodeTaskStatus({ id: 0, state: 'FAILED', trace: huge });
    expect(decoded.failure?.exception).toBe('a.Top');
    expect(decoded.failure?.rootCause).toBe('b.Root');
    expect(decoded.failure?.trace.length).toBeLessThan(MAX_KEPT_TRACE_LENGTH + 100);
    expect(decoded.failure?.trace.startsWith('a.Top: x\n')).toBe(true);
  });
});

describe('other decoders', () => {
  it('decodes a restart plan with RESTARTING entries that keep their trace, sorted by id', () => {
    const plan = decodeRestartPlan(
      status({
        connector: { state: 'RESTARTING', worker_id: 'w' },
        tasks: [
          { id: 2, state: 'RUNNING', worker_id: 'w' },
          { id: 0, state: 'RESTARTING', worker_id: 'w', trace: TRACE },
        ],
      }),
      'c1',
    );
    expect(plan.state).toBe('restarting');
    expect(plan.tasks.map((t) => [t.id, t.state, t.failure?.rootCause])).toEqual([
      [0, 'restarting', 'java.io.IOException'],
      [2, 'running', undefined],
    ]);
  });

  it('decodes connector info keeping only name, type and connector.class', () => {
    const info = decodeConnectorInfo({
      name: 'c',
      type: 'source',
      tasks: [],
      config: { 'connector.class': 'x.Source', 'database.password': 'hunter2' },
    });
    expect(info).toEqual({ name: 'c', type: 'source', connectorClass: 'x.Source' });
    expect(decodeConnectorInfo({ name: 'c', config: null })).toEqual({ name: 'c', type: 'unknown', connectorClass: '' });
  });

  it('decodes worker info before 1.1 (no kafka_cluster_id)', () => {
    expect(decodeWorkerInfo({ version: '1.0.1', commit: 'c0ffee' })).toEqual({
      version: '1.0.1',
      commit: 'c0ffee',
      kafkaClusterId: '',
    });
    expect(decodeProblem(() => decodeWorkerInfo([]))).toBe('expected an object at the top level, got array');
  });

  it('decodes plugins, skipping entries without a class and defaulting a left-out version', () => {
    expect(decodePlugins([{ class: 'a.B', type: 'sink' }, { type: 'source' }, 'x', { class: 'c.D', type: 'source', version: '1' }])).toEqual([
      { class: 'a.B', type: 'sink', version: '' },
      { class: 'c.D', type: 'source', version: '1' },
    ]);
    expect(decodeProblem(() => decodePlugins({}))).toBe('expected an array at the top level, got object');
  });

  it('decodes health reports', () => {
    expect(decodeHealth({ status: 'starting', message: 'Worker is still starting up.' })).toEqual({
      status: 'starting',
      message: 'Worker is still starting up.',
    });
    expect(decodeHealth({ status: 'dazed' })).toEqual({ status: 'unknown', message: '' });
  });

  it('decodes Connect error bodies, including message null, and refuses everything else', () => {
    expect(decodeErrorBody('{"error_code":404,"message":"Connector x not found"}')).toEqual({
      errorCode: 404,
      message: 'Connector x not found',
    });
    expect(decodeErrorBody('{"error_code":500,"message":null}')).toEqual({ errorCode: 500, message: null });
    expect(decodeErrorBody('User cannot access the resource.')).toBeUndefined();
    expect(decodeErrorBody('<html><body>404</body></html>')).toBeUndefined();
    expect(decodeErrorBody('{"status":"unhealthy"}')).toBeUndefined();
    expect(decodeErrorBody('')).toBeUndefined();
  });

  it('parses JSON bodies without ever quoting them in the error', () => {
    expect(parseJsonBody(' [1] ')).toEqual([1]);
    const problem = decodeProblem(() => parseJsonBody('User cannot access the resource. password=hunter2'));
    expect(problem).toBe('the body is not JSON');
    expect(decodeProblem(() => parseJsonBody(''))).toBe('the body is empty, expected JSON');
  });
});

describe('decoder properties', () => {
  const decoders = [
    decodeConnectorListing,
    (body: unknown) => decodeConnectorStatus(body),
    decodeTaskStatus,
    decodeWorkerInfo,
    decodePlugins,
    decodeHealth,
    decodeConnectorInfo,
    (body: unknown) => decodeRestartPlan(body, 'x'),
  ];

  // Values shaped like Connect's, with random holes and wrong types, so decoders get past their first check.
  const wireValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom('RUNNING', 'FAILED', 'STOPPED', 'sink', 'source', TRACE, '', '3'),
      fc.integer({ min: -2, max: 5 }),
      fc.constant(null),
      fc.boolean(),
      fc.string(),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(
        fc.constantFrom('name', 'connector', 'tasks', 'state', 'worker_id', 'id', 'trace', 'type', 'status', 'info', 'config', 'connector.class', 'version', 'class', '__proto__'),
        tie('value'),
        { maxKeys: 5 },
      ),
    ),
  })).value;

  it('property: no input throws anything but a CS_ERR_CONNECT_DECODE SentinelError', () => {
    fc.assert(
      fc.property(wireValue, (body) => {
        for (const decode of decoders) {
          try {
            decode(body);
          } catch (err) {
            expect(isSentinelError(err, 'CS_ERR_CONNECT_DECODE')).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('property: decoded statuses only carry known states, sorted unique task ids and class-shaped failures', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }), wireValue, { maxKeys: 4 }), (body) => {
        const listing = decodeConnectorListing(body);
        if (listing.kind !== 'expanded') return;
        expect(listing.connectors.length + listing.missing.length).toBe(Object.keys(body).length);
        for (const connector of listing.connectors) {
          expect([...CONNECTOR_STATES, 'unknown']).toContain(connector.state);
          const ids = connector.tasks.map((t) => t.id);
          expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
          for (const task of connector.tasks) expect([...TASK_STATES, 'unknown']).toContain(task.state);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('property: arbitrary text bodies parse or fail with a decode error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          decodeConnectorListing(parseJsonBody(text));
        } catch (err) {
          expect(isSentinelError(err, 'CS_ERR_CONNECT_DECODE')).toBe(true);
        }
        const errorBody = decodeErrorBody(text);
        if (errorBody !== undefined) expect(Number.isInteger(errorBody.errorCode)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
