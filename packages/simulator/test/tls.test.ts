import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/index.ts';

/** Runs openssl; a machine without it fails the test with the Debian package to install, never skips it. */
function openssl(dir: string, args: string[]): Buffer {
  try {
    return execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('openssl is not installed: apt-get install openssl');
    throw err;
  }
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCertificates(dir: string): Record<'ca' | 'serverCert' | 'serverKey' | 'clientCert' | 'clientKey', Buffer> {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, ['req', '-x509', ...key, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=sim-test-ca']);
  for (const [name, extension] of [
    ['server', 'subjectAltName=IP:127.0.0.1'],
    ['client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    writeFileSync(join(dir, `${name}.ext`), `${extension}\n`);
    openssl(dir, ['req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
  }
  const read = (file: string) => readFileSync(join(dir, file));
  return { ca: read('ca.pem'), serverCert: read('server.pem'), serverKey: read('server.key'), clientCert: read('client.pem'), clientKey: read('client.key') };
}

describe('TLS', () => {
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let sim: Simulator;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sim-tls-'));
    certs = makeCertificates(dir);
    sim = await startSimulator({ tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true } });
  });
  afterAll(async () => {
    await sim?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves https to a client with a certificate the CA signed', async () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dispatcher = new Agent({ connect: { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey } });
    const response = await request(`${sim.url}/`, { dispatcher });
    expect(response.statusCode).toBe(200);
    expect(await response.body.json()).toMatchObject({ version: '3.9.0' });
    await dispatcher.close();
  });

  it('rejects a client without a certificate when client certificates are requested', async () => {
    const dispatcher = new Agent({ connect: { ca: certs.ca } });
    await expect(request(`${sim.url}/`, { dispatcher })).rejects.toThrow();
    await dispatcher.close();
  });
});
