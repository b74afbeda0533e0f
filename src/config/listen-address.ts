// `host:port`, `[::1]:port` or `:port` (every interface), as Prometheus exporters spell --web.listen-address.

import { isIPv6 } from 'node:net';
import { SentinelError } from '../errors.ts';
import { quote } from './quote.ts';

export interface ListenAddress {
  /** undefined: every interface. */
  host: string | undefined;
  /** 0 lets the OS pick a free port (tests). */
  port: number;
}

const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/;

function invalid(text: string): SentinelError {
  return new SentinelError(
    'CS_ERR_CONFIG_INVALID',
    `invalid listen address ${quote(text)}: use host:port, [::1]:9843 or :9843`,
  );
}

export function parseListenAddress(text: string): ListenAddress {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw invalid(text);
  const hostPart = text.slice(0, colon);
  const portPart = text.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portPart) || Number(portPart) > 65_535) throw invalid(text);
  const port = Number(portPart);
  if (hostPart === '') return { host: undefined, port };
  if (hostPart.startsWith('[') && hostPart.endsWith(']')) {
    const host = hostPart.slice(1, -1);
    if (!isIPv6(host)) throw invalid(text);
    return { host, port };
  }
  if (!HOST_NAME.test(hostPart)) throw invalid(text);
  return { host: hostPart, port };
}
