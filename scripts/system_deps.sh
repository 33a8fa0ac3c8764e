#!/usr/bin/env bash
# System packages the project needs, installed from Debian when missing and when root.
#   scripts/system_deps.sh run    libraries WeasyPrint loads (Pango, HarfBuzz, fonts)
#   scripts/system_deps.sh test   the above plus Chromium (browser journeys) and poppler-utils
set -euo pipefail
want=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core)
if [ "${1:-run}" = "test" ]; then
  want+=(chromium poppler-utils)
fi
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Missing system packages: ${missing[*]} (install them with your package manager)" >&2
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: ${missing[*]}. Run: sudo apt-get install ${missing[*]}" >&2
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
