#!/usr/bin/env bash
# Install the time-clock terminal as a systemd service (Debian 12, Raspberry Pi OS Bookworm).
#
# Usage: sudo deploy/install.sh [options]
#
#   --prefix DIR    where the virtualenv and a copy of the sources go (default /opt/kiosk)
#   --skip-app      do not create the virtualenv / install the Python package
#   --no-apt        do not install the OS libraries with apt-get
#   --enable        enable and start the service at the end
#   -h, --help      this help
#
# Idempotent: run it again after an upgrade of the sources. It never overwrites
# /etc/kiosk/kiosk.toml nor anything in /var/lib/kiosk (enrollment, database).
# What it does: OS libraries, user 'kiosk' in the device groups, /var/lib/kiosk,
# /etc/kiosk/kiosk.toml from config.example.toml, the virtualenv in PREFIX/venv,
# the unit and its drop-ins in /etc/systemd/system. Then it prints the next steps.
set -euo pipefail

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=/opt/kiosk
SKIP_APP=0
USE_APT=1
ENABLE=0
USER_NAME=kiosk
DATA_DIR=/var/lib/kiosk
CONF_DIR=/etc/kiosk
UNIT="kiosk-terminal.service"
UNIT_DIR=/etc/systemd/system
GROUPS_WANTED=(dialout input video render)
OS_PACKAGES=(python3 python3-venv libgl1 libegl1 libmtdev1 libgbm1 libdrm2)

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; PREFIX=$2; shift 2 ;;
        --skip-app) SKIP_APP=1; shift ;;
        --no-apt) USE_APT=0; shift ;;
        --enable) ENABLE=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

[ "$(id -u)" -eq 0 ] || die "run as root: sudo $0 $*"
if [ ! -f "$SRC/pyproject.toml" ] || [ ! -f "$SRC/deploy/$UNIT" ]; then
    die "cannot find the sources in $SRC"
fi

install_os_packages() {
    [ "$USE_APT" -eq 1 ] || return 0
    command -v apt-get >/dev/null || { say "no apt-get: install ${OS_PACKAGES[*]} yourself"; return 0; }
    local missing=()
    for pkg in "${OS_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing OS packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# The unit's SupplementaryGroups= fails the start if a group does not exist
# (uucp instead of dialout on some systems, no render group on old ones).
existing_groups() {
    local g
    for g in "${GROUPS_WANTED[@]}"; do
        if getent group "$g" >/dev/null; then printf '%s ' "$g"; fi
    done
}

create_user() {
    if ! id "$USER_NAME" >/dev/null 2>&1; then
        say "creating system user $USER_NAME"
        useradd --system --user-group --home-dir "$DATA_DIR" --no-create-home \
            --shell /usr/sbin/nologin --comment "Time-clock terminal" "$USER_NAME"
    fi
    local groups
    groups=$(existing_groups)
    if [ -n "$groups" ]; then
        usermod -aG "$(echo "$groups" | xargs | tr ' ' ',')" "$USER_NAME"
    fi
}

create_dirs() {
    install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 "$DATA_DIR"
    install -d -m 0755 "$CONF_DIR"
    if [ ! -f "$CONF_DIR/kiosk.toml" ]; then
        say "writing $CONF_DIR/kiosk.toml (edit it: terminal name, site, reader)"
        # The example's data_dir is relative to the file: point it at the service's folder.
        sed -e "s|^data_dir = .*|data_dir = \"$DATA_DIR\"|" \
            -e 's|^fullscreen = .*|fullscreen = true|' \
            "$SRC/config.example.toml" > "$CONF_DIR/kiosk.toml.new"
        chown "root:$USER_NAME" "$CONF_DIR/kiosk.toml.new"
        chmod 0640 "$CONF_DIR/kiosk.toml.new"
        mv "$CONF_DIR/kiosk.toml.new" "$CONF_DIR/kiosk.toml"
    else
        say "keeping the existing $CONF_DIR/kiosk.toml"
    fi
}

install_app() {
    [ "$SKIP_APP" -eq 0 ] || return 0
    install -d -m 0755 "$PREFIX"
    # A copy of the sources owned by root: the service user cannot change its own code.
    say "copying the sources to $PREFIX/src"
    rm -rf "$PREFIX/src.new"
    mkdir -p "$PREFIX/src.new"
    tar -C "$SRC" --exclude=.git --exclude=.venv --exclude=var --exclude='__pycache__' -cf - . \
        | tar -C "$PREFIX/src.new" -xf -
    rm -rf "$PREFIX/src"
    mv "$PREFIX/src.new" "$PREFIX/src"
    [ -x "$PREFIX/venv/bin/python" ] || python3 -m venv "$PREFIX/venv"
    say "installing the terminal into $PREFIX/venv (Kivy is large: a few minutes on a Pi)"
    "$PREFIX/venv/bin/python" -m pip install -q --upgrade pip
    "$PREFIX/venv/bin/python" -m pip install -q "$PREFIX/src[wedge]"
}

install_unit() {
    install -m 0644 "$SRC/deploy/$UNIT" "$UNIT_DIR/$UNIT"
    install -d -m 0755 "$UNIT_DIR/$UNIT.d"
    install -m 0644 "$SRC/deploy/$UNIT.d/screen-blanking.conf" "$UNIT_DIR/$UNIT.d/"
    if [ "$PREFIX" != /opt/kiosk ]; then
        printf '[Service]\nExecStart=\nExecStart=%s/venv/bin/kiosk run --config %s/kiosk.toml\n' \
            "$PREFIX" "$CONF_DIR" > "$UNIT_DIR/$UNIT.d/10-prefix.conf"
    else
        rm -f "$UNIT_DIR/$UNIT.d/10-prefix.conf"
    fi
    local groups
    groups=$(existing_groups | xargs)
    if [ "$groups" != "${GROUPS_WANTED[*]}" ]; then
        say "some device groups do not exist here; the service gets: ${groups:-none}"
        printf '[Service]\nSupplementaryGroups=\nSupplementaryGroups=%s\n' "$groups" \
            > "$UNIT_DIR/$UNIT.d/10-groups.conf"
    else
        rm -f "$UNIT_DIR/$UNIT.d/10-groups.conf"
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload
        if [ "$ENABLE" -eq 1 ]; then
            systemctl enable --now "$UNIT"
        fi
    else
        say "systemd is not running here: the unit is installed but not loaded"
    fi
}

next_steps() {
    local kiosk="$PREFIX/venv/bin/kiosk"
    cat <<EOF

Installed. Next steps:
  1. Edit $CONF_DIR/kiosk.toml: terminal.name, terminal.site_name, [reader]
     (reader families and examples: $SRC/docs/readers.md).
  2. Enroll with the central server (the admin gives the one-time code):
       sudo -u $USER_NAME $kiosk enroll --config $CONF_DIR/kiosk.toml --server https://SERVER --code CODE
  3. Check everything, as the service user:
       sudo -u $USER_NAME $kiosk doctor --config $CONF_DIR/kiosk.toml
  4. Keep the screen on: add consoleblank=0 to the kernel command line
     (/boot/firmware/cmdline.txt on Raspberry Pi OS, /etc/default/grub on Debian).
  5. Start it now and at every boot:
       sudo systemctl enable --now $UNIT
     Logs: journalctl -u $UNIT -f
EOF
}

install_os_packages
create_user
create_dirs
install_app
install_unit
next_steps
