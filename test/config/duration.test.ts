import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationSchema, formatDuration, parseDuration, parseSize, sizeSchema } from '../../src/config/duration.ts';
import { isSentinelError } from '../../src/errors.ts';

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 31_536_000_000],
  ['w', 604_800_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1h30m15s250ms', 5_415_250],
    ['90s', 90_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', '1.5s', '-1s', '30 s', ' 30s', '1s1m', '1m1m', 's', '1S', '5min', '1e3s'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(`invalid duration ${JSON.stringify(text)}: use a number with a unit, e.g. 30s, 5m, 1h`);
  });

  it('rejects durations longer than 10 years, the bound of every duration', () => {
    expect(() => parseDuration('99999999999999y')).toThrow('invalid duration "99999999999999y": too long (at most 10y)');
    // A silence of 280000y once reached a Date past its end; 10y is the bound for every duration.
    expect(() => parseDuration('280000y')).toThrow('invalid duration "280000y": too long (at most 10y)');
    expect(() => parseDuration('522w')).toThrow('too long (at most 10y)');
    expect(parseDuration('10y')).toBe(10 * 365 * 86_400_000);
  });

  it('returns a whole number of ms or throws a SentinelError, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789ywdhms .-'.split('')) }), (text) => {
        try {
          const ms = parseDuration(text);
          expect(Number.isSafeInteger(ms) && ms >= 0).toBe(true);
        } catch (err) {
          expect(isSentinelError(err, 'CS_ERR_CONFIG_INVALID')).toBe(true);
        }
      }),
    );
  });

  it('adds up the parts of any well-formed duration', () => {
    const part = fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined });
    fc.assert(
      fc.property(fc.tuple(part, part, part, part, part, part, part), (counts) => {
        const text = counts.map((count, i) => (count === undefined ? '' : `${count}${UNITS[i]?.[0]}`)).join('');
        fc.pre(text !== '');
        const expected = counts.reduce<number>((sum, count, i) => sum + (count ?? 0) * (UNITS[i]?.[1] ?? 0), 0);
        if (expected <= 10 * 365 * 86_400_000) expect(parseDuration(text)).toBe(expected);
        else expect(() => parseDuration(text)).toThrow('too long (at most 10y)');
      }),
    );
  });

  it('reads back what formatDuration writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 * 31_536_000_000 }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
    );
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [1500, '1s500ms'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('durationSchema', () => {
  it('parses a duration string into ms', () => {
    expect(durationSchema.parse('5m')).toBe(300_000);
  });

  it('explains a number without a unit', () => {
    const result = durationSchema.safeParse(30);
    expect(result.error?.issues[0]?.message).toBe('invalid duration 30: use a number with a unit, e.g. 30s, 5m, 1h');
  });
});

describe('parseSize', () => {
  it.each([
    [1024, 1024],
    ['1024', 1024],
    ['512KiB', 524_288],
    ['64MiB', 67_108_864],
    ['1GiB', 1_073_741_824],
    ['1GB', 1_000_000_000],
    ['10kB', 10_000],
    ['1.5MiB', 1_572_864],
    ['100B', 100],
    ['2 MiB', 2_097_152],
  ] as const)('%j is %d bytes', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  it.each(['64mb', 'MiB', '1.5', '-1KiB', '1 000', '64 megabytes', ''])('rejects %j', (value) => {
    expect(() => parseSize(value)).toThrow(
      `invalid size ${JSON.stringify(value)}: use a number of bytes or a number with a unit, e.g. 512KiB, 64MiB, 1GB`,
    );
  });

  it.each([1.5, -1, Number.POSITIVE_INFINITY])('rejects the number %d', (value) => {
    expect(() => parseSize(value)).toThrow(/^invalid size/);
  });

  it('sizeSchema explains a value of the wrong type', () => {
    expect(sizeSchema.safeParse(true).error?.issues[0]?.message).toBe(
      'invalid size true: use a number of bytes or a number with a unit, e.g. 512KiB, 64MiB, 1GB',
    );
  });
});
