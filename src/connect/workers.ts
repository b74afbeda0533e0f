// The configured worker URLs and credentials, checked once when a client is created.

import { SentinelError } from '../errors.ts';

export interface WorkerTarget {
  /** `scheme://host:port`, the only place a request (and so a credential) is ever sent. */
  origin: string;
  /** A path prefix for workers behind a reverse proxy (`https://gw/connect`); '' for most. */
  basePath: string;
  /** Origin and base path: safe to log and to put in error messages. */
  label: string;
}

export type ConnectAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'bearer'; token: string };

/** Error messages never repeat a URL given here: it could carry a password in its userinfo. */
export function parseWorkerUrls(urls: readonly string[]): WorkerTarget[] {
  if (urls.length === 0) throw new SentinelError('CS_ERR_CONFIG_INVALID', 'at least one Kafka Connect worker URL is required');
  return urls.map((raw, index) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new SentinelError('CS_ERR_CONFIG_INVALID', `worker URL #${index + 1} is not a valid URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SentinelError('CS_ERR_CONFIG_INVALID', `worker URL #${index + 1} must use http or https`);
    }
    if (url.username !== '' || url.password !== '') {
      throw new SentinelError(
        'CS_ERR_CONFIG_INVALID',
        `worker URL #${index + 1} must not contain credentials; configure them as auth instead`,
      );
    }
    if (url.search !== '' || url.hash !== '') {
      throw new SentinelError('CS_ERR_CONFIG_INVALID', `worker URL #${index + 1} must not have a query or fragment`);
    }
    const basePath = url.pathname.replace(/\/+$/, '');
    return { origin: url.origin, basePath, label: url.origin + basePath };
  });
}

/** The Authorization header value, or undefined for no auth. Never logged. */
export function authorizationHeader(auth: ConnectAuth): string | undefined {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'basic':
      return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
    case 'bearer':
      return `Bearer ${auth.token}`;
  }
}
