// Fixed texts of the Connect REST wire (docs/connect-rest-api.md §1, §4, §6), byte for byte.

/** The basic-auth filter's 401 body: plain text, yet served as application/json. */
export const UNAUTHORIZED_BODY = 'User cannot access the resource.';

/** JAX-RS routing errors: served without a Content-Type header. */
export const JAXRS_MESSAGES = {
  404: 'HTTP 404 Not Found',
  405: 'HTTP 405 Method Not Allowed',
  415: 'HTTP 415 Unsupported Media Type',
} as const;

export const MESSAGES = {
  staleConfig:
    'Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change)',
  rebalanceExpected: 'Request cannot be completed because a rebalance is expected',
  connectorNotFound: (name: string) => `Connector ${name} not found`,
  noConnectorStatus: (name: string) => `No status found for connector ${name}`,
  noTaskStatus: (name: string, task: number) => `No status found for task ${name}-${task}`,
  restartUnknownConnector: (name: string) => `Unknown connector: ${name}`,
  restartUnknownTask: (name: string, task: number) => `Unknown task: ${name}-${task}`,
  restartNoStatus: (name: string) => `Status for connector ${name} not found`,
  targetStateUnknownConnector: (name: string) => `Unknown connector ${name}`,
  alreadyExists: (name: string) => `Connector ${name} already exists`,
  topicTrackingDisabled: 'Topic tracking is disabled.',
  healthy: 'Worker has completed startup and is ready to handle requests.',
  starting: 'Worker is still starting up.',
  unhealthy: 'Worker was unable to handle this request and may be unable to handle other requests.',
} as const;

export function errorBody(status: number, message: string | null): string {
  return JSON.stringify({ error_code: status, message });
}

/** Jetty 9.4's default error page, served while the REST resources are not registered (capture errors/23). */
export function jettyNotFoundPage(uri: string): string {
  return (
    '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html;charset=ISO-8859-1"/>\n' +
    '<title>Error 404 Not Found</title>\n</head>\n<body><h2>HTTP ERROR 404 Not Found</h2>\n<table>\n' +
    `<tr><th>URI:</th><td>${escapeHtml(uri)}</td></tr>\n` +
    '<tr><th>STATUS:</th><td>404</td></tr>\n<tr><th>MESSAGE:</th><td>Not Found</td></tr>\n' +
    '<tr><th>SERVLET:</th><td>-</td></tr>\n</table>\n\n</body>\n</html>\n'
  );
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Jetty's `StringUtil.sanitizeXmlString`. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => XML_ENTITIES[char]!);
}
