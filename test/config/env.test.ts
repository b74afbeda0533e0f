import { describe, expect, it } from 'vitest';
import { expandEnv, expandString } from '../../src/config/env.ts';

const ENV = { USER: 'admin', PW: 'p@ss$word', EMPTY: '' };

describe('expandString', () => {
  it.each([
    ['${PW}', 'p@ss$word'],
    ['pre-${USER}-post', 'pre-admin-post'],
    ['${USER}${USER}', 'adminadmin'],
    ['$$', '$'],
    ['$${USER}', '${USER}'],
    ['cost: 5$', 'cost: 5$'],
    ['$USER', '$USER'],
    ['${EMPTY}', ''],
    ['no dollar', 'no dollar'],
  ])('%j becomes %j', (text, expected) => {
    expect(expandString(text, ENV)).toEqual({ ok: true, value: expected });
  });

  it('does not expand the value of a variable again', () => {
    expect(expandString('${X}', { X: '${USER}' })).toEqual({ ok: true, value: '${USER}' });
  });

  it.each([
    ['${MISSING}', 'environment variable MISSING is not set'],
    ['${USER', 'unterminated "${": write ${NAME}, or $$ for a literal dollar'],
    ['${}', 'invalid environment variable name ""'],
    ['${1ABC}', 'invalid environment variable name "1ABC"'],
    ['${A-B}', 'invalid environment variable name "A-B"'],
  ])('%j fails: %s', (text, message) => {
    expect(expandString(text, ENV)).toEqual({ ok: false, message });
  });
});

describe('expandEnv', () => {
  it('expands string values at any depth, never keys, and leaves other values alone', () => {
    const tree = { '${USER}': 1, a: [{ b: '${USER}' }, 2, true, null], c: { d: 'x${PW}' } };
    expect(expandEnv(tree, ENV)).toEqual({
      value: { '${USER}': 1, a: [{ b: 'admin' }, 2, true, null], c: { d: 'xp@ss$word' } },
      issues: [],
    });
  });

  it('reports every unset variable with its key path', () => {
    const { issues } = expandEnv({ clusters: [{ basicAuth: { password: '${A}' } }, { url: '${B}' }] }, {});
    expect(issues).toEqual([
      { path: ['clusters', 0, 'basicAuth', 'password'], message: 'environment variable A is not set' },
      { path: ['clusters', 1, 'url'], message: 'environment variable B is not set' },
    ]);
  });

  it('keeps a __proto__ key as a plain key', () => {
    const tree = JSON.parse('{"__proto__": {"polluted": "${USER}"}}') as unknown;
    const { value } = expandEnv(tree, ENV);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(value as object)).toEqual(['__proto__']);
  });

  it('stops at absurd nesting instead of exhausting the stack', () => {
    let tree: unknown = 'leaf';
    for (let i = 0; i < 100; i++) tree = [tree];
    const { issues } = expandEnv(tree, ENV);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe('nested deeper than 64 levels');
  });
});
