// Marker secrets planted everywhere a credential lives (cluster passwords and tokens, a TLS key, web and API
// credentials, and connector configs that `?expand=info` hands over whole) must never leave the process: not in a log
// line at trace level, not in /metrics, /api/v1/*, the landing page, any error answer, a failed reload, or the output
// of --config.check.

import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../packages/simulator/src/index.ts';
import { refusedUrl, runningConnectors, startFaultServer, type FaultServer } from '../reliability/fault-server.ts';
import { spawnSentinel } from '../reliability/process.ts';
import { startService, type Service } from '../reliability/service.ts';
import { makePki, type Pki } from './pki.ts';

/** Letters and digits only, so a marker can also sit inside a PEM body. */
const marker = (purpose: string) => `Marker${purpose}${randomBytes(6).toString('hex')}`;

const MARKERS = {
  connectPassword: marker('ConnectPassword'),
  wrongPassword: marker('WrongPassword'),
  connectToken: marker('ConnectToken'),
  tlsKey: marker('TlsKey'),
  webPassword: marker('WebPassword'),
  webToken: marker('WebToken'),
  apiToken: marker('ApiToken'),
  connectionPassword: marker('ConnectionPassword'),
  databasePassword: marker('DatabasePassword'),
};

let pki: Pki;
let simulator: Simulator;
let tokenServer: FaultServer;
let service: Service;
/** Everything that left the process: HTTP answers (status line, headers, body) and command line output. */
const emitted: string[] = [];

const web = { authorization: `Basic ${Buffer.from(`admin:${MARKERS.webPassword}`).toString('base64')}` };
const api = { ...web, 'x-api-token': MARKERS.apiToken };

function configText(refused: string): string {
  return `
clusters:
  - name: basic
    url: ${simulator.url}
    basicAuth: { username: admin, passwordFile: connect-password }
  - name: wrong-password
    url: ${simulator.url}
    basicAuth: { username: admin, password: ${MARKERS.wrongPassword} }
  - name: token
    url: ${tokenServer.url}
    bearerTokenFile: connect-token
  - name: client-key
    url: ${refused.replace('http:', 'https:')}
    tls: { certFile: ${JSON.stringify(pki.path('client.pem'))}, keyFile: client.key }
web:
  basicAuth: { username: admin, passwordFile: web-password }
  bearerTokenFile: web-token
api:
  tokenFile: api-token
log:
  level: trace
restart:
  enabled: true
`;
}

async function call(method: string, url: string, headers: Record<string, string> = {}, payload?: unknown) {
  const response = await service.app.server.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  emitted.push(`${method} ${url} → ${response.statusCode}\n${JSON.stringify(response.headers)}\n${response.body}`);
  return response;
}

beforeAll(async () => {
  pki = makePki();
  simulator = await startSimulator({
    version: '3.9.0',
    basicAuth: { username: 'admin', password: MARKERS.connectPassword },
    connectors: [
      {
        name: 'jdbc-orders',
        connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector',
        config: { 'connection.url': 'jdbc:postgresql://db:5432/orders', 'connection.user': 'app', 'connection.password': MARKERS.connectionPassword },
        tasks: [{ state: 'FAILED' }, {}],
      },
      {
        name: 'cdc-payments',
        connectorClass: 'io.debezium.connector.postgresql.PostgresConnector',
        config: { 'database.hostname': 'db', 'database.user': 'debezium', 'database.password': MARKERS.databasePassword },
        state: 'FAILED',
      },
      // A realistic generated config, with the credentials the catalogue puts in.
      { name: 'mysql-audit', connectorClass: 'io.debezium.connector.mysql.MySqlConnector' },
    ],
  });
  tokenServer = await startFaultServer(runningConnectors(2));
  const refused = await refusedUrl();
  service = await startService({
    config: configText(refused),
    logLevel: 'trace',
    files: {
      'connect-password': `${MARKERS.connectPassword}\n`,
      'connect-token': MARKERS.connectToken,
      // A client key that loads (the config refuses one that does not), with the marker as PEM's explanatory text.
      'client.key': `${MARKERS.tlsKey}\n${pki.read('client.key')}`,
      'web-password': MARKERS.webPassword,
      'web-token': MARKERS.webToken,
      'api-token': MARKERS.apiToken,
    },
  });

  // Polls with restarts (the restart POSTs carry the credential too), failures, 401s and a TLS client key in use.
  for (let poll = 0; poll < 3; poll++) {
    await service.app.pollAll();
    simulator.settle();
  }

  await call('GET', '/', web);
  await call('GET', '/metrics', web);
  await call('GET', '/metrics', { ...web, accept: 'application/openmetrics-text; version=1.0.0' });
  await call('GET', '/metrics', { authorization: `Bearer ${MARKERS.webToken}` });
  await call('GET', '/api/v1/status', web);
  await call('GET', '/api/v1/status?cluster=basic&state=failed', web);
  await call('GET', '/api/v1/restarts', web);
  await call('GET', '/api/v1/restarts?cluster=basic&connector=jdbc-orders', web);
  await call('GET', '/-/ready');
  await call('GET', '/-/healthy');
  await call('GET', '/no-such-page', web);
  await call('GET', '/metrics');
  await call('GET', '/metrics', { authorization: `Basic ${Buffer.from(`admin:${MARKERS.webPassword}x`).toString('base64')}` });
  await call('GET', '/api/v1/status?unknown=1', web);
  await call('POST', '/api/v1/restarts', { ...web, 'x-api-token': `${MARKERS.apiToken}x` }, { cluster: 'basic', connector: 'jdbc-orders' });
  await call('POST', '/api/v1/restarts', api, { cluster: 'basic', connector: 'jdbc-orders', extra: MARKERS.apiToken });
  await call('POST', '/api/v1/restarts', api, { cluster: 'basic', connector: 'jdbc-orders', task: 0 });
  await call('POST', '/api/v1/silences', api, { cluster: 'basic', connector: 'cdc-payments', duration: 'soon' });
  await call('POST', '/api/v1/silences', api, { cluster: 'basic', connector: 'cdc-payments', duration: '1h', reason: 'db migration' });
  await call('POST', '/api/v1/restarts/reset', api, { cluster: 'nope', connector: 'x' });

  // A reload that fails next to the secrets keeps the config, and its message quotes none of them.
  await service.writeConfig(`${configText(refused)}  unknownKey: ${MARKERS.connectPassword}\n`);
  await call('POST', '/-/reload', { ...web, 'x-requested-with': 'test' });
  await service.writeConfig(configText(refused).replace(`password: ${MARKERS.wrongPassword} }`, `password: ${MARKERS.wrongPassword}, passwordFile: connect-password }`));
  await call('POST', '/-/reload', { ...web, 'x-requested-with': 'test' });
  await service.writeConfig(configText(refused).replace(`url: ${tokenServer.url}`, `url: http://admin:${MARKERS.connectPassword}@127.0.0.1:1`));
  await call('POST', '/-/reload', { ...web, 'x-requested-with': 'test' });
  await service.app.pollAll();
}, 60_000);

