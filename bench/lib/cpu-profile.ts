// CPU profiles of one phase of a benchmark (the V8 sampling profiler that `--cpu-prof` uses, started and stopped
// around the phase through node:inspector), summarised as the frames with the most self time and the most total
// time (self plus callees): self time says which line burns the CPU, total time says which step of the work it is.

import { Session } from 'node:inspector/promises';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The subset of a `.cpuprofile` (Chrome DevTools Profiler.Profile) that the summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileFrame {
  /** `name (file:line)`, the file relative to the repository. */
  frame: string;
  /** Share of all sampled time. */
  share: number;
  ms: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** By time spent in the frame itself. */
  self: ProfileFrame[];
  /** By time spent in the frame and everything it called; only frames of this repository (src/, bench/). */
  total: ProfileFrame[];
}

const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `work` under the sampling profiler (a sample every `intervalUs`) and returns the profile. */
export async function profile(work: () => Promise<void>, intervalUs = 200): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    let stopped: Promise<{ profile: CpuProfile }>;
    try {
      await work();
    } finally {
      stopped = session.post('Profiler.stop') as Promise<{ profile: CpuProfile }>;
    }
    return (await stopped).profile;
  } finally {
    session.disconnect();
  }
}

/** The `limit` frames with the most self and the most total time; frames of one function at one place are merged. */
export function summarise(profile: CpuProfile, limit = 12): ProfileSummary {
  const labels = new Map(profile.nodes.map((node) => [node.id, frameLabel(node.callFrame)]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);

  const selfUs = new Map<string, number>();
  const totalUs = new Map<string, number>();
  let allUs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let index = 0; index < samples.length; index += 1) {
    // A sample's time is the delta to the next one (the last has none).
    const us = deltas[index + 1] ?? 0;
    const leaf = samples[index]!;
    allUs += us;
    add(selfUs, labels.get(leaf) ?? '?', us);
    // A recursive function counts once per sample.
    const onStack = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parents.get(id)) {
      onStack.add(labels.get(id) ?? '?');
    }
    for (const label of onStack) if (isOwnCode(label)) add(totalUs, label, us);
  }
  const top = (times: Map<string, number>): ProfileFrame[] =>
    [...times.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([frame, us]) => ({ frame, ms: us / 1000, share: allUs === 0 ? 0 : us / allUs }));
  return { totalMs: allUs / 1000, self: top(selfUs), total: top(totalUs) };
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function isOwnCode(label: string): boolean {
  return label.includes('(src/') || label.includes('(bench/');
}

function frameLabel(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name;
  const file = frame.url.startsWith('file://') ? relative(REPOSITORY, fileURLToPath(frame.url)) : frame.url;
  return `${name} (${file}:${frame.lineNumber + 1})`;
}
