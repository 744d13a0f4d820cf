#!/usr/bin/env bash
# One entry point for the README's two commands:
#   bash packaging/dev.sh run [ARGS...]   install dependencies, build, start Neurorama (demo network by default)
#   bash packaging/dev.sh test            install dependencies, build, run the whole test suite under CTest, then
#                                         the headless suites again with ASan+UBSan (build-asan)
#   bash packaging/dev.sh fuzz [SECONDS]  build the libFuzzer harnesses (clang) in build-fuzz, run each SECONDS
#   bash packaging/dev.sh sanitize        build core, plugins and headless tests with ASan+UBSan in build-asan, run them
#   bash packaging/dev.sh package         install dependencies, build, make build/neurorama_<version>_<arch>.deb
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
what=${1:-run}
shift || true

bash packaging/install-deps.sh
jobs=$(nproc 2>/dev/null || echo 2)
# ccache (see CMakeLists.txt) with paths relative to the checkout: another clone of the repository, such as a
# CI run's, reuses what this one compiled.
export CCACHE_BASEDIR="$here" CCACHE_NOHASHDIR=1

# Core libraries, plugins and the headless tests (with the malformed corpus) under AddressSanitizer and UBSan
# in build-asan, run by CTest.
run_sanitized() {
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
    -DCMAKE_C_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
  local tests plugins regex
  tests=$(cd tests/core && ls test_*.cpp | sed 's/\.cpp$//')
  plugins=$(grep -ho 'nr_add_plugin([a-z_0-9]*' plugins/*/CMakeLists.txt | sed 's/nr_add_plugin(/nr_/')
  # shellcheck disable=SC2086
  cmake --build build-asan -j"$jobs" --target $tests $plugins
  regex="^($(echo $tests | tr ' ' '|'))\$"
  ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j"$jobs" -R "$regex"
}

case "$what" in
  fuzz)
    # Every libFuzzer harness in tests/fuzz, built with clang into build-fuzz, SECONDS each (default 60).
    seconds=${1:-60}
    cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNR_FUZZ=ON \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
      -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" >/dev/null
    cmake --build build-fuzz -j"$jobs" --target fuzzers
    status=0
    for f in build-fuzz/bin/fuzz_*; do
      name=$(basename "$f")
      corpus=build-fuzz/corpus/$name
      mkdir -p "$corpus" build-fuzz/findings
      log=build-fuzz/$name.log
      if ASAN_OPTIONS=detect_leaks=0 "$f" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -max_len=65536 -artifact_prefix=build-fuzz/findings/"$name"- -print_final_stats=1 >"$log" 2>&1; then
        result=ok
      else
        result=FINDING
        status=1
      fi
      runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
      rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
      echo "$name execs=$runs execs_per_s=$rate result=$result"
    done
    [ $status -eq 0 ] || echo "dev.sh fuzz: findings in build-fuzz/findings (make each a corpus case)" >&2
    exit $status
    ;;
  sanitize)
    run_sanitized
    exit $?
    ;;
esac

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
    # The whole suite, then the headless suites again under the sanitizers.
    ctest --test-dir build --output-on-failure -j"$jobs"
    run_sanitized
    ;;
  package)
    # The .deb of this build: apt install ./build/neurorama_<version>_<arch>.deb pulls in what it needs.
    (cd build && cpack -G DEB -B "$here/build/package" >/dev/null)
    deb=$(ls build/package/neurorama_*.deb)
    mv -f "$deb" build/
    echo "package: build/$(basename "$deb") ($(du -h "build/$(basename "$deb")" | cut -f1))"
    ;;
  *)
    echo "usage: bash packaging/dev.sh run|test|package|fuzz [SECONDS]|sanitize" >&2
    exit 2
    ;;
esac
