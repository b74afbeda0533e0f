import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHelp, escapeLabelValue, MAX_LABEL_VALUE_LENGTH, familyHeader, familyName, formatValue } from '../../src/metrics/exposition-text.ts';

describe('escapeLabelValue', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a"b', 'a\\"b'],
    ['a\\b', 'a\\\\b'],
    ['a\nb', 'a\\nb'],
    ['\\"\n', '\\\\\\"\\n'],
    ['ends with \\', 'ends with \\\\'],
    ['tab\tand\rreturn stay', 'tab\tand\rreturn stay'],
    ['{braces},commas=equals', '{braces},commas=equals'],
    ['日本語 😀', '日本語 😀'],
  ])('%j becomes %j', (value, escaped) => {
    expect(escapeLabelValue(value)).toBe(escaped);
  });

  it('replaces lone surrogates with U+FFFD, as UTF-8 encoding would', () => {
    expect(escapeLabelValue('a\ud800b\udc00')).toBe('a\ufffdb\ufffd');
    expect(escapeLabelValue('pair \ud83d\ude00 kept')).toBe('pair 😀 kept');
  });

  it('keeps a value of the longest length whole, and cuts a longer one to that length with a hash of the whole', () => {
    const longest = 'x'.repeat(MAX_LABEL_VALUE_LENGTH);
    expect(escapeLabelValue(longest)).toBe(longest);
    const cut = escapeLabelValue(`${longest}y`);
    expect(cut).toHaveLength(MAX_LABEL_VALUE_LENGTH);
    expect(cut).toMatch(/^x{495}…[0-9a-f]{16}$/);
    expect(escapeLabelValue('n'.repeat(200_000))).toHaveLength(MAX_LABEL_VALUE_LENGTH);
  });

  it('keeps long values that differ anywhere apart once cut', () => {
    const base = 'a'.repeat(1000);
    const variants = [base, `${base}b`, `b${base}`, `${base.slice(0, 700)}c${base.slice(701)}`];
    expect(new Set(variants.map(escapeLabelValue)).size).toBe(variants.length);
  });

  it('never splits a surrogate pair, and escapes what it kept', () => {
    const emoji = `${'e'.repeat(494)}😀${'e'.repeat(100)}`;
    const cut = escapeLabelValue(emoji);
    expect(cut.isWellFormed()).toBe(true);
    expect(cut.startsWith(`${'e'.repeat(494)}…`)).toBe(true);
    expect(escapeLabelValue('"'.repeat(600))).toMatch(/^(\\"){495}…[0-9a-f]{16}$/);
  });

  it('gives well-formed values of at most the bound (before escaping) for any input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 1500 }), (value) => {
        const bounded = escapeLabelValue(value).replace(/\\(.)/g, '$1');
        expect(bounded.isWellFormed()).toBe(true);
        expect(bounded.length).toBeLessThanOrEqual(MAX_LABEL_VALUE_LENGTH);
      }),
    );
  });
});

describe('escapeHelp', () => {
  it('escapes only backslash and line feed in the Prometheus format', () => {
    expect(escapeHelp('a\\b\nc"d', 'prometheus')).toBe('a\\\\b\\nc"d');
  });

  it('also escapes double quotes in OpenMetrics', () => {
    expect(escapeHelp('a\\b\nc"d', 'openmetrics')).toBe('a\\\\b\\nc\\"d');
  });
});

describe('formatValue', () => {
  it.each([
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [0.184, '0.184'],
    [1_732_449_600.25, '1732449600.25'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    [-2.5, '-2.5'],
    [Number.NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ])('%d is written %s', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });
});

describe('family headers', () => {
  const counter = { name: 'x_requests_total', type: 'counter', help: 'Requests.' };
  const gauge = { name: 'x_up', type: 'gauge', help: 'Up.' };

  it('name a counter family without _total in OpenMetrics only', () => {
    expect(familyName(counter, 'openmetrics')).toBe('x_requests');
    expect(familyName(counter, 'prometheus')).toBe('x_requests_total');
    expect(familyName(gauge, 'openmetrics')).toBe('x_up');
  });

  it('write HELP then TYPE', () => {
    expect(familyHeader(counter, 'openmetrics')).toBe('# HELP x_requests Requests.\n# TYPE x_requests counter\n');
    expect(familyHeader(counter, 'prometheus')).toBe('# HELP x_requests_total Requests.\n# TYPE x_requests_total counter\n');
  });
});
