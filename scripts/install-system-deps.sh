#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (python3 for the ast cross-check,
# git for history, oslo.versionedobjects and Nova for the objects bridge). Idempotent: does nothing when everything is present.
set -euo pipefail
need=()
command -v git >/dev/null 2>&1 || need+=(git)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# The verify-objects runtime bridge runs real oslo.versionedobjects and Debian's Nova objects.
for pkg in python3-oslo.versionedobjects python3-nova; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
# The HTML report's end-to-end test drives Debian's Chromium headless (playwright-core, no bundled browser).
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "install-system-deps: missing ${need[*]} and not root; install them first" >&2
    exit 1
  fi
fi
