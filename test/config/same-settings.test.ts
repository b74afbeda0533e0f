import { describe, expect, it } from 'vitest';
import { sameSettings } from '../../src/config/same-settings.ts';
import { Secret } from '../../src/config/secret.ts';

describe('sameSettings', () => {
  const cluster = (password: string, urls = ['http://a:8083', 'http://b:8083']) => ({
    name: 'prod',
    urls,
    basicAuth: { username: 'admin', password: new Secret(password) },
    tls: undefined,
    pollInterval: 30_000,
  });

  it('sees equal settings as the same, secrets included, each a new Secret', () => {
    expect(sameSettings(cluster('pw'), cluster('pw'))).toBe(true);
    expect(sameSettings(undefined, undefined)).toBe(true);
  });

  it('sees a rotated password, another URL or another order of URLs as a change', () => {
    expect(sameSettings(cluster('pw'), cluster('rotated'))).toBe(false);
    expect(sameSettings(cluster('pw'), cluster('pw', ['http://a:8083']))).toBe(false);
    expect(sameSettings(cluster('pw'), cluster('pw', ['http://b:8083', 'http://a:8083']))).toBe(false);
    expect(sameSettings({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameSettings({ key: new Secret('x') }, { key: 'x' })).toBe(false);
    expect(sameSettings([1, 2], { 0: 1, 1: 2 })).toBe(false);
  });

  it('compares bytes, and takes an instance of any other class as the same only as itself', () => {
    expect(sameSettings({ ca: Buffer.from('pem') }, { ca: Buffer.from('pem') })).toBe(true);
    expect(sameSettings({ ca: Buffer.from('pem') }, { ca: Buffer.from('other') })).toBe(false);
    expect(sameSettings(/a/, /b/)).toBe(false);
    const pattern = /a/;
    expect(sameSettings({ pattern }, { pattern })).toBe(true);
  });
});
