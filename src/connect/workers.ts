// The configured worker URLs and credentials, as requests use them. The URLs were checked at the config edge
// (src/config/connect-url.ts): http or https, no credentials, no query or fragment.

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

export function workerTargets(urls: readonly string[]): WorkerTarget[] {
  return urls.map((text) => {
    const url = new URL(text);
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
