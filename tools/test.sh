#!/usr/bin/env bash
# Sets up a fresh machine and runs every test: installs the Debian packages the tests need when they are missing,
# Node 24 and the npm dependencies (npm ci), the Kafka versions of the real-Kafka tier (Maven), then runs `npm test`
# and ends with the line `N passed, N failed`.
# Run it as root, or as a user who may run apt-get through sudo. `.ci/run` calls exactly this.
set -uo pipefail
cd "$(dirname "$0")/.."

fail_setup() {
  echo "$1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

# command:package for everything a test runs.
TOOLS=(
  prometheus:prometheus promtool:prometheus
  prometheus-alertmanager:prometheus-alertmanager amtool:prometheus-alertmanager
  openssl:openssl chromium:chromium
  java:openjdk-17-jdk-headless javac:openjdk-17-jdk-headless keytool:openjdk-17-jdk-headless mvn:maven
  npm:npm
)
missing=()
for entry in "${TOOLS[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  packages=$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')
  echo "Installing Debian packages: $packages"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends $packages >/dev/null \
    || fail_setup "apt-get install $packages failed"
fi

# Node 24 is the `node` devDependency: npm scripts put node_modules/.bin first on PATH.
if [ ! -x node_modules/.bin/node ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || fail_setup "npm ci failed"
fi

# The real-Kafka tier: each Kafka version from Maven Central (cached in ~/.m2) and the fault plugin compiled for it.
node_modules/.bin/node tools/kafka/install.ts || fail_setup "fetching Kafka with Maven failed"

report=$(mktemp)
trap 'rm -f "$report"' EXIT
npm test -- --reporter=default --reporter=json --outputFile="$report"
status=$?

if [ -s "$report" ]; then
  node_modules/.bin/node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const suites = r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0;
    // A skipped test is a defect here, never a way to pass without a tool.
    const skipped = r.numPendingTests + r.numTodoTests;
    if (skipped > 0) console.error(`${skipped} tests were skipped: each counts as failed`);
    console.log(`${r.numPassedTests} passed, ${r.numFailedTests + suites + skipped} failed`);
    process.exitCode = skipped > 0 ? 1 : 0;
  ' "$report" || status=1
else
  # The typecheck failed before any test ran.
  echo "0 passed, 1 failed"
fi
exit $status
