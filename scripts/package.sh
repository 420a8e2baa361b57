#!/usr/bin/env bash
# Builds what a release hands out, into dist/, and checks it (make package):
#
#   dist/safeer-VERSION-linux-amd64.tar.xz      the app: `fyne package`'s archive
#                                               (binary, .desktop file, icon, a
#                                               Makefile whose `make install`
#                                               puts them under /usr/local)
#   dist/safeer-VERSION-windows-amd64.exe       the app for Windows, cross-compiled
#                                               with mingw-w64: GUI subsystem, icon,
#                                               version information and manifest
#   dist/safeer-hq-VERSION-linux-amd64          the HQ server (pure Go, no cgo)
#   dist/safeer-hq-VERSION-windows-amd64.exe
#   dist/SHA256SUMS
#
# VERSION is Details.Version in FyneApp.toml.
#
#   scripts/package.sh          build everything, then check it
#   scripts/package.sh check    only check what is in dist/
#
# The fyne command (module fyne.io/tools, version FYNE_TOOLS_VERSION) is
# installed into .bin/. `fyne package` writes into the directory it packages
# (a generated metadata file, a .syso for Windows, the executable) and raises
# Details.Build in FyneApp.toml after each run, so it works on a copy of the
# source tree in a temporary directory and the working tree stays as it was.
# The copy includes uncommitted changes: what is packaged is what `go build`
# would build here.
#
# The Linux app is built for this machine, which must be Linux amd64 (its cgo
# build needs the host's C compiler and libraries).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

FYNE_TOOLS_VERSION=${FYNE_TOOLS_VERSION:-v1.7.4}
GO=${GO:-go}
dist=$root/dist
mingw=x86_64-w64-mingw32

# Temporary directories, removed on exit.
tmp=()
trap 'rm -rf "${tmp[@]}"' EXIT
# tempdir VAR NAME: a new temporary directory in VAR.
tempdir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/safeer-$2.XXXXXX")
	tmp+=("$d")
	printf -v "$1" '%s' "$d"
}

say() { echo "package: $*" >&2; }
die() {
	echo "package: $*" >&2
	exit 1
}

version=$(sed -n 's/^Version *= *"\(.*\)"/\1/p' FyneApp.toml)
[ -n "$version" ] || die "no Version in FyneApp.toml"
# Given to fyne package explicitly: it raises Build in the copy's FyneApp.toml
# after each package, and the Windows one must not say 2.
appbuild=$(sed -n 's/^Build *= *\([0-9]*\)/\1/p' FyneApp.toml)
[ -n "$appbuild" ] || die "no Build in FyneApp.toml"

linux_app=safeer-$version-linux-amd64.tar.xz
windows_app=safeer-$version-windows-amd64.exe
linux_hq=safeer-hq-$version-linux-amd64
windows_hq=safeer-hq-$version-windows-amd64.exe

# fyne_tool installs the pinned fyne command into .bin/ unless it is there.
fyne_tool() {
	fyne=$root/.bin/fyne
	have=""
	if [ -x "$fyne" ]; then
		have=$($GO version -m "$fyne" | awk '$1 == "mod" && $2 == "fyne.io/tools" { print $3 }')
	fi
	if [ "$have" != "$FYNE_TOOLS_VERSION" ]; then
		say "installing fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION into .bin/"
		GOBIN=$root/.bin $GO install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION"
	fi
}

build() {
	[ "$(uname -s)/$(uname -m)" = Linux/x86_64 ] || die "the Linux package is built on Linux amd64, not $(uname -s)/$(uname -m)"
	scripts/deps.sh package
	command -v "$mingw-gcc" >/dev/null || die "$mingw-gcc is missing (Debian: gcc-mingw-w64-x86-64-win32)"
	fyne_tool

	tempdir stage package
	tar -C "$root" --exclude=./.git --exclude=./.bin --exclude=./bin --exclude=./dist -cf - . | tar -C "$stage" -xf -
	src=$stage/cmd/safeer
	# fyne package reads FyneApp.toml from the main package's folder.
	sed 's|^Icon = "assets/|Icon = "../../assets/|' FyneApp.toml >"$src/FyneApp.toml"
	grep -q '^Icon = "\.\./\.\./assets/' "$src/FyneApp.toml" || die "FyneApp.toml: the icon is not under assets/"
	mkdir -p "$stage/out"

	rm -rf "$dist"
	mkdir -p "$dist"

	say "Linux amd64: fyne package (release build) → dist/$linux_app"
	start=$SECONDS
	# fyne package writes the archive, named after the app, where it runs.
	(cd "$stage/out" && GOOS=linux GOARCH=amd64 "$fyne" package --target linux --release --app-build "$appbuild" --src "$src")
	mv "$stage/out/Safeer.tar.xz" "$dist/$linux_app"
	say "  done in $((SECONDS - start))s"

	say "Windows amd64: fyne package with $mingw-gcc (release build) → dist/$windows_app"
	start=$SECONDS
	# The .exe is left in the source directory, named after the app.
	(cd "$stage/out" && CC=$mingw-gcc CXX=$mingw-g++ GOARCH=amd64 "$fyne" package --target windows --release --app-build "$appbuild" --src "$src")
	mv "$src/Safeer.exe" "$dist/$windows_app"
	say "  done in $((SECONDS - start))s"

	say "safeer-hq for Linux and Windows amd64 (pure Go)"
	start=$SECONDS
	for target in linux:"$linux_hq" windows:"$windows_hq"; do
		(cd "$stage" && CGO_ENABLED=0 GOOS=${target%%:*} GOARCH=amd64 \
			$GO build -trimpath -ldflags="-s -w" -o "$dist/${target#*:}" ./cmd/safeer-hq)
	done
	say "  done in $((SECONDS - start))s"

	(cd "$dist" && sha256sum -- "$linux_app" "$windows_app" "$linux_hq" "$windows_hq" >SHA256SUMS)
}

