import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectorStatus, StatusPoll } from '../../src/domain/model.ts';
import { ClusterPoller, type ClusterSource, type PollCycle } from '../../src/poller/poller.ts';

function connector(name: string): ConnectorStatus {
  return { name, type: 'source', connectorClass: 'x.Source', state: 'running', workerId: 'w:8083', tasks: [] };
}

/** A scripted cluster: each pollStatus call takes the next response (an Error is thrown). */
function scriptedSource(responses: Array<string[] | Error>) {
  const calls = { pollStatus: 0, getWorkerInfo: 0, getPlugins: 0, isWorkerHealthy: 0 };
  const source: ClusterSource = {
    async pollStatus() {
      const next = responses[calls.pollStatus++] ?? responses.at(-1)!;
      if (next instanceof Error) throw next;
      const poll: StatusPoll = { connectors: next.map(connector), mode: 'expanded', missingStatus: [], workerUrl: 'http://w:8083' };
      return poll;
    },
    async getWorkerInfo() {
      calls.getWorkerInfo++;
      return { version: '3.9.0', commit: 'a60e31147e6b01ee', kafkaClusterId: 'k1' };
    },
    async getPlugins() {
      calls.getPlugins++;
      return [{ class: 'x.Source', type: 'source', version: '1.0' }];
    },
    async isWorkerHealthy() {
      calls.isWorkerHealthy++;
      return undefined;
    },
  };
  return { source, calls };
}

function harness(responses: Array<string[] | Error>, pluginsIntervalMs = 60_000) {
  const lines: Array<{ msg: string; level: number }> = [];
  const logger = pino({ base: null, timestamp: false }, new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  }));
  const { source, calls } = scriptedSource(responses);
  const cycles: PollCycle[] = [];
  let clock = 1_700_000_000_000;
  const poller = new ClusterPoller({
    cluster: 'c1',
    source,
    watches: (name) => !name.startsWith('tmp-'),
    intervalMs: 15_000,
    pluginsIntervalMs,
    now: () => clock,
    monotonicNow: () => clock,
    logger,
    onPoll: (cycle) => {
      cycles.push(cycle);
    },
  });
  const poll = async () => {
    await poller.pollOnce();
    clock += 15_000;
  };
  return { poller, poll, cycles, calls, lines };
}

describe('ClusterPoller', () => {
  it('hands on a view without the connectors the allow/deny lists exclude', async () => {
    const h = harness([['a', 'tmp-1', 'b']]);
    await h.poll();
    expect(h.cycles[0]!.view.connectors.map((c) => c.status.name)).toEqual(['a', 'b']);
    expect(h.cycles[0]!.trusted).toBe(true);
    expect(h.cycles[0]!.view.worker?.version).toBe('3.9.0');
    expect(h.cycles[0]!.view.plugins).toHaveLength(1);
  });

  it('reads the worker version once, and again after an outage', async () => {
    const h = harness([['a'], ['a'], new Error('connect ECONNREFUSED'), ['a'], ['a']]);
    for (let i = 0; i < 5; i++) await h.poll();
    expect(h.calls.getWorkerInfo).toBe(2);
    expect(h.cycles.map((c) => c.view.up)).toEqual([true, true, false, true, true]);
  });

  it('logs an outage once, not once per poll, and logs the recovery', async () => {
    const h = harness([['a'], new Error('boom'), new Error('boom'), new Error('boom'), ['a']]);
    for (let i = 0; i < 5; i++) await h.poll();
    expect(h.lines.filter((l) => l.msg.startsWith('Polling Kafka Connect failed'))).toHaveLength(1);
    expect(h.lines.filter((l) => l.msg === 'Kafka Connect is reachable again')).toHaveLength(1);
  });

  it('polls plugins at their own slower pace', async () => {
    const h = harness([['a']], 45_000);
    for (let i = 0; i < 7; i++) await h.poll();
    // Polls at 0, 15, 30, 45, 60, 75, 90 s: plugins at 0, 45 and 90 s.
    expect(h.calls.getPlugins).toBe(3);
  });

  it('asks /health only when the list shrinks suspiciously', async () => {
    const h = harness([['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd'], []]);
    for (let i = 0; i < 3; i++) await h.poll();
    expect(h.calls.isWorkerHealthy).toBe(1);
    expect(h.cycles[2]!.trusted).toBe(false);
    expect(h.cycles[2]!.view.connectors).toHaveLength(4);
  });

  describe('on its timer', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('polls at once, then once more after interval + phase, then every interval', async () => {
      vi.useFakeTimers();
      const h = scriptedSource([['a']]);
      const polledAt: number[] = [];
      const poller = new ClusterPoller({
        cluster: 'c1', source: h.source, watches: () => true, intervalMs: 1000, phaseMs: 400, pluginsIntervalMs: 60_000,
        now: Date.now, monotonicNow: Date.now,
        logger: pino({ level: 'silent' }), onPoll: (cycle) => void polledAt.push(cycle.polledAt),
      });
      const start = Date.now();
      poller.start();
      await vi.advanceTimersByTimeAsync(3500);
      await poller.stop();
      expect(polledAt.map((at) => at - start)).toEqual([0, 1400, 2400, 3400]);
    });
  });

  it('runs on its timer without overlapping and stops cleanly', async () => {
    const lines: unknown[] = [];
    let polls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const source: ClusterSource = {
      async pollStatus(signal) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        polls++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        if (signal.aborted) throw new Error('aborted');
        return { connectors: [], mode: 'expanded', missingStatus: [], workerUrl: 'x' };
      },
      getWorkerInfo: async () => ({ version: '3.9.0', commit: 'c', kafkaClusterId: 'k' }),
      getPlugins: async () => [],
      isWorkerHealthy: async () => undefined,
    };
    const poller = new ClusterPoller({
      cluster: 'c1', source, watches: () => true, intervalMs: 1, pluginsIntervalMs: 1000,
      now: Date.now, monotonicNow: () => performance.now(),
      logger: pino({ level: 'silent' }), onPoll: () => void lines.push(1),
    });
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await poller.stop();
    const after = polls;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(after).toBeGreaterThan(1);
    expect(polls).toBe(after);
    expect(maxInFlight).toBe(1);
  });
});
