#!/usr/bin/env bash
# Build kiosk-terminal_<version>_<arch>.deb from the PyInstaller bundle (no network).
#
# Usage: deploy/debian/build-deb.sh [--bundle DIR] [--out DIR]
#
#   --bundle DIR   the bundle folder (holding 'kiosk' and '_internal'); default:
#                  dist/kiosk, built first with 'pyinstaller kiosk.spec' if missing
#   --out DIR      where the .deb goes (default: dist)
#   -h, --help     this help
#
# The package: the bundle in /opt/kiosk-terminal, /usr/bin/kiosk, the systemd unit
# and its drop-in, the system user (sysusers.d), the data folder /var/lib/kiosk 0700
# (tmpfiles.d), /etc/kiosk/kiosk.toml and the GRUB console-blank setting as conffiles.
# It is built for this machine's architecture (PyInstaller does not cross-compile):
# on a Raspberry Pi OS 64-bit box it makes the arm64 package (docs/site-it.md).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUNDLE=""
OUT="$REPO/dist"
PYTHON=${PYTHON:-"$REPO/.venv/bin/python"}
[ -x "$PYTHON" ] || PYTHON=python3

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
die() { printf 'build-deb: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --bundle) [ $# -ge 2 ] || die "--bundle needs a folder"; BUNDLE=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || die "--out needs a folder"; OUT=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

command -v dpkg-deb >/dev/null || die "dpkg-deb is missing (apt-get install dpkg)"
if [ -z "$BUNDLE" ]; then
    BUNDLE="$REPO/dist/kiosk"
    if [ ! -x "$BUNDLE/kiosk" ]; then
        echo "build-deb: building the bundle: pyinstaller kiosk.spec" >&2
        (cd "$REPO" && "$PYTHON" -m PyInstaller --noconfirm --clean kiosk.spec >/dev/null)
    fi
fi
if [ ! -x "$BUNDLE/kiosk" ] || [ ! -d "$BUNDLE/_internal" ]; then
    die "$BUNDLE is not a bundle (no kiosk, _internal)"
fi

VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$REPO/kiosk/__init__.py")
[ -n "$VERSION" ] || die "no __version__ in kiosk/__init__.py"
ARCH=$(dpkg --print-architecture)
NAME="kiosk-terminal_${VERSION}_${ARCH}"
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
ROOT="$STAGE/$NAME"

# The bundle, as built (PyInstaller resolves _internal next to the real executable,
# so /usr/bin/kiosk can be a symbolic link).
install -d -m 0755 "$ROOT/opt/kiosk-terminal" "$ROOT/usr/bin"
cp -a "$BUNDLE/." "$ROOT/opt/kiosk-terminal/"
ln -s /opt/kiosk-terminal/kiosk "$ROOT/usr/bin/kiosk"

# The unit: the one deploy/install.sh installs, pointed at the packaged command.
install -d -m 0755 "$ROOT/lib/systemd/system/kiosk-terminal.service.d"
sed -e 's#^ExecStart=.*#ExecStart=/opt/kiosk-terminal/kiosk run --config /etc/kiosk/kiosk.toml#' \
    -e 's#^Documentation=.*#Documentation=https://localhost.localdomain/kiosk-terminal/docs/site-it.md#' \
    -e 's#^\# Installed by deploy/install.sh as .*#\# Installed by the kiosk-terminal package; enabled by "kiosk setup".#' \
    "$REPO/deploy/kiosk-terminal.service" > "$ROOT/lib/systemd/system/kiosk-terminal.service"
install -m 0644 "$REPO/deploy/kiosk-terminal.service.d/screen-blanking.conf" \
    "$ROOT/lib/systemd/system/kiosk-terminal.service.d/screen-blanking.conf"
install -D -m 0644 "$HERE/kiosk-terminal.sysusers" "$ROOT/usr/lib/sysusers.d/kiosk-terminal.conf"
install -D -m 0644 "$HERE/kiosk-terminal.tmpfiles" "$ROOT/usr/lib/tmpfiles.d/kiosk-terminal.conf"

# Conffiles: the configuration (every key commented, as 'kiosk config-example' prints
# it, with the installed data folder and full screen) and the GRUB setting.
install -d -m 0755 "$ROOT/etc/kiosk" "$ROOT/etc/default/grub.d"
"$ROOT/opt/kiosk-terminal/kiosk" config-example \
    | sed -e 's#^data_dir = .*#data_dir = "/var/lib/kiosk"#' -e 's#^fullscreen = .*#fullscreen = true#' \
    > "$ROOT/etc/kiosk/kiosk.toml"
chmod 0644 "$ROOT/etc/kiosk/kiosk.toml"
install -m 0644 "$HERE/grub.cfg" "$ROOT/etc/default/grub.d/kiosk-terminal.cfg"

# Documentation: a manual page made from 'kiosk --help', and lintian's overrides.
DOC="$ROOT/usr/share/doc/kiosk-terminal"
install -d -m 0755 "$ROOT/usr/share/man/man1"
{
    printf '.TH KIOSK 1 "" "kiosk-terminal %s" "User Commands"\n' "$VERSION"
    printf '.SH NAME\nkiosk \\- time-clock messaging terminal\n.SH DESCRIPTION\n.nf\n'
    "$ROOT/opt/kiosk-terminal/kiosk" --help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./'
    printf '.fi\n.PP\nEach command has its own help: kiosk COMMAND \\-\\-help.\n'
    printf '.SH SEE ALSO\n/usr/share/doc/kiosk-terminal\n'
} | gzip -9n > "$ROOT/usr/share/man/man1/kiosk.1.gz"
chmod 0644 "$ROOT/usr/share/man/man1/kiosk.1.gz"
install -d -m 0755 "$DOC" "$ROOT/usr/share/lintian/overrides"
install -m 0644 "$HERE/copyright" "$DOC/copyright"
sed -e "s/@VERSION@/$VERSION/" -e "s/@DATE@/$(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")/" \
    "$HERE/changelog" | gzip -9n > "$DOC/changelog.gz"
chmod 0644 "$DOC/changelog.gz"
install -m 0644 "$HERE/lintian-overrides" "$ROOT/usr/share/lintian/overrides/kiosk-terminal"

# Control files.
install -d -m 0755 "$ROOT/DEBIAN"
SIZE=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$SIZE/" \
    "$HERE/control.in" > "$ROOT/DEBIAN/control"
printf '%s\n' /etc/kiosk/kiosk.toml /etc/default/grub.d/kiosk-terminal.cfg > "$ROOT/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$HERE/$script" "$ROOT/DEBIAN/$script"
done
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' \
    | LC_ALL=C sort -z | xargs -0 md5sum > DEBIAN/md5sums)
chmod 0644 "$ROOT/DEBIAN/md5sums" "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/conffiles"

mkdir -p "$OUT"
# Files owned by root whoever builds; xz as Debian's own packages.
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$OUT/$NAME.deb" >/dev/null
echo "$OUT/$NAME.deb"
