#!/usr/bin/env bash
# @lumiqtrace/lambda: aws-lambda-ric (the real Lambda runtime client, used by the e2e test) builds curl and
# aws-lambda-cpp from the sources inside its npm package (autoconf, automake, libtool, cmake, a C++
# compiler), then its addon with node-gyp, which needs Node's headers (only npm and apt are reachable).
set -euo pipefail

need=()
for tool in autoconf:autoconf automake:automake libtoolize:libtool cmake:cmake make:make g++:g++ python3:python3; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if [ "${#need[@]}" -gt 0 ]; then
  log="$(mktemp)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >"${log}" 2>&1; then
    cat "${log}" >&2
    exit 1
  fi
  rm -f "${log}"
fi
