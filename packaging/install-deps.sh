#!/usr/bin/env bash
# Installs every Debian 12 package Neurorama needs to build, run, test and benchmark.
# Used by both README commands (run the app, run the tests). Safe to run again.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git ccache
  qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-svg-dev libgl-dev
  libvtk9-dev libopenmpi-dev
  libimgui-dev libeigen3-dev libigraph-dev libhdf5-dev libtiff-dev zlib1g-dev libblosc-dev libzstd-dev
  xvfb xauth libgl1-mesa-dri mesa-utils
  python3 python3-numpy python3-scipy python3-brian python3-pandas
  clang-format clang-14 libclang-rt-14-dev
)

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
