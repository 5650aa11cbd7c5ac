#!/usr/bin/env bash
# @lumiqtrace/collector: headless Chromium for the viewer test, and a C++ toolchain for building
# better-sqlite3 from source, the SQLite engine on Node 20 (Node >= 22.13 has node:sqlite); only npm and apt
# are reachable, so node-gyp cannot download them.
set -euo pipefail

if [ ! -x /usr/bin/chromium ]; then
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# better-sqlite3 has no prebuilt binary reachable here: node-gyp compiles it
if ! command -v make >/dev/null || ! command -v g++ >/dev/null || ! command -v python3 >/dev/null; then
  apt-get install -y -qq --no-install-recommends make g++ python3 >/dev/null
fi