# expect FILE WHAT PATTERN: FILE's `file` description matches PATTERN.
expect() {
	local desc
	desc=$(file -b "$1")
	[[ $desc =~ $3 ]] || die "$(basename "$1") is not $2: $desc"
	say "  $(basename "$1"): $desc"
}

# utf16 TEXT: a grep -P pattern for ASCII TEXT in UTF-16LE.
utf16() {
	printf '%s' "$1" | od -An -tx1 -v | tr -s ' \n' ' ' | sed 's/ \([0-9a-f][0-9a-f]\)/\\x\1\\x00/g; s/ //g'
}

check() {
	[ -d "$dist" ] || die "no dist/ to check; run make package"
	say "checking dist/"
	for tool in file tar xz sha256sum "$mingw-objdump"; do
		command -v "$tool" >/dev/null || die "$tool is missing; run scripts/deps.sh package"
	done
	(cd "$dist" && sha256sum --quiet -c SHA256SUMS) || die "dist/SHA256SUMS does not match"

	tempdir work package-check

	# The Linux archive: binary, .desktop file and icon, and a binary that runs.
	local list bin desktop icon
	list=$(tar -tJf "$dist/$linux_app")
	bin=$(grep -E '^safeer/usr/(local/)?bin/safeer$' <<<"$list") || die "$linux_app has no bin/safeer"
	desktop=$(grep -E '^safeer/usr/(local/)?share/applications/om\.gov\.smartcity\.safeer\.desktop$' <<<"$list") ||
		die "$linux_app has no .desktop file"
	icon=$(grep -E '^safeer/usr/(local/)?share/pixmaps/om\.gov\.smartcity\.safeer\.png$' <<<"$list") ||
		die "$linux_app has no icon"
	grep -qx 'safeer/Makefile' <<<"$list" || die "$linux_app has no Makefile"
	say "  $linux_app: $bin, $desktop, $icon, safeer/Makefile"
	tar -C "$work" -xJf "$dist/$linux_app"
	expect "$work/$bin" "a Linux x86-64 executable" '^ELF 64-bit LSB .*x86-64'
	expect "$work/$icon" "a PNG" '^PNG image data'
	grep -qx 'Exec=safeer' "$work/$desktop" || die "the .desktop file does not run safeer: $(cat "$work/$desktop")"
	grep -qx 'Icon=om.gov.smartcity.safeer' "$work/$desktop" || die "the .desktop file names another icon"
	if command -v desktop-file-validate >/dev/null; then
		desktop-file-validate "$work/$desktop" || die "desktop-file-validate rejects the .desktop file"
	fi
	# A headless command on a new database: the binary starts, opens SQLite,
	# migrates, encrypts the new database under the passphrase (every
	# command needs one) and searches (it needs the X and GL libraries it
	# links to).
	if ! SAFEER_CHECK_PASSPHRASE="the package check's passphrase" "$work/$bin" --db "$work/check.db" \
		--passphrase-env SAFEER_CHECK_PASSPHRASE people search x >"$work/run.log" 2>&1; then
		cat "$work/run.log" >&2
		ldd "$work/$bin" | grep 'not found' >&2 || true
		die "the packaged safeer did not run 'people search'"
	fi
	say "  safeer --db NEW.db people search x: ok"

	# The Windows app: a 64-bit GUI executable with the icon, version
	# information and manifest fyne package puts in its resources. objdump
	# prints the resource types, the first level of the .rsrc tree, by number:
	# 3 RT_ICON, 14 RT_GROUP_ICON, 16 RT_VERSION, 24 RT_MANIFEST.
	expect "$dist/$windows_app" "a Windows x86-64 GUI executable" '^PE32\+ executable \(GUI\) x86-64'
	local types kind
	types=$("$mingw-objdump" -p "$dist/$windows_app" |
		sed -n '/^The \.rsrc Resource Directory section:/,$ s/^[0-9a-f]\{3\}   Entry: ID: 0x\([0-9a-f]*\),.*/\1/p')
	for kind in 000003:icon 00000e:group-icon 000010:version 000018:manifest; do
		grep -qx "${kind%%:*}" <<<"$types" || die "$windows_app has no ${kind#*:} resource (types: $(echo $types))"
	done
	# The version resource holds the product name and the version, x.y.z.build,
	# in UTF-16.
	local full=$version text
	while [ "$(tr -cd . <<<"$full" | wc -c)" -lt 2 ]; do full+=.0; done
	for text in Safeer "$full.$appbuild"; do
		LC_ALL=C grep -qaP "$(utf16 "$text")" "$dist/$windows_app" || die "$windows_app's version resource does not say $text"
	done
	say "  $windows_app resources: icon, group icon, version (Safeer $full.$appbuild), manifest"

	# The HQ server.
	expect "$dist/$linux_hq" "a static Linux x86-64 executable" '^ELF 64-bit LSB .*x86-64.*statically linked'
	expect "$dist/$windows_hq" "a Windows x86-64 console executable" '^PE32\+ executable \(console\) x86-64'
	"$dist/$linux_hq" help >/dev/null || die "$linux_hq help failed"
	say "  safeer-hq help: ok"

	say "dist/ is good:"
	(cd "$dist" && ls -l -- "$linux_app" "$windows_app" "$linux_hq" "$windows_hq" >&2)
}

case "${1:-all}" in
all)
	build
	check
	;;
check) check ;;
*)
	echo "usage: scripts/package.sh [check]" >&2
	exit 2
	;;
esac
