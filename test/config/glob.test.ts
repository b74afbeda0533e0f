import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobs, globSchema } from '../../src/config/glob.ts';

describe('compileGlob', () => {
  it.each([
    ['*', '', true],
    ['*', 'a/b.c', true],
    ['jdbc-*', 'jdbc-orders', true],
    ['jdbc-*', 'jdbc-', true],
    ['jdbc-*', 'xjdbc-orders', false],
    ['*.ConfigException', 'org.apache.kafka.common.config.ConfigException', true],
    ['*.ConfigException', 'ConfigException', false],
    ['io.confluent.connect.jdbc.*', 'io.confluent.connect.jdbc.JdbcSinkConnector', true],
    ['prod-?', 'prod-1', true],
    ['prod-?', 'prod-12', false],
    ['prod-?', 'prod-', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYc-', false],
    ['Orders', 'orders', false],
    ['a.b', 'aXb', false],
    ['[x]', '[x]', true],
    ['(a|b)+', '(a|b)+', true],
    ['?', '😀', true],
    ['*ab', 'aab', true],
    ['**', 'anything', true],
  ])('%s matches %s: %s', (pattern, subject, expected) => {
    expect(compileGlob(pattern)(subject)).toBe(expected);
  });

  it('agrees with an anchored regular expression for any pattern and subject', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '/', '*', '?');
    const text = fc.array(alphabet, { maxLength: 10 }).map((chars) => chars.join(''));
    fc.assert(
      fc.property(text, text, (pattern, subject) => {
        const source = [...pattern].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
        expect(compileGlob(pattern)(subject)).toBe(new RegExp(`^${source}$`, 's').test(subject));
      }),
    );
  });

  it('stays fast on patterns that make backtracking regular expressions explode', () => {
    const pattern = `${'*a'.repeat(20)}*b`;
    // A correctness check on a pathological input; a backtracking matcher would not return in any useful time.
    expect(compileGlob(pattern)('a'.repeat(5000))).toBe(false);
  });
});

describe('compileGlobs', () => {
  it('matches when any pattern matches, and an empty list matches nothing', () => {
    expect(compileGlobs(['a*', 'b*'])('bc')).toBe(true);
    expect(compileGlobs(['a*', 'b*'])('cb')).toBe(false);
    expect(compileGlobs([])('a')).toBe(false);
  });
});

describe('globSchema', () => {
  it('rejects an empty pattern', () => {
    const result = globSchema.safeParse('');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('glob must not be empty');
  });
});