afterAll(async () => {
  await service?.close();
  await simulator?.close();
  await tokenServer?.close();
  pki?.remove();
});

function leaks(text: string): string[] {
  const secrets = [...Object.values(MARKERS), ...simulator.cluster.secrets()];
  return secrets.filter((secret) => text.includes(secret) || text.includes(Buffer.from(`admin:${secret}`).toString('base64')));
}

describe('marker secrets never leave the process', () => {
  it('the scenario reached every place a secret could leak from', () => {
    // Connector configs were fetched whole (?expand=info), restarts sent, 401s met and a TLS client key used.
    expect(simulator.requests.count({ method: 'GET', path: '/connectors' })).toBeGreaterThan(0);
    expect(simulator.requests.count({ method: 'POST' })).toBeGreaterThan(0);
    expect(simulator.requests.count({ status: 401 })).toBeGreaterThan(0);
    expect(tokenServer.requests.some((r) => r.headers['authorization'] === `Bearer ${MARKERS.connectToken}`)).toBe(true);
    expect(simulator.cluster.secrets()).toContain(MARKERS.connectionPassword);
    expect(service.log.lines().some((line) => line['level'] === 'trace' || line['level'] === 'debug')).toBe(true);
    expect(emitted.some((text) => text.includes('→ 401'))).toBe(true);
    expect(emitted.filter((text) => text.startsWith('POST /-/reload → 500'))).toHaveLength(3);
  });

  it('not in any log line, at trace level', () => {
    expect(leaks(service.log.text())).toEqual([]);
  });

  it('not in /metrics, /api/v1/*, the landing page, or any error answer', () => {
    expect(leaks(emitted.join('\n'))).toEqual([]);
  });

  it('not in the output of --config.check, valid or not, nor for a URL with credentials in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cs-check-'));
    try {
      await writeFile(join(dir, 'connect-password'), MARKERS.connectPassword);
      const check = async (text: string) => {
        const path = join(dir, `${randomBytes(4).toString('hex')}.yaml`);
        await writeFile(path, text);
        const run = spawnSentinel(['--config.check', `--config.file=${path}`]);
        const code = await run.exited;
        return { code, output: `${run.stdout()}\n${run.stderr()}` };
      };
      const [valid, invalid, brokenYaml] = await Promise.all([
        check(`clusters:\n  - name: a\n    url: http://127.0.0.1:1\n    basicAuth: { username: u, passwordFile: connect-password }\n`),
        check(
          `clusters:\n  - name: a\n    url: http://127.0.0.1:1\n    basicAuth: { username: u, password: [${MARKERS.connectPassword}], extra: 1 }\n` +
            `  - name: b\n    url: http://u:${MARKERS.connectPassword}@127.0.0.1:1\n` +
            `  - name: c\n    url: http://127.0.0.1:2\n    basicAuth: { username: u, password: ${MARKERS.connectPassword}, passwordFile: connect-password }\n`,
        ),
        check(`clusters:\n  - name: a\n    url: http://127.0.0.1:1\n    basicAuth: { username: u, password: "${MARKERS.connectPassword} }\n`),
      ]);
      expect(valid.code).toBe(0);
      expect(invalid.code).toBe(1);
      expect(brokenYaml.code).toBe(1);
      // Every problem is named by its key path, without the value.
      expect(invalid.output).toContain('clusters[0].basicAuth.password: expected a string, got a list');
      expect(invalid.output).toContain('clusters[1].url: credentials are not allowed in URLs');
      expect(invalid.output).toContain('clusters[2].basicAuth: set either password or passwordFile, not both');
      for (const { output } of [valid, invalid, brokenYaml]) expect(leaks(output)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
