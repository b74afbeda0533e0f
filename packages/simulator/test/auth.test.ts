import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBasicAuth } from '../src/auth.ts';
import { startSimulator, type Simulator } from '../src/index.ts';
import { basic, call, get, json } from './http.ts';

const EXPECTED = { username: 'admin', password: 'pa:ss' };

describe('basic auth', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ version: '3.9.0', basicAuth: EXPECTED });
    sim.cluster.add({ name: 'a', connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector' });
  });
  afterAll(() => sim.close());

  it('answers 401 with a plain-text body labelled application/json and no WWW-Authenticate', async () => {
    for (const path of ['/', '/health', '/connectors?expand=status', '/connector-plugins']) {
      const reply = await get(sim, path);
      expect(reply.status).toBe(401);
      expect(reply.text).toBe('User cannot access the resource.');
      expect(reply.headers['content-type']).toBe('application/json');
      expect(reply.headers['content-length']).toBe('32');
      expect(reply.headers['www-authenticate']).toBeUndefined();
    }
  });

  it('refuses a wrong password, a wrong user, another scheme, and a value without a colon', async () => {
    for (const authorization of [
      basic('admin', 'wrong').authorization!,
      basic('root', 'pa:ss').authorization!,
      'Bearer abc',
      `Basic ${Buffer.from('admin').toString('base64')}`,
      'Basic',
    ]) {
      expect((await get(sim, '/', { headers: { authorization } })).status).toBe(401);
    }
  });

  it('lets the right credentials through, including a password with a colon and a lower-case scheme', async () => {
    expect((await get(sim, '/connectors', { headers: basic('admin', 'pa:ss') })).status).toBe(200);
    const lower = `basic ${Buffer.from('admin:pa:ss').toString('base64')}`;
    expect((await call(sim, 'POST', '/connectors/a/restart', { headers: { authorization: lower } })).status).toBe(204);
  });

  it('lets a value that is not base64 escape the filter as a 500', async () => {
    const reply = await get(sim, '/', { headers: { authorization: 'Basic not-base64!' } });
    expect(reply.status).toBe(500);
    expect(json(reply)).toEqual({ error_code: 500, message: 'Illegal base64 character 2d' });
  });

  it('answers routing errors before authenticating, as JAX-RS matches before filters run', async () => {
    expect((await get(sim, '/connectors/a/task')).status).toBe(404);
    expect((await get(sim, '/connectors/a/restart')).status).toBe(405);
  });
});

describe('checkBasicAuth', () => {
  it('decodes like java.util.Base64', () => {
    expect(checkBasicAuth(undefined, EXPECTED)).toEqual({ kind: 'denied' });
    expect(checkBasicAuth(`Basic ${Buffer.from('admin:pa:ss').toString('base64')}`, EXPECTED)).toEqual({ kind: 'allowed' });
    // Padding is optional for Java's basic decoder.
    expect(checkBasicAuth(`Basic ${Buffer.from('admin:pa:ss').toString('base64').replace(/=+$/, '')}`, EXPECTED)).toEqual({ kind: 'allowed' });
    expect(checkBasicAuth('Basic YWRtaW4', EXPECTED)).toEqual({ kind: 'denied' });
    expect(checkBasicAuth('Basic Y', EXPECTED)).toEqual({ kind: 'error', message: 'Last unit does not have enough valid bits' });
    expect(checkBasicAuth('Basic a b', EXPECTED)).toEqual({ kind: 'error', message: 'Illegal base64 character 20' });
  });
});
