// The benchmarks at a tiny size, so that they cannot rot: every figure is produced and well formed, requests to
// Kafka Connect are counted exactly, and the report renders. No timing is asserted (the machine may be busy).

import { beforeAll, describe, expect, it } from 'vitest';
import { SMOKE_PLAN } from '../../bench/plan.ts';
import { renderResults } from '../../bench/report.ts';
import { runSuite, type SuiteResult } from '../../bench/suite.ts';
import type { Comparison } from '../../bench/lib/measure.ts';

let result: SuiteResult;

beforeAll(async () => {
  result = await runSuite(SMOKE_PLAN);
}, 120_000);

function expectPositive(value: number): void {
  expect(Number.isFinite(value)).toBe(true);
  expect(value).toBeGreaterThan(0);
}

function expectComparison(comparison: Comparison, repeats: number): void {
  for (const figure of [comparison.subject, comparison.baseline]) {
    expectPositive(figure.wallMs);
    expect(Number.isFinite(figure.cpuMs)).toBe(true);
    expect(figure.repeats).toBe(repeats);
  }
  expectPositive(comparison.ratio);
}

describe('benchmark smoke run', () => {
  it('measures every size of the plan on the generated fleet', () => {
    expect(result.sizes.map((size) => size.connectors)).toEqual(SMOKE_PLAN.sizes);
    for (const size of result.sizes) {
      expect(size.tasks).toBe(size.connectors * SMOKE_PLAN.fleet.tasksPerConnector);
    }
    expect(result.machine.cpus).toBeGreaterThan(0);
    expectPositive(result.durationMs);
  });

  it('times the poll and the scrape against their floors', () => {
    for (const size of result.sizes) {
      expectComparison(size.pollCost.comparison, SMOKE_PLAN.repeats);
      expectComparison(size.pollCostDropZeroStates.comparison, SMOKE_PLAN.repeats);
      expectPositive(size.pollCost.bodyBytes);
      expectPositive(size.pollCost.fetchDecodeMs);
      for (const comparison of [size.scrapeCost.plain, size.scrapeCost.gzip, size.scrapeCost.gzipFirstAfterPoll]) {
        expectComparison(comparison, SMOKE_PLAN.repeats);
      }
      expectComparison(size.scrapeCost.gzipFirstAfterChurnedPoll.comparison, SMOKE_PLAN.repeats);
      expectPositive(size.pollCost.churned.fetchDecodeMs);
      for (const churned of [size.pollCost.churned, size.pollCostDropZeroStates.churned]) {
        expectComparison(churned.comparison, SMOKE_PLAN.repeats);
      }
      expect(size.scrapeCost.gzipBytes).toBeLessThan(size.scrapeCost.bytes);
    }
  });

  it('changes the simulated cluster before each churned round, by the plan\'s share', () => {
    for (const size of result.sizes) {
      const operations = Math.max(1, Math.round(SMOKE_PLAN.churnShare * size.connectors));
      for (const { churn } of [size.pollCost.churned, size.pollCostDropZeroStates.churned, size.scrapeCost.gzipFirstAfterChurnedPoll]) {
        expect(churn.share).toBe(SMOKE_PLAN.churnShare);
        expect(churn.operationsPerRound).toBe(operations);
        expect(churn.rounds).toBe(SMOKE_PLAN.repeats);
        const done = Object.values(churn.effect).reduce((sum, value) => sum + value, 0);
        expect(done).toBeGreaterThan(0);
        expect(done).toBeLessThanOrEqual(operations * churn.rounds);
      }
    }
  });

  it('answers every scrape while a poll is held in flight', () => {
    for (const { scrapeCost } of result.sizes) {
      expect(scrapeCost.duringPoll.scrapes).toBe(SMOKE_PLAN.repeats);
      expect(scrapeCost.duringPoll.answeredDuringPoll).toBe(scrapeCost.duringPoll.scrapes);
      expectPositive(scrapeCost.duringPoll.heldMs);
      const { underPolling, readyBuffer } = scrapeCost.duringPoll;
      expect(underPolling.scrapes).toBeGreaterThanOrEqual(100);
      expect(readyBuffer.scrapes).toBe(underPolling.scrapes);
      expect(underPolling.polls).toBeGreaterThanOrEqual(3);
      for (const spread of [underPolling, readyBuffer]) {
        expectPositive(spread.p50Ms);
        expect(spread.p99Ms).toBeGreaterThanOrEqual(spread.p50Ms);
        expect(spread.maxMs).toBeGreaterThanOrEqual(spread.p99Ms);
      }
    }
  });

  it('counts one status request per poll, and N+1 for the peers pattern', () => {
    for (const size of result.sizes) {
      const { counts, nPlusOneCounts } = size.requests;
      // A fresh service reads the worker's version and the plugins once, at its first poll.
      expect(counts).toEqual({ ...zeroCounts(), expandedStatus: SMOKE_PLAN.countedPolls, root: 1, plugins: 1 });
      expect(size.requests.statusPerPoll).toBe(1);
      expect(nPlusOneCounts).toEqual({ ...zeroCounts(), list: 1, connectorStatus: size.connectors });
      expect(size.requests.nPlusOnePerPoll).toBe(size.connectors + 1);
      expectComparison(size.requests.time, SMOKE_PLAN.nPlusOne.repeats);
    }
  });

  it('samples memory over the polls with churn', () => {
    for (const { memory } of result.sizes) {
      expect(memory.polls).toBe(SMOKE_PLAN.memory.polls);
      expect(memory.samples.map((sample) => sample.poll)).toEqual([1, 2, 4, 6]);
      for (const sample of memory.samples) {
        expectPositive(sample.retained);
        expectPositive(sample.series);
      }
      expect(memory.peakRss).toBeGreaterThan(memory.peakHeapUsed);
      expectPositive(memory.peakExternal);
      expectPositive(memory.bytesPerSeries);
      expectPositive(memory.growth);
      const churned = Object.values(memory.churn).reduce((sum, value) => sum + value, 0);
      expect(churned).toBeGreaterThan(0);
    }
  });

  it('counts series per connector and per task in both metrics modes', () => {
    for (const { cardinality } of result.sizes) {
      const { full, dropZeroStates } = cardinality;
      // Six connector states, info and worker info; five task states and info; more while FAILED.
      expect(full.perConnector).toBeGreaterThanOrEqual(8);
      expect(full.perTask).toBeGreaterThanOrEqual(6);
      expect(dropZeroStates.perConnector).toBeGreaterThanOrEqual(3);
      expect(dropZeroStates.perTask).toBeGreaterThanOrEqual(2);
      expect(full.series.task - dropZeroStates.series.task).toBe(4 * cardinality.tasks);
      expect(full.series.connector - dropZeroStates.series.connector).toBe(5 * cardinality.connectors);
      expect(dropZeroStates.bytes).toBeLessThan(full.bytes);
    }
  });

  it('polls many clusters alone, unbounded and bounded', () => {
    expect(result.manyClusters).toHaveLength(SMOKE_PLAN.manyClusters.connectorsPerCluster.length);
    for (const many of result.manyClusters) {
      expect(many.clusters).toBe(SMOKE_PLAN.manyClusters.clusters);
      expect(many.bounded.concurrency).toBe(SMOKE_PLAN.manyClusters.concurrency);
      expectPositive(many.slowestSingleMs);
      expect(many.sumOfSinglesMs).toBeGreaterThanOrEqual(many.slowestSingleMs);
      for (const cycle of [many.unbounded, many.bounded]) {
        expectPositive(cycle.cycleMs);
        expectPositive(cycle.worstReportedPollMs);
      }
    }
  });

  it('profiles the poll and the scrape at the largest size', () => {
    const largest = result.sizes.at(-1)!;
    for (const summary of [largest.pollCost.profile, largest.scrapeCost.profile]) {
      expect(summary).toBeDefined();
      expectPositive(summary!.totalMs);
      expect(summary!.self.length).toBeGreaterThan(0);
      expect(summary!.total.some((frame) => frame.frame.includes('(src/'))).toBe(true);
    }
  });

  it('renders the report with every section and no missing figure', () => {
    const report = renderResults(result, 'the gap notes');
    for (const heading of ['## Headline', '## Growth with the work', '## Many clusters', '## Cardinality', '## Memory samples', '## CPU profiles', '## Gaps and their causes']) {
      expect(report).toContain(heading);
    }
    expect(report).toMatch(/\| (PASS|GAP) \|/);
    expect(report).not.toMatch(/NaN|undefined|Infinity/);
    expect(report.trimEnd().endsWith('the gap notes')).toBe(true);
  });
});

function zeroCounts() {
  return { expandedStatus: 0, list: 0, connectorStatus: 0, connectorInfo: 0, root: 0, plugins: 0, other: 0 };
}

describe('compareRuns (bench/compare.ts)', () => {
  it('sets two runs side by side with the ratio of each figure', async () => {
    const { compareRuns } = await import('../../bench/lib/compare-runs.ts');
    const heavier = structuredClone(result);
    heavier.sizes.at(-1)!.memory.peakRss *= 2;
    const table = compareRuns(result, heavier, 'Two designs').split('\n');
    expect(table[0]).toBe('## Two designs');
    const rows = table.filter((line) => line.startsWith('| ') && !line.startsWith('| figure') && !line.startsWith('| ---'));
    expect(rows).toHaveLength(12);
    expect(rows.find((row) => row.startsWith('| peak RSS'))).toMatch(/\| 2\.00× \|$/);
    expect(rows.filter((row) => !row.startsWith('| peak RSS')).every((row) => row.endsWith('| 1.00× |'))).toBe(true);
  });
});
