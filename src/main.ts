#!/usr/bin/env node
// The process entry. SIGHUP's default action ends a process, and loading the service's modules takes a few hundred
// milliseconds: so SIGHUP is caught first, with no module loaded yet, and a reload is made once the service runs.

let reloadRequested = false;
const duringStartUp = () => {
  reloadRequested = true;
};
process.on('SIGHUP', duringStartUp);

const { run } = await import('./run.ts');
process.exitCode = await run(process.argv.slice(2), {
  takeReloadRequest() {
    process.off('SIGHUP', duringStartUp);
    return reloadRequested;
  },
});
// Open handles (keep-alive sockets, timers) must not keep a stopped service alive.
process.exit();
