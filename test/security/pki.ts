// Real certificates made with openssl for the TLS tests: a private CA, a server certificate for 127.0.0.1, a client
// certificate, and a second CA nobody trusts. Written to a temp dir; paths and contents both handed out.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  /** PEM contents by file name: ca.pem, server.pem, server.key, client.pem, client.key, other-ca.pem, rogue.pem, rogue.key. */
  read(file: string): string;
  path(file: string): string;
  remove(): void;
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'cs-pki-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const makeCa = (name: string) => openssl('req', '-x509', ...ec, '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`);
  const issue = (name: string, ca: string, extensions: string) => {
    writeFileSync(join(dir, `${name}.ext`), extensions);
    openssl('req', ...ec, '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  };
  makeCa('ca');
  makeCa('other-ca');
  issue('server', 'ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  issue('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  // A server certificate for the same address from a CA the client does not trust.
  issue('rogue', 'other-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  return {
    dir,
    read: (file) => readFileSync(join(dir, file), 'utf8'),
    path: (file) => join(dir, file),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
