// Two benchmark runs side by side at their largest size, as a markdown section (bench/compare.ts).

import type { SuiteResult } from '../suite.ts';

type Size = SuiteResult['sizes'][number];
const largest = (result: SuiteResult): Size => result.sizes[result.sizes.length - 1]!;
const ms = (value: number): string => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

const rows: Array<[string, (size: Size) => number, (value: number) => string]> = [
  ['poll, unchanged cluster', (size) => size.pollCost.comparison.subject.wallMs, ms],
  ['poll, 1% churn', (size) => size.pollCost.churned.comparison.subject.wallMs, ms],
  ['poll, 1% churn: CPU of this process', (size) => size.pollCost.churned.comparison.subject.cpuMs, ms],
  ['scrape, plain', (size) => size.scrapeCost.plain.subject.wallMs, ms],
  ['scrape, gzip', (size) => size.scrapeCost.gzip.subject.wallMs, ms],
  ['first gzip scrape after a churned poll', (size) => size.scrapeCost.gzipFirstAfterChurnedPoll.comparison.subject.wallMs, ms],
  ['gzip scrape while polling, p99', (size) => size.scrapeCost.duringPoll.underPolling.p99Ms, ms],
  ['gzip scrape while polling, max', (size) => size.scrapeCost.duringPoll.underPolling.maxMs, ms],
  ['peak RSS over 100 polls with churn', (size) => size.memory.peakRss, mb],
  ['retained after the last poll (heap + external)', (size) => size.memory.samples[size.memory.samples.length - 1]!.retained, mb],
  ['gzip body', (size) => size.scrapeCost.gzipBytes, mb],
];

export function compareRuns(before: SuiteResult, after: SuiteResult, title: string): string {
  const b = largest(before);
  const a = largest(after);
  const lines = [
    `## ${title}`,
    '',
    `${a.connectors.toLocaleString('en-US')} connectors, ${a.tasks.toLocaleString('en-US')} tasks. Before: run of ${before.startedAt}; after: run of ${after.startedAt}; same machine (${after.machine.cpus} cores, Node.js ${after.machine.node}).`,
    '',
    '| figure | before | after | after / before |',
    '| --- | --- | --- | --- |',
    ...rows.map(([label, figure, format]) => `| ${label} | ${format(figure(b))} | ${format(figure(a))} | ${(figure(a) / figure(b)).toFixed(2)}× |`),
  ];
  const cycles = (result: SuiteResult) => result.manyClusters[result.manyClusters.length - 1]!;
  const mcB = cycles(before);
  const mcA = cycles(after);
  lines.push(
    `| ${mcA.clusters} clusters × ${mcA.connectorsPerCluster} connectors, one cycle (unbounded) | ${ms(mcB.unbounded.cycleMs)} | ${ms(mcA.unbounded.cycleMs)} | ${(mcA.unbounded.cycleMs / mcB.unbounded.cycleMs).toFixed(2)}× |`,
  );
  return `${lines.join('\n')}\n`;
}
