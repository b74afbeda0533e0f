// A replica that does not lead (ha): it polls and exports as the leader does, and sends, records and counts nothing.
// The store stands in for the shared one (src/ha), whose real behaviour test/kafka/ha.test.ts checks on real Kafka.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { parseConfigText } from '../../src/config/load.ts';
import { ConfigStore } from '../../src/config/config-store.ts';
import { emptyHistory, type RestartHistory } from '../../src/restart/history.ts';
import type { HistoryStore } from '../../src/restart/history-file.ts';
import { samplesOf } from '../metrics/validator.ts';
import { cleanup, configText, ManualClock, requestLines, simulator, tempDir, valueOf } from './harness.ts';

afterEach(cleanup);

const TOKEN = 'operator-token-for-tests';

/** A shared store whose lead the test hands out; it records what was saved. */
function sharedStore() {
  let recorded: RestartHistory = emptyHistory();
  const saves: RestartHistory[] = [];
  const store: HistoryStore & { leading: boolean } = {
    current: () => recorded,
    async save(history) {
      if (!store.leading) return false;
      saves.push(history);
      recorded = history;
      return true;
    },
    writable: true,
    leading: false,
    generation: 7,
    path: 'Kafka topic connect-sentinel-history',
    close: async () => undefined,
  };
  return { store, saves };
}

describe('a replica that does not lead', () => {
  it('decides standby, sends and records nothing, refuses operator actions with 409; once it leads, it restarts', async () => {
    const sim = await simulator({ connectors: [{ name: 'inventory', connectorClass: 'io.confluent.connect.jdbc.JdbcSourceConnector', tasks: [{ state: 'FAILED', failure: 'connection-refused' }] }] });
    const dir = await tempDir();
    await writeFile(join(dir, 'api-token'), TOKEN);
    const text = configText({ clusters: [{ name: 'prod', url: sim.url }], restart: { enabled: true }, api: { tokenFile: 'api-token' } });
    const clock = new ManualClock();
    const config = await ConfigStore.open({
      load: () => parseConfigText(text, { source: 'sentinel.yaml', baseDir: dir, env: {}, overrides: { dataDir: join(dir, 'data') } }),
      now: () => clock.now,
      onListenerError: (err) => {
        throw err;
      },
    });
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    const { store, saves } = sharedStore();
    const app = await buildApp({ config, historyStore: store, logger, version: 'test', now: () => clock.now });
    try {
      const scrape = async () => samplesOf((await app.server.inject({ url: '/metrics' })).body);
      await app.pollAll();
      expect(requestLines(sim).filter((line) => line.startsWith('POST'))).toEqual([]);
      expect(saves).toEqual([]);
      let samples = await scrape();
      expect(valueOf(samples, 'kafka_connect_exporter_leader')).toBe(0);
      expect(valueOf(samples, 'kafka_connect_exporter_leader_generation')).toBe(7);
      expect(valueOf(samples, 'kafka_connect_autorestart_last_decision_info', { connector: 'inventory', task: '0', reason: 'standby' })).toBe(1);
      // Its decisions are neither logged nor counted: the leader's are, once.
      expect(lines.some((line) => line.includes('skip: standby'))).toBe(false);
      expect(valueOf(samples, 'kafka_connect_autorestart_skipped_total', { connector: 'inventory', reason: 'standby' }) ?? 0).toBe(0);

      const refused = await app.server.inject({ method: 'POST', url: '/api/v1/restarts', headers: { authorization: `Bearer ${TOKEN}` }, payload: { cluster: 'prod', connector: 'inventory', task: 0 } });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: 'CS_ERR_NOT_LEADER' });

      store.leading = true;
      clock.advance(15_000);
      await app.pollAll();
      expect(requestLines(sim).filter((line) => line.startsWith('POST'))).toEqual(['POST /connectors/inventory/restart?includeTasks=true&onlyFailed=true']);
      expect(saves.length).toBeGreaterThan(0);
      samples = await scrape();
      expect(valueOf(samples, 'kafka_connect_exporter_leader')).toBe(1);
    } finally {
      await app.close();
    }
  });
});
