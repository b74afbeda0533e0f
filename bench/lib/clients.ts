// Wrappers around the real Connect client, handed to openService as `createClient`: one holds status polls at a gate
// (to scrape while a poll is provably in flight), one bounds how many status polls run at once across clusters.

import { createConnectClient, type ConnectClient, type ConnectClientOptions } from '../../src/connect/client.ts';

export interface PollGate {
  createClient(options: ConnectClientOptions): ConnectClient;
  /**
   * Closes the gate: the next status poll stops before its request until `release()`. `reached` resolves when a
   * poll is waiting at the gate.
   */
  hold(): { reached: Promise<void>; release(): void };
}

export function pollGate(): PollGate {
  let gate: { arrive(): void; opened: Promise<void> } | undefined;
  return {
    createClient(options) {
      const client = createConnectClient(options);
      return withPollStatus(client, async (signal) => {
        const current = gate;
        if (current !== undefined) {
          current.arrive();
          await current.opened;
        }
        return client.pollStatus(signal);
      });
    },
    hold() {
      const reached = Promise.withResolvers<void>();
      const opened = Promise.withResolvers<void>();
      gate = { arrive: reached.resolve, opened: opened.promise };
      return {
        reached: reached.promise,
        release: () => {
          gate = undefined;
          opened.resolve();
        },
      };
    },
  };
}

/** At most `limit` status polls in flight across every client made here; the others queue in order. */
export function limitedClients(limit: number): (options: ConnectClientOptions) => ConnectClient {
  let running = 0;
  const queue: Array<() => void> = [];
  const acquire = async (): Promise<void> => {
    if (running < limit) {
      running += 1;
      return;
    }
    await new Promise<void>((resolve) => queue.push(resolve));
  };
  const release = (): void => {
    const next = queue.shift();
    // The slot passes straight to the next in line.
    if (next === undefined) running -= 1;
    else next();
  };
  return (options) => {
    const client = createConnectClient(options);
    return withPollStatus(client, async (signal) => {
      await acquire();
      try {
        return await client.pollStatus(signal);
      } finally {
        release();
      }
    });
  };
}

/** The client with another pollStatus; every other call goes to the client itself (its methods use private fields). */
function withPollStatus(client: ConnectClient, pollStatus: ConnectClient['pollStatus']): ConnectClient {
  return {
    cluster: client.cluster,
    pollStatus,
    getWorkerInfo: (signal) => client.getWorkerInfo(signal),
    getPlugins: (signal) => client.getPlugins(signal),
    getHealth: (signal) => client.getHealth(signal),
    restartConnector: (connector, options, signal) => client.restartConnector(connector, options, signal),
    restartTask: (connector, task, signal) => client.restartTask(connector, task, signal),
    close: () => client.close(),
  };
}
