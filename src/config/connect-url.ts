// Checks one Kafka Connect worker URL. Messages never contain the URL: it may carry credentials.

export type UrlCheck = { ok: true; url: string } | { ok: false; message: string };

/** Accepts http(s) URLs without credentials, query or fragment; returns them without a trailing slash. */
export function checkConnectUrl(text: string): UrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: 'not a valid URL (expected e.g. http://connect:8083)' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'credentials are not allowed in URLs' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, message: 'must start with http:// or https://' };
  }
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(text)) {
    return { ok: false, message: 'must not have a query or fragment' };
  }
  return { ok: true, url: `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}` };
}
