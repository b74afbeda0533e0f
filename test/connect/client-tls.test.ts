// TLS against real certificates made with openssl: a private CA, a server certificate for 127.0.0.1, a client
// certificate for mutual TLS, and a second CA the client does not trust.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnectClient, type ConnectClientOptions } from '../../src/connect/client.ts';
import { ConnectUnreachableError } from '../../src/errors.ts';
import { sendJson, startHttpServer, type TestServer } from './raw-server.ts';
import { captureLog } from '../support/log-capture.ts';
import { tool } from '../support/tools.ts';

interface Pki {
  ca: Buffer;
  serverKey: Buffer;
  serverCert: Buffer;
  clientKey: Buffer;
  clientCert: Buffer;
  otherCa: Buffer;
  namedKey: Buffer;
  namedCert: Buffer;
}

let dir: string;
let pki: Pki;

function openssl(...args: string[]): void {
  execFileSync(tool('openssl'), args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string): void {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
}

function issue(name: string, ca: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'connect-tls-'));
  makeCa('test-ca');
  makeCa('other-ca');
  issue('connect-worker', 'test-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  issue('sentinel-client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
  issue('connect-1.internal', 'test-ca', 'subjectAltName=DNS:connect-1.internal\nextendedKeyUsage=serverAuth\n');
  const read = (file: string) => readFileSync(join(dir, file));
  pki = {
    ca: read('test-ca.pem'),
    serverKey: read('connect-worker.key'),
    serverCert: read('connect-worker.pem'),
    clientKey: read('sentinel-client.key'),
    clientCert: read('sentinel-client.pem'),
    otherCa: read('other-ca.pem'),
    namedKey: read('connect-1.internal.key'),
    namedCert: read('connect-1.internal.pem'),
  };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function tlsWorker(
  requireClientCert = false,
  identity: { key: Buffer; cert: Buffer } = { key: pki.serverKey, cert: pki.serverCert },
): Promise<TestServer & { clientNames: string[] }> {
  const clientNames: string[] = [];
  const server = await startHttpServer(
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      if (peer.subject !== undefined) clientNames.push(String(peer.subject.CN));
      sendJson(res, 200, { version: '3.9.0', commit: 'a60e31147e6b01ee', kafka_cluster_id: 'k' });
    },
    {
      ...identity,
      ...(requireClientCert ? { ca: pki.ca, requestCert: true, rejectUnauthorized: true } : {}),
    },
  );
  cleanups.push(() => server.close());
  return Object.assign(server, { clientNames });
}

function client(options: Partial<ConnectClientOptions> & { urls: string[] }) {
  const created = createConnectClient({ cluster: 'tls', logger: captureLog().logger, timeoutMs: 5_000, ...options });
  cleanups.push(() => created.close());
  return created;
}

describe('TLS', () => {
  it('verifies the worker against a custom CA', async () => {
    const worker = await tlsWorker();
    const info = await client({ urls: [worker.url], tls: { ca: pki.ca } }).getWorkerInfo();
    expect(info.version).toBe('3.9.0');
  });

  it('rejects a worker whose certificate comes from a CA it does not trust', async () => {
    const worker = await tlsWorker();
    const attempt = client({ urls: [worker.url], tls: { ca: pki.otherCa } }).getWorkerInfo();
    const err = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectUnreachableError);
    expect((err as ConnectUnreachableError).causeCode).toMatch(/CERT|SIGNATURE|ISSUER/);
    expect(worker.requests).toHaveLength(0);
  });

  it('rejects an unknown CA by default (system roots only)', async () => {
    const worker = await tlsWorker();
    await expect(client({ urls: [worker.url] }).getWorkerInfo()).rejects.toBeInstanceOf(ConnectUnreachableError);
    expect(worker.requests).toHaveLength(0);
  });

  it('presents a client certificate to a worker that requires one', async () => {
    const worker = await tlsWorker(true);
    await expect(client({ urls: [worker.url], tls: { ca: pki.ca } }).getWorkerInfo()).rejects.toBeInstanceOf(
      ConnectUnreachableError,
    );
    const info = await client({
      urls: [worker.url],
      tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey },
    }).getWorkerInfo();
    expect(info.commit).toBe('a60e31147e6b01ee');
    expect(worker.clientNames).toEqual(['sentinel-client']);
  });

  it('verifies against serverName when the certificate does not name the URL\'s host', async () => {
    const worker = await tlsWorker(false, { key: pki.namedKey, cert: pki.namedCert });
    const mismatch = await client({ urls: [worker.url], tls: { ca: pki.ca } })
      .getWorkerInfo()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((mismatch as ConnectUnreachableError).causeCode).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const info = await client({ urls: [worker.url], tls: { ca: pki.ca, serverName: 'connect-1.internal' } }).getWorkerInfo();
    expect(info.version).toBe('3.9.0');
  });

  it('insecureSkipVerify accepts any certificate and warns once, at creation', async () => {
    const worker = await tlsWorker();
    const log = captureLog();
    const connect = client({ urls: [worker.url], tls: { insecureSkipVerify: true }, logger: log.logger });
    await connect.getWorkerInfo();
    await connect.getWorkerInfo();
    const warnings = log.lines().filter((line) => line.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ connect_cluster: 'tls', msg: expect.stringContaining('insecureSkipVerify') });
  });
});
