// The small landing page every Prometheus exporter serves at `/`.

const LINKS: Array<[string, string]> = [
  ['/metrics', 'Metrics'],
  ['/api/v1/status', 'Connector and task status (JSON)'],
  ['/api/v1/restarts', 'Auto-restart history (JSON)'],
  ['/-/healthy', 'Health'],
  ['/-/ready', 'Readiness'],
];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function landingPage(version: string): string {
  const items = LINKS.map(([href, label]) => `<li><a href="${href}">${label}</a></li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>connect-sentinel</title></head>
<body>
<h1>connect-sentinel</h1>
<p>Watches Kafka Connect clusters, exports connector and task state, and restarts failed work by policy. Version ${escapeHtml(version)}.</p>
<ul>
${items}
</ul>
</body>
</html>
`;
}
