#!/usr/bin/env bash
# Everything a fresh machine needs before `pnpm demo` or `pnpm test`: pnpm itself, the system packages the
# end-to-end tests use (each package lists its own in .ci/setup.d/), and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(pnpm -v 2>/dev/null || true)" != "12.4.2" ]; then
  # corepack fails its signature check on some machines; npm always works
  npm install -g --silent pnpm@12.4.2
fi

shopt -s nullglob
setups=(.ci/setup.d/*.sh)
if [ ${#setups[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null
    for f in "${setups[@]}"; do
      echo "setup: $f"
      bash "$f"
    done
  else
    echo "not root: skipping ${setups[*]} (install what they list by hand)" >&2
  fi
fi

# Native addons (better-sqlite3, aws-lambda-ric) build against this machine's Node headers: node-gyp must
# never download them (only npm and apt are reachable). pnpm does not read npm's nodedir, so also put the
# headers where node-gyp looks for them.
if [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
  gyp_dir="${HOME}/.cache/node-gyp/$(node -p process.versions.node)"
  if [ ! -f "${gyp_dir}/installVersion" ]; then
    mkdir -p "${gyp_dir}/include"
    ln -sfn /usr/include/node "${gyp_dir}/include/node"
    echo 11 >"${gyp_dir}/installVersion"
  fi
fi
pnpm install --frozen-lockfile

# The unit suites also run on Node 22 and 24 (scripts/test.mjs): their binaries, from the npm registry.
for version in 22.23.3 24.21.0; do
  dir=".ci/node/${version%%.*}"
  if [ "$("${dir}/node_modules/node/bin/node" -v 2>/dev/null)" != "v${version}" ]; then
    mkdir -p "${dir}"
    npm install --prefix "${dir}" --no-save --silent --no-audit --no-fund -E "node@${version}" >/dev/null
  fi
done
