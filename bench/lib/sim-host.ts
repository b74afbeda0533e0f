// Starts the simulated clusters of a benchmark in a child process (sim-child.ts) and talks to it over IPC.

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ChurnSummary } from '../../packages/simulator/src/index.ts';
import type { ChildMessage, HostMessage, RequestCounts, SimulatedCluster } from './sim-protocol.ts';

export interface SimulatorFarm {
  /** Base URL of each cluster, in the order given. */
  readonly urls: readonly string[];
  churn(cluster: number, seed: number, operations?: number): Promise<ChurnSummary>;
  /** Requests the cluster answered since the last reset, by kind; `reset` starts a new count. */
  requests(cluster: number, reset?: boolean): Promise<RequestCounts>;
  size(cluster: number): Promise<{ connectors: number; tasks: number }>;
  close(): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const CHILD = fileURLToPath(new URL('./sim-child.ts', import.meta.url));

export async function startSimulatorFarm(clusters: readonly SimulatedCluster[]): Promise<SimulatorFarm> {
  // No inherited flags: the child must not write its own CPU profile or expose gc.
  const child = fork(CHILD, [JSON.stringify(clusters)], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  child.on('message', (message: ChildMessage) => {
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new Error(`simulator process: ${message.error}`));
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`simulator process exited (${code})`));
    pending.clear();
  });

  const ready = new Promise<unknown>((resolve, reject) => pending.set(0, { resolve, reject }));
  const urls = (await ready) as string[];

  const call = <T>(message: DistributiveOmit<HostMessage, 'id'>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ ...message, id });
    });

  return {
    urls,
    churn: (cluster, seed, operations) =>
      call({ op: 'churn', cluster, seed, ...(operations === undefined ? {} : { operations }) }),
    requests: (cluster, reset = false) => call({ op: 'requests', cluster, reset }),
    size: (cluster) => call({ op: 'size', cluster }),
    close: () => stopChild(child),
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.disconnect();
  await exited;
}
