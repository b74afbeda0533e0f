// The `ha` section: replicas coordinated through Kafka. Strict like the rest, secrets from files, refused with its key path.

import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.ts';

const FILES: Record<string, string> = { '/secrets/kafka': 'kafka-password\n' };

function load(ha: string) {
  const text = `clusters: [{ name: prod, url: "http://connect:8083" }]\nha: ${ha}\n`;
  return parseConfigText(text, {
    source: 'sentinel.yaml',
    baseDir: '/',
    env: {},
    readFile: async (path: string) => {
      const content = FILES[path];
      if (content === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return content;
    },
  });
}

describe('the ha section', () => {
  it('is absent by default: one instance with the history file', async () => {
    const loaded = await parseConfigText('clusters: [{ name: prod, url: "http://connect:8083" }]\n', { source: 'sentinel.yaml', baseDir: '/', env: {} });
    expect(loaded.config.ha).toBeUndefined();
  });

  it('takes the brokers and defaults the group, topic and session timeout; the SASL password comes from its file', async () => {
    const { config } = await load('{ bootstrapServers: ["kafka-0:9093", "[::1]:9092"], sasl: { mechanism: SCRAM-SHA-512, username: sentinel, passwordFile: /secrets/kafka } }');
    expect(config.ha).toMatchObject({
      bootstrapServers: ['kafka-0:9093', '[::1]:9092'],
      group: 'connect-sentinel',
      topic: 'connect-sentinel-history',
      sessionTimeout: 10_000,
      replicationFactor: undefined,
      tls: undefined,
    });
    expect(config.ha?.sasl?.password.reveal()).toBe('kafka-password');
    expect(JSON.stringify(config.ha)).not.toContain('kafka-password');
  });

  it.each([
    ['{ bootstrapServers: [] }', 'ha.bootstrapServers: must not be empty'],
    ['{ bootstrapServers: ["kafka-0"] }', 'ha.bootstrapServers[0]: must be host:port'],
    ['{ bootstrapServers: ["kafka-0:70000"] }', 'ha.bootstrapServers[0]: port must be 1 to 65535'],
    ['{ bootstrapServers: ["k:9092"], topic: "history/one" }', 'ha.topic: must be 1 to 249 of A-Z a-z 0-9 . _ -'],
    ['{ bootstrapServers: ["k:9092"], sessionTimeout: 500ms }', 'ha.sessionTimeout: must be at least 1s'],
    ['{ bootstrapServers: ["k:9092"], sasl: { mechanism: PLAIN, username: u } }', 'ha.sasl: set either password or passwordFile'],
    ['{ bootstrapServers: ["k:9092"], sasl: { mechanism: GSSAPI, username: u, password: p } }', 'ha.sasl.mechanism: must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, got "GSSAPI"'],
    ['{ bootstrapServers: ["k:9092"], sasl: { mechanism: PLAIN, username: u, passwordFile: /secrets/missing } }', 'ha.sasl.passwordFile: cannot read "/secrets/missing": ENOENT'],
    ['{ bootstrapServers: ["k:9092"], leader: me }', 'ha.leader: unknown key'],
  ])('refuses %s, naming %s', async (ha, where) => {
    await expect(load(ha)).rejects.toThrow(where);
  });
});
