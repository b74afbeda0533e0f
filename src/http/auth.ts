// Credential checks for connect-sentinel's own endpoints, in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares secrets without leaking their length or content through timing. */
export function secretEquals(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export interface WebCredentials {
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
}

/** True when the Authorization header satisfies one of the configured schemes (or none is configured). */
export function isAuthorized(header: string | undefined, credentials: WebCredentials): boolean {
  const { basicAuth, bearerToken } = credentials;
  if (!basicAuth && bearerToken === undefined) return true;
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && bearerToken !== undefined) return secretEquals(value, bearerToken);
  if (scheme === 'basic' && basicAuth) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Evaluate both comparisons so a wrong user name takes as long as a wrong password.
    const userOk = secretEquals(decoded.slice(0, colon), basicAuth.username);
    const passOk = secretEquals(decoded.slice(colon + 1), basicAuth.password);
    return userOk && passOk;
  }
  return false;
}

/** The token of an `Authorization: Bearer <token>` header, if any. */
export function bearerTokenOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}
