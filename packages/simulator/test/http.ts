// Loopback HTTP helpers for simulator tests.

import { request } from 'undici';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: string;
}

export async function call(base: { url: string }, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const response = await request(`${base.url}${path}`, {
    method: method as 'GET',
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

export async function get(base: { url: string }, path: string, options: CallOptions = {}): Promise<Reply> {
  return call(base, 'GET', path, options);
}

/** The parsed body; fails the test with the body text when it is not JSON. */
export function json(reply: Reply): unknown {
  try {
    return JSON.parse(reply.text);
  } catch {
    throw new Error(`not JSON (HTTP ${reply.status}): ${reply.text.slice(0, 200)}`);
  }
}

export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}
