#!/usr/bin/env bash
# A failing --screenshot without a display: the app's own exit code comes back and no Xvfb is left behind.
set -u
app=$1
count() { pgrep -fc "Xvfb -displayfd" || true; }
before=$(count)
env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$app" --screenshot /tmp/nr_no_leak_$$.png /nonexistent/file.csv
rc=$?
sleep 1
after=$(count)
echo "exit=$rc xvfb_before=$before xvfb_after=$after"
[ "$rc" -eq 1 ] || { echo "expected the app's exit code 1"; exit 1; }
[ "$after" -le "$before" ] || { echo "an Xvfb server was left running"; exit 1; }
