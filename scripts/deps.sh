#!/usr/bin/env bash
# Installs the Debian packages Safeer needs that this machine lacks.
#   scripts/deps.sh build   what Fyne's cgo build needs
#   scripts/deps.sh test    plus the tools the tests check PDFs with, PostgreSQL, and
#                           Chromium with an Arabic font for the browser tests (e2e)
#   scripts/deps.sh package plus the Windows cross compiler and the tools
#                           scripts/package.sh builds and checks archives with
# As root it installs them with apt-get; otherwise it names them and stops.
set -euo pipefail

build=(gcc pkg-config libgl1-mesa-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev)
test=(poppler-utils zbar-tools qpdf postgresql xvfb chromium fonts-hosny-amiri)
# The win32-threads flavour of mingw-w64's gcc is the half of
# gcc-mingw-w64-x86-64 that cgo needs; it provides x86_64-w64-mingw32-gcc
# (and, through binutils-mingw-w64-x86-64, x86_64-w64-mingw32-objdump).
package=(gcc-mingw-w64-x86-64-win32 xz-utils file desktop-file-utils)

want=("${build[@]}")
case "${1:-build}" in
build) ;;
test) want+=("${test[@]}") ;;
package) want+=("${package[@]}") ;;
*)
	echo "usage: scripts/deps.sh [build|test|package]" >&2
	exit 2
	;;
esac

missing=()
for p in "${want[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Safeer needs these Debian packages: ${missing[*]}" >&2
	echo "Install them with: sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "Installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
