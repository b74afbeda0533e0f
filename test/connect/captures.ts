// Reading the captured Kafka Connect responses in test/fixtures/connect-samples.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLES_DIR } from '../support/samples.ts';

export const SAMPLES = SAMPLES_DIR;

export function sample(path: string): string {
  return readFileSync(join(SAMPLES, path), 'utf8');
}

export interface Capture {
  status: number;
  /** Header lines as captured, in order (names as written). */
  headerLines: string[];
  headers: Record<string, string>;
  body: string;
}

/** The response in an HTTP capture (`curl -i` or raw request and response), its body cut to Content-Length when given. */
export function captureBody(path: string): Capture {
  const lines = sample(path).split('\n');
  const start = lines.findIndex((line) => line.startsWith('HTTP/1.1 '));
  const status = Number(lines[start]?.split(' ')[1]);
  const headerLines: string[] = [];
  const headers: Record<string, string> = {};
  let index = start + 1;
  for (; index < lines.length && lines[index]?.trim() !== ''; index += 1) {
    const line = lines[index] ?? '';
    const colon = line.indexOf(':');
    headerLines.push(line);
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = lines.slice(index + 1).join('\n');
  const length = headers['content-length'];
  return {
    status,
    headerLines,
    headers,
    body: length === undefined ? rest : Buffer.from(rest).subarray(0, Number(length)).toString(),
  };
}

/** The raw status line of a capture, e.g. `HTTP/1.1 401 Unauthorized`. */
export function captureStatusLine(path: string): string {
  return sample(path).split('\n').find((line) => line.startsWith('HTTP/1.1 ')) ?? '';
}
