#!/usr/bin/env bash
# The right-click menus inside the real file managers: Thunar, Nautilus (and Nemo) run under Xvfb
# with a D-Bus session and AT-SPI; desktop/menu-driver.py right-clicks their rows, activates "Pick Link
# Source" and "Drop As ▸ Symbolic Link / Hard Link / Smart Copy", checks the results on disk and
# the notifications, then `shell uninstall` and checks the live menus again. Screenshots of the
# open menus land in docs/images/ (with --screenshots). See README, "Right-click".
#
#   desktop/menu-test.sh [--install-packages] [--fm thunar,nautilus,nemo] [--linksmith PROGRAM]
#                        [--screenshots DIR] [--keep]
#
#   --install-packages  apt-get install what it needs (below) first; without it, nothing is
#                       installed and a missing tool stops the test with its package's name.
#   --fm LIST           the file managers to drive, comma-separated (default: thunar,nautilus;
#                       nemo is driven on request: see README for how often it passed).
#   --linksmith PROGRAM the linksmith to test (default: build src/Linksmith.Cli in Release and run
#                       its apphost, bin/Release/net10.0/Linksmith.Cli).
#   --screenshots DIR   where FM-file-menu.png, FM-drop-as-menu.png, FM-after-uninstall.png go
#                       (default: a folder in the temporary directory, which is removed).
#   --keep              keep the temporary directory (HOME, the work folders, the logs).
#
# Debian 12 packages (--install-packages, with --no-install-recommends): xvfb xauth dbus-x11
# at-spi2-core python3-pyatspi libnotify-bin imagemagick thunar nautilus, and nemo for --fm nemo.
# Everything runs with HOME in a temporary directory: the user's own menus and settings are
# never touched.
# Exit 0: every step passed; 1: a step failed (the message names it; a screenshot
# FM-failure.png is taken); 2: usage; 3: a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

install_packages=false keep=false fms=thunar,nautilus linksmith= shots=
while (($#)); do
  case $1 in
    --install-packages) install_packages=true ;;
    --keep) keep=true ;;
    --fm) fms=${2:?--fm needs a list}; shift ;;
    --linksmith) linksmith=${2:?--linksmith needs a command}; shift ;;
    --screenshots) shots=${2:?--screenshots needs a folder}; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "menu-test: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

packages=(xvfb xauth dbus-x11 at-spi2-core python3-pyatspi libnotify-bin imagemagick thunar nautilus)
[[ ,$fms, == *,nemo,* ]] && packages+=(nemo)
if $install_packages; then
  t0=$SECONDS
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  echo "menu-test: packages installed in $((SECONDS - t0)) s"
fi

# The system Python: python3-pyatspi and python3-gi live there, not in a pyenv or venv one.
python=/usr/bin/python3
missing=()
for tool in Xvfb:xvfb dbus-daemon:dbus-x11 gsettings:libglib2.0-bin notify-send:libnotify-bin import:imagemagick /usr/libexec/at-spi-bus-launcher:at-spi2-core; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
"$python" -c 'import pyatspi' 2>/dev/null || missing+=(python3-pyatspi)
IFS=, read -r -a fm_list <<<"$fms"
for fm in "${fm_list[@]}"; do
  case $fm in
    thunar|nautilus|nemo) command -v "$fm" >/dev/null 2>&1 || missing+=("$fm") ;;
    *) echo "menu-test: --fm $fm: only thunar, nautilus and nemo are driven" >&2; exit 2 ;;
  esac
