#!/usr/bin/env bash
# Installs the Debian packages godarts needs for building, testing and the demo. As root it
# runs apt-get; otherwise it prints the apt-get line to run. Usage: scripts/setup.sh [test|demo|peer]
set -eu
want="gcc libvulkan-dev mesa-vulkan-drivers vulkan-validationlayers glslc spirv-tools python3-numpy chromium dataset-fashion-mnist"
case "${1:-test}" in
  demo) want="gcc libvulkan-dev mesa-vulkan-drivers" ;;
  peer) want="$want python3-torch dataset-fashion-mnist" ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "setup: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
  echo "setup: missing Debian packages; run: sudo apt-get install$missing" >&2
  exit 1
fi
