// The small pure pieces: listen addresses, worker URLs, key paths, key suggestions, connector selection.

import { describe, expect, it } from 'vitest';
import { checkConnectUrl } from '../../src/config/connect-url.ts';
import { connectorFilter } from '../../src/config/connector-filter.ts';
import { formatKeyPath } from '../../src/config/issues.ts';
import { parseListenAddress } from '../../src/config/listen-address.ts';
import { suggestKey } from '../../src/config/zod-issues.ts';

describe('parseListenAddress', () => {
  it.each([
    [':9843', { host: undefined, port: 9843 }],
    ['0.0.0.0:9843', { host: '0.0.0.0', port: 9843 }],
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['localhost:80', { host: 'localhost', port: 80 }],
    ['[::1]:9843', { host: '::1', port: 9843 }],
    ['[::]:9843', { host: '::', port: 9843 }],
    ['sentinel.example.com:65535', { host: 'sentinel.example.com', port: 65535 }],
  ])('%s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each(['9843', ':', ':65536', ':-1', 'host:', '::1:9843', '[::1]', '[nope]:1', 'a b:1', 'http://x:1', ':9843 '])('rejects %j', (text) => {
    expect(() => parseListenAddress(text)).toThrow(`invalid listen address ${JSON.stringify(text)}: use host:port, [::1]:9843 or :9843`);
  });
});

describe('checkConnectUrl', () => {
  it.each([
    ['http://connect:8083', 'http://connect:8083'],
    ['http://connect:8083/', 'http://connect:8083'],
    ['https://CONNECT.example.com/', 'https://connect.example.com'],
    ['https://gw.example.com/kafka/connect//', 'https://gw.example.com/kafka/connect'],
    ['http://[::1]:8083', 'http://[::1]:8083'],
    ['https://connect:443', 'https://connect'],
  ])('accepts %s as %s', (text, url) => {
    expect(checkConnectUrl(text)).toEqual({ ok: true, url });
  });

  it.each([
    ['', 'not a valid URL (expected e.g. http://connect:8083)'],
    ['connect', 'not a valid URL (expected e.g. http://connect:8083)'],
    ['admin:secret@connect:8083', 'must start with http:// or https://'],
    ['https://admin:secret@connect:8083', 'credentials are not allowed in URLs'],
    ['https://admin@connect:8083', 'credentials are not allowed in URLs'],
    ['file:///etc/passwd', 'must start with http:// or https://'],
    ['http://connect:8083/#x', 'must not have a query or fragment'],
    ['http://connect:8083/?', 'must not have a query or fragment'],
  ])('rejects %j: %s', (text, message) => {
    expect(checkConnectUrl(text)).toEqual({ ok: false, message });
  });
});

describe('formatKeyPath', () => {
  it.each([
    [[], ''],
    [['clusters', 1, 'basicAuth'], 'clusters[1].basicAuth'],
    [['restart', 'rules', 2, 'match', 'exceptions', 0], 'restart.rules[2].match.exceptions[0]'],
    [['web', 'listen address'], 'web["listen address"]'],
    [['x', '1abc'], 'x["1abc"]'],
  ] as const)('%j is %s', (path, text) => {
    expect(formatKeyPath(path)).toBe(text);
  });
});

describe('suggestKey', () => {
  const known = ['pollInterval', 'pluginsInterval', 'timeout', 'url', 'name'];
  it.each([
    ['pollIntervall', 'pollInterval'],
    ['poll_interval', 'pollInterval'],
    ['POLLINTERVAL', 'pollInterval'],
    ['timout', 'timeout'],
    ['urls', 'url'],
    ['nam', 'name'],
    ['colour', undefined],
    ['u', undefined],
    ['x'.repeat(100), undefined],
  ])('%s → %s', (key, expected) => {
    expect(suggestKey(key, known)).toBe(expected);
  });
});

describe('connectorFilter', () => {
  it('watches what any include matches and no exclude matches', () => {
    const watches = connectorFilter({ include: ['orders-*', 'payments-?'], exclude: ['*-tmp'] });
    expect(['orders-sink', 'payments-1', 'orders-sink-tmp', 'payments-12', 'billing'].filter(watches)).toEqual([
      'orders-sink',
      'payments-1',
    ]);
  });

  it('watches everything by default', () => {
    const watches = connectorFilter({ include: ['*'], exclude: [] });
    expect(watches('')).toBe(true);
    expect(watches('a/b.c')).toBe(true);
  });
});
