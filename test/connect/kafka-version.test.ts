import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAtLeast, parseWorkerVersion, supports, type Feature } from '../../src/connect/kafka-version.ts';

describe('parseWorkerVersion', () => {
  it.each([
    { version: '3.9.0', reported: [3, 9], confluent: false, kafka: [3, 9] },
    { version: '2.1.1', reported: [2, 1], confluent: false, kafka: [2, 1] },
    { version: '0.10.2.1', reported: [0, 10], confluent: false, kafka: [0, 10] },
    { version: '4.1.0-SNAPSHOT', reported: [4, 1], confluent: false, kafka: [4, 1] },
    { version: '3.9.0-rc3', reported: [3, 9], confluent: false, kafka: [3, 9] },
    { version: '5.5.0-ccs', reported: [5, 5], confluent: true, kafka: [2, 5] },
    { version: '5.3.1-ccs', reported: [5, 3], confluent: true, kafka: [2, 3] },
    { version: '6.0.0-ccs', reported: [6, 0], confluent: true, kafka: [2, 6] },
    { version: '6.1.1-ccs', reported: [6, 1], confluent: true, kafka: [2, 7] },
    { version: '6.2.4-ccs', reported: [6, 2], confluent: true, kafka: [2, 8] },
    { version: '7.0.1-ccs', reported: [7, 0], confluent: true, kafka: [3, 0] },
    { version: '7.5.0-ccs', reported: [7, 5], confluent: true, kafka: [3, 5] },
    { version: '7.9.0-ccs', reported: [7, 9], confluent: true, kafka: [3, 9] },
    { version: '7.3.0-cc-docker-ksql.119-33-ccs', reported: [7, 3], confluent: true, kafka: [3, 3] },
    { version: '8.0.0-ccs', reported: [8, 0], confluent: true, kafka: [4, 0] },
    { version: '7.4.0-ce', reported: [7, 4], confluent: true, kafka: [3, 4] },
    { version: '4.1.2-ccs', reported: [4, 1], confluent: true, kafka: [1, 1] },
  ])('$version', ({ version, reported, confluent, kafka }) => {
    expect(parseWorkerVersion(version)).toEqual({
      reported: { major: reported[0], minor: reported[1] },
      confluent,
      kafka: { major: kafka[0], minor: kafka[1] },
    });
  });

  it('leaves a Confluent version with no known Kafka counterpart unmapped', () => {
    expect(parseWorkerVersion('6.5.0-ccs')).toEqual({
      reported: { major: 6, minor: 5 },
      confluent: true,
      kafka: undefined,
    });
  });

  it.each(['', 'unknown', 'v', '3', 'three.nine', '.9.0'])('rejects %j', (version) => {
    expect(parseWorkerVersion(version)).toBeUndefined();
  });

  it('property: never throws, and a parse has a non-negative major and minor', () => {
    fc.assert(
      fc.property(fc.string(), (version) => {
        const parsed = parseWorkerVersion(version);
        if (parsed !== undefined) {
          expect(parsed.reported.major).toBeGreaterThanOrEqual(0);
          expect(parsed.reported.minor).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });
});

describe('supports', () => {
  it.each<[string, Feature, boolean]>([
    ['2.2.1', 'expand', false],
    ['2.3.0', 'expand', true],
    ['5.2.0-ccs', 'expand', false],
    ['5.3.0-ccs', 'expand', true],
    ['2.8.1', 'restartPlan', false],
    ['3.0.0', 'restartPlan', true],
    ['6.2.0-ccs', 'restartPlan', false],
    ['7.0.0-ccs', 'restartPlan', true],
    ['3.4.1', 'stoppedState', false],
    ['3.5.0', 'stoppedState', true],
    ['3.8.1', 'health', false],
    ['3.9.0', 'health', true],
    ['7.8.0-ccs', 'health', false],
    ['7.9.0-ccs', 'health', true],
    ['4.0.0', 'health', true],
    ['8.0.0-ccs', 'health', true],
  ])('%s supports %s: %s', (version, feature, expected) => {
    expect(supports(parseWorkerVersion(version), feature)).toBe(expected);
  });

  it('is undefined when the version is unknown', () => {
    expect(supports(undefined, 'expand')).toBeUndefined();
    expect(supports(parseWorkerVersion('6.9.0-ccs'), 'health')).toBeUndefined();
  });

  it('compares major before minor', () => {
    expect(isAtLeast({ major: 4, minor: 0 }, { major: 3, minor: 9 })).toBe(true);
    expect(isAtLeast({ major: 2, minor: 10 }, { major: 3, minor: 0 })).toBe(false);
    expect(isAtLeast({ major: 3, minor: 9 }, { major: 3, minor: 9 })).toBe(true);
  });
});
