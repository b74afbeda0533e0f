// A planted marker secret must not come out of the loaded config by any ordinary way of printing it.

import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.ts';
import { Secret } from '../../src/config/secret.ts';

const MARKER = 'MARKER-s3cr3t-7f1c';
const TLS_FIXTURES = new URL('../fixtures/config/tls/', import.meta.url);
// A real key pair, since the config loads it as the HTTPS server will; the marker sits before the key, where PEM
// allows explanatory text.
const PEM_KEY = `${MARKER}\n${readFileSync(new URL('test-key.pem', TLS_FIXTURES), 'utf8')}`;
const PEM_CERT = readFileSync(new URL('test-cert.pem', TLS_FIXTURES), 'utf8');

const FILES: Record<string, string> = {
  '/secrets/password': `${MARKER}-file\n`,
  '/secrets/token': `${MARKER}-token\n`,
  '/secrets/api': `${MARKER}-api`,
  '/tls/key.pem': PEM_KEY,
  '/tls/cert.pem': PEM_CERT,
};

async function readFile(path: string): Promise<string> {
  const text = FILES[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
}

const TEXT = `
clusters:
  - name: with-password
    url: https://connect:8443
    basicAuth: { username: admin, password: "\${SECRET}" }
    tls: { certFile: /tls/cert.pem, keyFile: /tls/key.pem }
  - name: with-password-file
    url: http://connect-2:8083
    basicAuth: { username: admin, passwordFile: /secrets/password }
  - name: with-token
    url: http://connect-3:8083
    bearerTokenFile: /secrets/token
web:
  tls: { certFile: /tls/cert.pem, keyFile: /tls/key.pem }
  basicAuth: { username: prometheus, passwordFile: /secrets/password }
  bearerTokenFile: /secrets/token
api:
  tokenFile: /secrets/api
`;

function load(text: string) {
  return parseConfigText(text, { source: 'sentinel.yaml', baseDir: '/', env: { SECRET: `${MARKER}-env` }, readFile });
}

describe('secrets in the loaded config', () => {
  it('are all loaded and revealable where they are used', async () => {
    const { config } = await load(TEXT);
    const secrets = [
      config.clusters[0]?.basicAuth?.password,
      config.clusters[0]?.tls?.key,
      config.clusters[1]?.basicAuth?.password,
      config.clusters[2]?.bearerToken,
      config.web.tls?.key,
      config.web.basicAuth?.password,
      config.web.bearerToken,
      config.api.token,
    ];
    expect(secrets.map((secret) => secret?.reveal().includes(MARKER))).toEqual(Array(8).fill(true));
  });

  it('never print: JSON, util.inspect, format, String and templates show <redacted>', async () => {
    const loaded = await load(TEXT);
    const { config } = loaded;
    const printed = [
      JSON.stringify(loaded),
      JSON.stringify(config, null, 2),
      inspect(loaded, { depth: Infinity, showHidden: true, getters: true }),
      format('%s %o %O %j', config, config, config, config),
      String(config.api.token),
      `${config.api.token}`,
      `${String(config.clusters[0]?.basicAuth?.password)}`,
      inspect(structuredClone(config), { depth: Infinity, showHidden: true }),
      JSON.stringify({ ...config.clusters[0]?.basicAuth }),
    ];
    for (const text of printed) expect(text).not.toContain(MARKER);
    expect(JSON.stringify(config.api)).toBe('{"token":"<redacted>"}');
    expect(inspect(config.web.basicAuth)).toBe("{ username: 'prometheus', password: <redacted> }");
  });

  it('never reach a pino log line', async () => {
    const { config } = await load(TEXT);
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    pino(sink).info({ config }, 'Configuration loaded');
    expect(lines.join('')).toContain('<redacted>');
    expect(lines.join('')).not.toContain(MARKER);
  });

  it('never appear in error messages', async () => {
    const bad = `
clusters:
  - name: a
    url: http://admin:${MARKER}@connect:8083
    basicAuth: "${MARKER}"
    bearerTokenFile: 42
  - name: b
    url: [http://b:8083, "${MARKER}"]
    basicAuth: { username: admin, password: ["${MARKER}"] }
web:
  basicAuth: { username: admin, password: 7, passwordFile: /secrets/password }
`;
    const err = await load(bad).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message.split('\n').length).toBeGreaterThan(3);
    expect((err as Error).message).not.toContain(MARKER);
  });
});

describe('an inline secret the YAML parser stops at', () => {
  // Unquoted, a password that starts with one of YAML's indicators breaks the parse; the parser's own messages
  // quoted it ("Unresolved alias …: <password>", "Unresolved tag: !<password>"), and they reached logs, --config.check
  // output and the body of a failed POST /-/reload.
  const leads = ['*', '!', '&', '@', '`', '%', '|', '>', '"', "'", '[', '{', '? ', '- ', ',', '#x'];
  it.each(leads)('never appears in the message when it starts with %j', async (lead) => {
    const text = `clusters:\n  - name: a\n    url: http://a:8083\n    basicAuth: { username: admin, password: ${lead}${MARKER} }\n`;
    const block = `clusters:\n  - name: a\n    url: http://a:8083\n    basicAuth:\n      username: admin\n      password: ${lead}${MARKER}\n`;
    for (const config of [text, block]) {
      const outcome = await load(config).then(
        () => 'loaded',
        (error: unknown) => (error as Error).message,
      );
      expect(outcome).not.toContain(MARKER);
      expect(outcome).not.toContain(MARKER.slice(1));
    }
  });
});

describe('Secret', () => {
  it('has no enumerable state and prints redacted', () => {
    expect(new Secret('a').reveal()).toBe('a');
    expect(Object.keys(new Secret('a'))).toEqual([]);
    expect(`${new Secret('a')}`).toBe('<redacted>');
  });
});
