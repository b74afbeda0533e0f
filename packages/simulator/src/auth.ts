// The basic-auth extension's rules (JaasBasicAuthFilter, docs/connect-rest-api.md §6): a missing, malformed or wrong
// `Authorization` header is a 401; a value that is not base64 escapes the filter as a 500.

export interface BasicAuthCredentials {
  username: string;
  password: string;
}

export type AuthOutcome = { kind: 'allowed' } | { kind: 'denied' } | { kind: 'error'; message: string };

export function checkBasicAuth(header: string | undefined, expected: BasicAuthCredentials): AuthOutcome {
  if (header === undefined) return { kind: 'denied' };
  const space = header.indexOf(' ');
  if (space <= 0 || header.slice(0, space).toLowerCase() !== 'basic') return { kind: 'denied' };
  const decoded = decodeJavaBase64(header.slice(space + 1));
  if (typeof decoded !== 'string') return { kind: 'error', message: decoded.error };
  const colon = decoded.indexOf(':');
  if (colon <= 0) return { kind: 'denied' };
  return decoded.slice(0, colon) === expected.username && decoded.slice(colon + 1) === expected.password
    ? { kind: 'allowed' }
    : { kind: 'denied' };
}

const BASE64_ALPHABET = /^[A-Za-z0-9+/]*$/;

/** `Base64.getDecoder().decode()`: strict alphabet, optional padding, with Java's IllegalArgumentException texts. */
function decodeJavaBase64(text: string): string | { error: string } {
  const unpadded = text.replace(/={1,2}$/, '');
  if (!BASE64_ALPHABET.test(unpadded)) {
    const bad = [...unpadded].find((char) => !/[A-Za-z0-9+/]/.test(char))!;
    return { error: `Illegal base64 character ${bad.charCodeAt(0).toString(16)}` };
  }
  if (unpadded.length % 4 === 1) return { error: 'Last unit does not have enough valid bits' };
  if (unpadded !== text && text.length % 4 !== 0) return { error: 'Input byte array has wrong 4-byte ending unit' };
  return Buffer.from(unpadded, 'base64').toString('utf8');
}
