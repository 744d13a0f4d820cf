#!/usr/bin/env bash
# Installs every Debian 12 package Neurorama needs to build, run, test, benchmark and package: the lines of
# packaging/packages.txt (the one list; the .deb's Depends come from its `run` lines). Used by every
# packaging/dev.sh command. Safe to run again.
set -euo pipefail
list="$(dirname "$0")/packages.txt"

mapfile -t PACKAGES < <(sed -e 's/#.*//' "$list" | awk 'NF { print $1 }')

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
