import { afterEach, describe, expect, it } from 'vitest';
import { Faults } from '../src/faults.ts';
import { Herder, javaInstant } from '../src/herder.ts';
import { startSimulator, type Simulator, type SimulatorOptions } from '../src/index.ts';
import { kafkaProfile } from '../src/version.ts';
import { call, get, json } from './http.ts';

const JDBC_SINK = 'io.confluent.connect.jdbc.JdbcSinkConnector';
/** 2024-10-25T12:40:00Z, then 2024-10-25T12:40:00.250Z. */
const T0 = Date.UTC(2024, 9, 25, 12, 40, 0);

describe('faults', () => {
  let sim: Simulator;
  let now = T0;
  afterEach(() => sim.close());

  async function start(options: SimulatorOptions = {}): Promise<Simulator> {
    now = T0;
    sim = await startSimulator({ clock: { now: () => now }, queuedTimeoutMs: 20, healthTimeoutMs: 20, ...options });
    sim.cluster.load([
      { name: 'a', connectorClass: JDBC_SINK, tasks: 2 },
      { name: 'b', connectorClass: JDBC_SINK, tasks: 1 },
      { name: 'c', connectorClass: JDBC_SINK, tasks: 1 },
    ]);
    return sim;
  }

  describe('rebalance', () => {
    it('gives 409 on restarts and, from 3.5, 500 on the queued GETs; local endpoints answer', async () => {
      await start({ version: '3.9.0' });
      sim.faults.rebalance = true;
      const stale = { error_code: 409, message: 'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)' };
      expect(json(await call(sim, 'POST', '/connectors/a/restart'))).toEqual(stale);
      expect(json(await call(sim, 'POST', '/connectors/a/restart?includeTasks=true'))).toEqual(stale);
      expect(json(await call(sim, 'POST', '/connectors/a/tasks/0/restart'))).toEqual(stale);
      const expected = { error_code: 500, message: 'Request cannot be completed because a rebalance is expected' };
      for (const path of ['/connectors/a', '/connectors/a/config', '/connectors/a/tasks']) {
        expect(json(await get(sim, path))).toEqual(expected);
      }
      expect((await get(sim, '/connectors/a/status')).status).toBe(200);
      expect((await get(sim, '/connectors?expand=status')).status).toBe(200);
      expect((await call(sim, 'PUT', '/connectors/a/pause')).status).toBe(202);
      sim.faults.rebalance = false;
      expect((await get(sim, '/connectors/a')).status).toBe(200);
    });

    it('gives 409 on the GETs before 3.5, and on the list before 2.3', async () => {
      await start({ version: '3.4.1' });
      sim.faults.rebalance = true;
      expect((await get(sim, '/connectors/a/config')).status).toBe(409);
      await sim.close();
      await start({ version: '2.2.2' });
      sim.faults.rebalance = true;
      expect(json(await get(sim, '/connectors'))).toMatchObject({ error_code: 409 });
    });
  });

  describe('blocked herder', () => {
    it('times queued requests out with the stage from 3.7, and lets local ones through', async () => {
      await start({ version: '3.9.0' });
      sim.faults.herderStage = 'stopping connector a';
      sim.faults.herderBlocked = true;
      const reply = await get(sim, '/connectors/a');
      expect(reply.status).toBe(500);
      expect(json(reply)).toEqual({
        error_code: 500,
        message: 'Request timed out. The worker is currently stopping connector a, which began at 2024-10-25T12:40:00Z.',
      });
      expect((await get(sim, '/connectors/a/status')).status).toBe(200);
      expect((await get(sim, '/connectors')).status).toBe(200);
      expect((await call(sim, 'POST', '/connectors/a/restart')).status).toBe(500);
    });

    it('says only "Request timed out" before 3.7', async () => {
      await start({ version: '3.6.2' });
      sim.faults.herderBlocked = true;
      expect(json(await get(sim, '/connectors/a/tasks'))).toEqual({ error_code: 500, message: 'Request timed out' });
    });

    it('makes /health answer 500 unhealthy with the stage (3.9+)', async () => {
      await start({ version: '3.9.0' });
      now = T0 + 250;
      sim.faults.herderBlocked = true;
      const reply = await get(sim, '/health');
      expect(reply.status).toBe(500);
      expect(reply.headers['content-type']).toBe('application/json');
      expect(json(reply)).toEqual({
        status: 'unhealthy',
        message:
          'Worker was unable to handle this request and may be unable to handle other requests. The worker is currently ensuring membership in the cluster, which began at 2024-10-25T12:40:00.250Z.',
      });
      sim.faults.herderBlocked = false;
      expect(json(await get(sim, '/health'))).toEqual({
        status: 'healthy',
        message: 'Worker has completed startup and is ready to handle requests.',
      });
    });

    it('lets waiting requests through as soon as it is free again, and carries out the ones it timed out', async () => {
      const faults = new Faults({ now: () => T0 }, { changed: () => herder.wake() });
      const herder = new Herder(faults, kafkaProfile('3.9.0'));
      const done: string[] = [];
      const work = (name: string) => () => {
        done.push(name);
        return `${name} done`;
      };
      const timedOut = () => 'timed out';
      faults.herderBlocked = true;
      const waiting = herder.run(60_000, work('waiting'), timedOut);
      const impatient = herder.run(1, work('impatient'), timedOut);
      expect(await impatient).toBe('timed out');
      expect(done).toEqual([]);
      faults.herderBlocked = false;
      expect(await waiting).toBe('waiting done');
      expect(done).toEqual(['waiting', 'impatient']);
      faults.herderBlocked = true;
      const closing = herder.run(60_000, work('closing'), timedOut);
      herder.close();
      expect(await closing).toBe('timed out');
      expect(done).toEqual(['waiting', 'impatient']);
    });

    it('carries out a restart whose wait timed out once the herder is free, as real workers do', async () => {
      await start({ version: '3.9.0' });
      sim.cluster.failTask('a', 0);
      sim.faults.herderBlocked = true;
      const reply = await call(sim, 'POST', '/connectors/a/restart?includeTasks=true&onlyFailed=true');
      expect(reply.status).toBe(500);
      const taskState = async () => (json(await get(sim, '/connectors/a/status')) as { tasks: Array<{ state: string }> }).tasks[0]?.state;
      expect(await taskState()).toBe('FAILED');
      sim.faults.herderBlocked = false;
      expect(await taskState()).toBe('RESTARTING');
    });
  });

  describe('startup phases', () => {
    it('refuses: connections are closed without an answer', async () => {
      await start();
      sim.faults.startupPhase = 'refused';
      await expect(get(sim, '/')).rejects.toThrow();
      sim.faults.startupPhase = 'ready';
      expect((await get(sim, '/')).status).toBe(200);
    });

    it("serves Jetty's HTML 404 for every path before the resources exist", async () => {
      await start({ basicAuth: { username: 'u', password: 'p' } });
      sim.faults.startupPhase = 'html404';
      const reply = await get(sim, '/connector-plugins/?x=1');
      expect(reply.status).toBe(404);
      expect(reply.headers['content-type']).toBe('text/html;charset=iso-8859-1');
      expect(reply.headers['content-length']).toBe('375');
      expect(reply.text).toContain('<tr><th>URI:</th><td>/connector-plugins/</td></tr>');
      const restart = await call(sim, 'POST', '/connectors/a/restart');
      expect(restart.status).toBe(404);
      expect(restart.text).toContain('<title>Error 404 Not Found</title>');
    });

    it('reads the internal topics: empty then partial lists, 404 statuses, 503 health, queued timeouts', async () => {
      await start({ version: '3.9.0' });
      sim.faults.startupPhase = 'reading';
      expect(json(await get(sim, '/connectors'))).toEqual([]);
      expect(json(await get(sim, '/connectors?expand=status&expand=info'))).toEqual({});
      expect(json(await get(sim, '/connectors/a/status'))).toEqual({ error_code: 404, message: 'No status found for connector a' });
      expect((await get(sim, '/')).status).toBe(200);
      const health = await get(sim, '/health');
      expect(health.status).toBe(503);
      expect(json(health)).toEqual({
        status: 'starting',
        message:
          'Worker is still starting up. The worker is currently initializing and reading to the end of internal topics, which began at 2024-10-25T12:40:00Z.',
      });
      expect((json(await get(sim, '/connectors/a')) as { message: string }).message).toBe(
        'Request timed out. The worker is currently initializing and reading to the end of internal topics, which began at 2024-10-25T12:40:00Z.',
      );
      sim.faults.startupVisible = ['b'];
      expect(json(await get(sim, '/connectors'))).toEqual(['b']);
      expect(Object.keys(json(await get(sim, '/connectors?expand=status')) as object)).toEqual(['b']);
      expect((await get(sim, '/connectors/b/status')).status).toBe(200);
      sim.faults.startupPhase = 'ready';
      expect((json(await get(sim, '/connectors')) as string[]).sort()).toEqual(['a', 'b', 'c']);
      expect((await get(sim, '/health')).status).toBe(200);
    });
  });

  it('leaves connectors out of the next list response only', async () => {
    await start();
    sim.faults.omitFromList = ['a', 'c'];
    expect(json(await get(sim, '/connectors?expand=status'))).not.toHaveProperty('a');
    expect(Object.keys(json(await get(sim, '/connectors?expand=status')) as object).sort()).toEqual(['a', 'b', 'c']);
    sim.faults.omitFromList = ['b'];
    expect(json(await get(sim, '/connectors'))).not.toContain('b');
    expect(json(await get(sim, '/connectors'))).toContain('b');
  });

  it('sends "message": null in error bodies when asked, but not in JAX-RS routing errors', async () => {
    await start();
    sim.faults.messageNull = true;
    expect((await get(sim, '/connectors/zzz/status')).text).toBe('{"error_code":404,"message":null}');
    expect((await get(sim, '/nope')).text).toBe('{"error_code":404,"message":"HTTP 404 Not Found"}');
  });

  it('still answers correctly with added latency', async () => {
    await start();
    sim.faults.latencyMs = 5;
    expect((await get(sim, '/connectors/a/status')).status).toBe(200);
  });

  it('resets every fault', async () => {
    await start();
    Object.assign(sim.faults, { rebalance: true, messageNull: true, latencyMs: 3, startupPhase: 'html404', herderBlocked: true });
    sim.faults.reset();
    expect(sim.faults).toMatchObject({ rebalance: false, messageNull: false, latencyMs: 0, startupPhase: 'ready', herderBlocked: false });
    expect((await get(sim, '/connectors/a')).status).toBe(200);
  });
});

describe('javaInstant', () => {
  it('prints like java.time.Instant.toString()', () => {
    expect(javaInstant(T0)).toBe('2024-10-25T12:40:00Z');
    expect(javaInstant(T0 + 7)).toBe('2024-10-25T12:40:00.007Z');
    expect(javaInstant(T0 + 780)).toBe('2024-10-25T12:40:00.780Z');
  });
});