done
if ((${#missing[@]})); then
  echo "menu-test: missing: ${missing[*]} (apt-get install ${missing[*]}, or run with --install-packages)" >&2
  exit 3
fi

if [[ -z $linksmith ]]; then
  echo "menu-test: building src/Linksmith.Cli (Release)"
  dotnet build src/Linksmith.Cli -c Release -v quiet -nologo >/dev/null
  linksmith=$repo/src/Linksmith.Cli/bin/Release/net10.0/Linksmith.Cli
fi

tmp=$(mktemp -d /tmp/linksmith-menu-test.XXXXXX)
pids=()
session_pids() { # the processes of our session: their environment has our temporary HOME
  local environ
  for environ in /proc/[0-9]*/environ; do
    grep -qzx "HOME=$tmp/home" "$environ" 2>/dev/null && basename "$(dirname "$environ")"
  done
}
cleanup() {
  local status=$?
  # Everything this script started, newest first; then whatever D-Bus activated inside our
  # session (at-spi, dconf, xfconfd, gvfs, tracker) exits with its bus or is ended by its pid.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
  done
  local signal
  for signal in TERM KILL; do
    for pid in $(session_pids); do kill -s "$signal" "$pid" 2>/dev/null || true; done
    [[ $signal == TERM ]] && sleep 0.5
  done
  if $keep; then echo "menu-test: kept $tmp"; else rm -rf "$tmp"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A clean session: our own HOME, runtime dir, display and session bus.
export HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run
unset XDG_CONFIG_HOME XDG_DATA_HOME XDG_STATE_HOME XDG_CACHE_HOME LINKSMITH_STATE_DIR XDG_CURRENT_DESKTOP
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" "$tmp/work" "${shots:=$tmp/screenshots}"
chmod 700 "$XDG_RUNTIME_DIR"
shots=$(cd "$shots" && pwd)

wait_for() { # SECONDS WHAT COMMAND...: poll COMMAND every 0.1 s
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "menu-test: FAIL: timed out after $limit s waiting for $what" >&2; return 1; fi
    sleep 0.1
  done
}

# -displayfd: Xvfb picks a free display and writes its number once it accepts connections.
# -noreset: by default an X server resets when its last client leaves, and at-spi-bus-launcher
# connects only briefly; a file manager that connects during that reset gets "cannot open display".
Xvfb -displayfd 5 -noreset -screen 0 1024x700x24 -nolisten tcp 5>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
pids+=($!)
wait_for 20 "Xvfb to accept connections" grep -q '^[0-9][0-9]*$' "$tmp/display"
export DISPLAY=:$(<"$tmp/display")

export DBUS_SESSION_BUS_ADDRESS=unix:path=$XDG_RUNTIME_DIR/bus
dbus-daemon --session --nofork --nopidfile --address="$DBUS_SESSION_BUS_ADDRESS" >"$tmp/dbus.log" 2>&1 &
pids+=($!)
wait_for 20 "the session bus" test -S "$XDG_RUNTIME_DIR/bus"

# Accessibility on: GTK 3 loads the AT-SPI bridge (GTK 4 has it built in); the a11y bus is
# started by D-Bus activation (org.a11y.Bus) when the first application asks for it.
export GTK_MODULES=gail:atk-bridge NO_AT_BRIDGE=0 GTK_A11Y=atspi
# GTK 4's GL renderer on Xvfb's software GL spins at full CPU and Nautilus never finishes
# loading the folder: draw with cairo.
export GSK_RENDERER=cairo
gsettings set org.gnome.desktop.interface toolkit-accessibility true

"$python" "$repo/desktop/notification-stub.py" "$tmp/notifications.log" >"$tmp/notification-stub.log" 2>&1 &
pids+=($!)
wait_for 20 "the notification stub" grep -q ready "$tmp/notification-stub.log"

echo "menu-test: linksmith: $linksmith; display $DISPLAY; HOME $HOME"
"$linksmith" --version
failed=()
for fm in "${fm_list[@]}"; do
  t0=$SECONDS
  echo "== $fm"
  # In the background and waited for, so that Ctrl-C or a TERM reaches the trap at once.
  timeout 600 "$python" "$repo/desktop/menu-driver.py" "$fm" "$tmp/work" "$shots" "$tmp/notifications.log" "$linksmith" &
  pids+=($!)
  if wait "${pids[-1]}"; then
    echo "menu-test: $fm passed in $((SECONDS - t0)) s"
  else
    echo "menu-test: $fm FAILED after $((SECONDS - t0)) s (its log: $tmp/work/$fm.log; run with --keep to keep it)" >&2
    failed+=("$fm")
  fi
done

echo "== notifications received"
cat "$tmp/notifications.log" 2>/dev/null || true
if ((${#failed[@]})); then
  echo "menu-test: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "menu-test: passed: ${fm_list[*]}"
