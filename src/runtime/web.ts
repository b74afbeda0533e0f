// The web section as the HTTP server takes it: who may read (basic auth, bearer token), the API token for the write
// actions, and the listener's TLS. Secrets are revealed here, at their point of use, and nowhere else.

import type { Config } from '../config/schema.ts';
import type { ServerDeps, WebSecurity } from '../http/server.ts';

export function webSecurity(config: Config): WebSecurity {
  const { web, api } = config;
  return {
    credentials: {
      ...(web.basicAuth ? { basicAuth: { username: web.basicAuth.username, password: web.basicAuth.password.reveal() } } : {}),
      ...(web.bearerToken ? { bearerToken: web.bearerToken.reveal() } : {}),
    },
    apiToken: api.token?.reveal(),
  };
}

/** Read once at start: the listener's TLS takes effect only after a restart of connect-sentinel. */
export function httpsOf(config: Config): ServerDeps['https'] {
  const tls = config.web.tls;
  if (!tls) return undefined;
  return { cert: tls.cert, key: tls.key.reveal(), ...(tls.clientCa ? { ca: tls.clientCa, requestCert: true } : {}) };
}
