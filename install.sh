#!/bin/sh
# Installs connect from this checkout into its own virtual environment and links `connect` into
# ~/.local/bin. Needs only python3 >= 3.11: no pipx, no `pip install --user` (refused by a system
# Python marked "externally managed", PEP 668), and no python3-venv package (Debian and Ubuntu leave
# ensurepip out of python3). Running it again upgrades the installation in place.
#
#   PYTHON           the Python to build on (default: python3)
#   CONNECT_PIP_PYZ  a local pip zipapp to use when the Python has no ensurepip, instead of downloading one
#   PIP_*            pip's own settings pass through (PIP_NO_INDEX, PIP_FIND_LINKS, PIP_INDEX_URL, ...)
set -eu

PIP_PYZ_URL=https://bootstrap.pypa.io/pip/pip.pyz

die() {
	printf 'install.sh: %s\n' "$*" >&2
	exit 1
}

[ -n "${HOME:-}" ] || die "HOME is not set, so there is no ~/.local to install into."
src=$(cd "$(dirname "$0")" && pwd)
[ -f "$src/pyproject.toml" ] || die "install.sh must stay in the connect checkout: there is no pyproject.toml in $src."
python=${PYTHON:-python3}
# Not .../connect: that folder is connect's own data (CONNECT_HOME's default), which warns of strangers in it.
data=${XDG_DATA_HOME:-$HOME/.local/share}/connect-habits
venv=$data/venv
bindir=$HOME/.local/bin
log=$data/install.log

# 1. A Python new enough. The comparison is done here, in the shell, so that any Python can answer it.
command -v "$python" >/dev/null 2>&1 ||
	die "$python was not found: install Python 3.11 or newer (on Debian or Ubuntu: apt install python3), or set PYTHON to one."
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || version=unknown
major=${version%%.*} minor=${version#*.} && minor=${minor%%.*}
case "$major.$minor" in *[!0-9.]* | .* | *.) major=0 minor=0 ;; esac
if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 11 ]; }; then
	die "connect needs Python 3.11 or newer, but $python is $version: install a newer one and point PYTHON at it."
fi

mkdir -p "$data" "$bindir" || die "could not create $data and $bindir."
: >"$log"

# 2. The virtual environment, without pip: `--without-pip` never calls ensurepip, so it works where
# Debian or Ubuntu lack python3-venv (plain `python3 -m venv` fails there). One that no longer runs,
# say after a Python upgrade, is made anew.
vpy=$venv/bin/python
if ! "$vpy" -c '' >/dev/null 2>&1; then
	echo "Creating the virtual environment in $venv"
	"$python" -m venv --clear --without-pip "$venv" >>"$log" 2>&1 ||
		die "$python could not create a virtual environment in $venv (details in $log)."
fi

# 3. pip inside it: from ensurepip where the Python has it, else from pip's official zipapp.
if ! "$vpy" -m pip --version >/dev/null 2>&1; then
	echo "Installing pip into the virtual environment"
	if ! { "$vpy" -c 'import ensurepip' && "$vpy" -m ensurepip --default-pip; } >>"$log" 2>&1; then
		pyz=${CONNECT_PIP_PYZ:-}
		if [ -z "$pyz" ]; then
			pyz=$data/pip.pyz
			echo "No ensurepip in $python: downloading $PIP_PYZ_URL"
			{
				"$vpy" -c 'import sys, urllib.request; urllib.request.urlretrieve(sys.argv[1], sys.argv[2])' \
					"$PIP_PYZ_URL" "$pyz.part" >>"$log" 2>&1 && mv "$pyz.part" "$pyz"
			} ||
				die "could not download $PIP_PYZ_URL (details in $log); install python3-venv (apt install python3-venv) or set CONNECT_PIP_PYZ to a pip.pyz file, then run this again."
		fi
		[ -f "$pyz" ] || die "CONNECT_PIP_PYZ names $pyz, which is not a file."
		# --ignore-installed: pip inside the zipapp counts as installed, yet the venv has none.
		"$vpy" "$pyz" install --ignore-installed --upgrade pip >>"$log" 2>&1 ||
			die "the pip zipapp $pyz could not install pip into $venv (details in $log)."
	fi
fi

# 4. connect itself, built from this checkout; pip reinstalls a local directory on every run.
echo "Installing connect from $src (this takes a minute the first time)"
"$vpy" -m pip install --upgrade "$src" >>"$log" 2>&1 ||
	die "pip could not install connect from $src (details in $log)."

# 5. The command on PATH: a link, so that the next run's upgrade is picked up without touching it.
link=$bindir/connect
if [ -e "$link" ] && [ ! -L "$link" ]; then
	die "$link exists and is not a link this script made: move it away and run this again."
fi
ln -sf "$venv/bin/connect" "$link" || die "could not link $link to $venv/bin/connect."
installed=$("$link" --version 2>>"$log") || die "the installed $link does not run (details in $log)."

echo "Installed $installed: $link -> $venv/bin/connect"
case ":${PATH:-}:" in
*":$bindir:"* | *":$bindir/:"*)
	found=$(command -v connect || true)
	[ "$found" = "$link" ] || echo "Note: another connect comes first on PATH: $found"
	;;
*)
	echo "$bindir is not on PATH yet. For this shell, run:"
	echo "  export PATH=\"\$HOME/.local/bin:\$PATH\""
	echo "(On Debian and Ubuntu, ~/.profile adds ~/.local/bin to PATH at the next login, now that it exists.)"
	;;
esac
