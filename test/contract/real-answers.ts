// Recordings of real Kafka Connect's answers (test/fixtures/real-answers/<version>.json): the same requests are sent to
// a real worker (test/kafka/real-connect.test.ts, which also writes the recordings with UPDATE_RECORDINGS=1) and to the
// simulator (test/contract/simulator-real-answers.test.ts), and both must answer as recorded.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The connector the probes are about: one source task, FAILED at its start; the connector instance RUNNING. */
export const PROBE_CONNECTOR = 'probe-source';

/** The first line of its task's trace: the fault plugin's exception and message (`fault.message`). */
export const PROBE_TRACE = 'org.apache.kafka.connect.errors.ConnectException: probe';

/** Requests whose answers need no more than the probe connector. The bulk restart comes last: it changes the task. */
export const PROBES = [
  { name: 'status of an unknown connector', method: 'GET', path: '/connectors/no-such-connector/status' },
  { name: 'status of an unknown task', method: 'GET', path: `/connectors/${PROBE_CONNECTOR}/tasks/7/status` },
  { name: 'restart of an unknown connector', method: 'POST', path: '/connectors/no-such-connector/restart?includeTasks=true&onlyFailed=true' },
  { name: 'restart of an unknown task', method: 'POST', path: `/connectors/${PROBE_CONNECTOR}/tasks/7/restart` },
  { name: 'pause of an unknown connector', method: 'PUT', path: '/connectors/no-such-connector/pause' },
  { name: 'bulk restart of a FAILED task', method: 'POST', path: `/connectors/${PROBE_CONNECTOR}/restart?includeTasks=true&onlyFailed=true` },
] as const;

export interface RecordedAnswer {
  name: string;
  status: number;
  /** The JSON body with worker ids replaced, or the text when it is not JSON; null for no body. */
  body: unknown;
}

const RECORDINGS_DIR = join(import.meta.dirname, '../fixtures/real-answers');

/**
 * Worker ids (host:port) differ from run to run, and a trace's frames from one build and JVM to the next: a trace
 * keeps its first line (the exception and its message), its frames become "…".
 */
export function normalise(name: string, status: number, text: string): RecordedAnswer {
  if (text === '') return { name, status, body: null };
  const reviver = (key: string, value: unknown) =>
    key === 'worker_id' ? '<worker>' : key === 'trace' && typeof value === 'string' ? `${value.split('\n')[0]}\n…` : value;
  try {
    return { name, status, body: JSON.parse(text, reviver) };
  } catch {
    return { name, status, body: text };
  }
}

export function readRecording(version: string): RecordedAnswer[] {
  return JSON.parse(readFileSync(join(RECORDINGS_DIR, `${version}.json`), 'utf8')) as RecordedAnswer[];
}

export function writeRecording(version: string, answers: readonly RecordedAnswer[]): void {
  writeFileSync(join(RECORDINGS_DIR, `${version}.json`), `${JSON.stringify(answers, null, 2)}\n`);
}
