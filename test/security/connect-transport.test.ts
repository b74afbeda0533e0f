// How connect-sentinel talks to Kafka Connect, configured as a user would: credentials go to the configured workers
// only (a redirect elsewhere is not followed), and TLS verifies certificates by default, with a custom CA, client
// certificates, and a warning when verification is turned off. Certificates are made by openssl for the test.

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../packages/simulator/src/index.ts';
import { json, runningConnectors, startFaultServer } from '../reliability/fault-server.ts';
import { cleanupList, startService, type Service } from '../reliability/service.ts';
import { makePki, type Pki } from './pki.ts';

const cleanups = cleanupList();
afterEach(() => cleanups.run());

let pki: Pki;
beforeAll(() => {
  pki = makePki();
});
afterAll(() => pki.remove());

const UP = 'kafka_connect_up{connect_cluster="prod"}';

async function up(service: Service): Promise<number | undefined> {
  await service.app.pollAll();
  return service.value((await service.scrape()).body, UP);
}

describe('credentials', () => {
  it('are never sent where a redirect points: the other server receives nothing', async () => {
    const elsewhere = cleanups.add(await startFaultServer(runningConnectors(1)));
    const worker = cleanups.add(await startFaultServer(runningConnectors(1)));
    worker.fault = (request) => ({
      kind: 'answer',
      status: 307,
      body: '',
      headers: { location: `${elsewhere.url}${request.url}` },
    });
    const service = cleanups.add(
      await startService({
        config: `clusters:\n  - name: prod\n    url: ${worker.url}\n    bearerTokenFile: token\nrestart:\n  enabled: true\n`,
        files: { token: 'connect-token-value' },
      }),
    );

    expect(await up(service)).toBe(0);
    expect(await up(service)).toBe(0);
    expect(worker.requests.length).toBeGreaterThan(0);
    expect(worker.requests.every((r) => r.headers['authorization'] === 'Bearer connect-token-value')).toBe(true);
    expect(elsewhere.requests).toEqual([]);
    const warning = service.log.matching('keeping the last known state')[0];
    expect(JSON.stringify(warning)).toContain('redirects are not followed');
  });

  it('a redirect of a restart is not followed either', async () => {
    const elsewhere = cleanups.add(await startFaultServer(runningConnectors(1)));
    const worker = cleanups.add(await startFaultServer(runningConnectors(1)));
    worker.connectors.get('c000')!.tasks[0]!.state = 'FAILED';
    worker.fault = (request) =>
      request.method === 'POST'
        ? { kind: 'answer', status: 307, body: '', headers: { location: `${elsewhere.url}${request.url}` } }
        : undefined;
    const service = cleanups.add(
      await startService({
        config: `clusters:\n  - name: prod\n    url: ${worker.url}\n    basicAuth: { username: u, password: connect-password }\nrestart:\n  enabled: true\n`,
      }),
    );
    expect(await up(service)).toBe(1);
    expect(worker.restartPosts().length).toBeGreaterThan(0);
    expect(elsewhere.requests).toEqual([]);
  });

  it('only go to the cluster they are configured for', async () => {
    const first = cleanups.add(await startFaultServer(runningConnectors(1)));
    const second = cleanups.add(await startFaultServer(runningConnectors(1)));
    const service = cleanups.add(
      await startService({
        config: `clusters:\n  - name: one\n    url: ${first.url}\n    bearerTokenFile: token\n  - name: two\n    url: ${second.url}\n`,
        files: { token: 'only-for-one' },
      }),
    );
    await service.app.pollAll();
    expect(first.requests.every((r) => r.headers['authorization'] === 'Bearer only-for-one')).toBe(true);
    expect(second.requests.length).toBeGreaterThan(0);
    expect(second.requests.some((r) => r.headers['authorization'] !== undefined)).toBe(false);
  });
});

describe('TLS to Kafka Connect', () => {
  async function tlsWorker(requestCert = false, identity: 'server' | 'rogue' = 'server') {
    return cleanups.add(
      await startSimulator({
        connectors: [{ name: 'orders', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector' }],
        tls: { cert: pki.read(`${identity}.pem`), key: pki.read(`${identity}.key`), ...(requestCert ? { ca: pki.read('ca.pem'), requestCert } : {}) },
      }),
    );
  }

  async function serviceFor(url: string, tls: string): Promise<Service> {
    return cleanups.add(await startService({ config: `clusters:\n  - name: prod\n    url: ${url}\n${tls}` }));
  }

  it('verifies the certificate by default: a private CA is not trusted without caFile', async () => {
    const worker = await tlsWorker();
    const service = await serviceFor(worker.url, '');
    expect(await up(service)).toBe(0);
    expect(JSON.stringify(service.log.matching('keeping the last known state'))).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
    expect(worker.requests.count()).toBe(0);
  });

  it('trusts a worker signed by the configured caFile', async () => {
    const worker = await tlsWorker();
    const service = await serviceFor(worker.url, `    tls:\n      caFile: ${JSON.stringify(pki.path('ca.pem'))}\n`);
    expect(await up(service)).toBe(1);
  });

  it('refuses a worker whose certificate comes from another CA, even for the right address', async () => {
    const worker = await tlsWorker(false, 'rogue');
    const service = await serviceFor(worker.url, `    tls:\n      caFile: ${JSON.stringify(pki.path('ca.pem'))}\n`);
    expect(await up(service)).toBe(0);
    expect(worker.requests.count()).toBe(0);
  });

  it('presents the client certificate to a worker that requires one, and fails without it', async () => {
    const worker = await tlsWorker(true);
    const ca = `    tls:\n      caFile: ${JSON.stringify(pki.path('ca.pem'))}\n`;
    const withoutClientCert = await serviceFor(worker.url, ca);
    expect(await up(withoutClientCert)).toBe(0);
    const withClientCert = await serviceFor(
      worker.url,
      `${ca}      certFile: ${JSON.stringify(pki.path('client.pem'))}\n      keyFile: ${JSON.stringify(pki.path('client.key'))}\n`,
    );
    expect(await up(withClientCert)).toBe(1);
  });

  it('insecureSkipVerify connects to anything and says so in a warning', async () => {
    const worker = await tlsWorker(false, 'rogue');
    const service = await serviceFor(worker.url, '    tls:\n      insecureSkipVerify: true\n');
    expect(await up(service)).toBe(1);
    const warnings = service.log.matching('verification').filter((line) => line['level'] === 'warn');
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.['msg'])).toContain('insecureSkipVerify');
  });

  it('a plain-HTTP answer on an https URL is an outage, not a crash', async () => {
    const plain = cleanups.add(await startFaultServer(runningConnectors(1)));
    plain.fault = () => json(200, {});
    // The server waits for an HTTP request that never comes (a TLS hello is not one): the timeout ends it.
    const service = await serviceFor(plain.url.replace('http:', 'https:'), `    timeout: 300ms\n    tls:\n      caFile: ${JSON.stringify(pki.path('ca.pem'))}\n`);
    expect(await up(service)).toBe(0);
  });
});
