#!/usr/bin/env bash
# One entry point for the README's two commands:
#   bash packaging/dev.sh run [ARGS...]   install dependencies, build, start Neurorama (demo network by default)
#   bash packaging/dev.sh test            install dependencies, build, run the whole test suite under CTest
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
what=${1:-run}
shift || true

bash packaging/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"

case "$what" in
  run)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
      echo "dev.sh: no display found; starting Neurorama under xvfb-run (use --screenshot to see a picture)" >&2
      exec xvfb-run -a -s "-screen 0 1600x1000x24" build/bin/neurorama "$@"
    fi
    exec build/bin/neurorama "$@"
    ;;
  test)
    ctest --test-dir build --output-on-failure -j"$jobs"
    ;;
  *)
    echo "usage: bash packaging/dev.sh run|test" >&2
    exit 2
    ;;
esac
