#!/usr/bin/env bash
# Saves a PNG of each screen of the desktop app, in English and Arabic, into
# docs/screenshots/ (make screenshots).
#
#  1. Every screen and dialog, on a demo database with the longest names,
#     drawn by Fyne's software painter from the UI tests (ui.TestScreenshots,
#     the tour TestLayoutTextFits checks): SCREEN-en.png and SCREEN-ar.png at
#     1366×768, SCREEN-en-1024x600.png and SCREEN-ar-1024x600.png. No
#     display is needed and the pictures do not depend on this computer's
#     theme or fonts beyond the Arabic fallback font.
#  2. HQ's verification page and console in headless Chromium, from the
#     browser test (e2e TestBrowser) with real safeer-hq and safeer
#     processes: hq-verify-*.png and hq-console-*.png. Skipped when
#     Chromium is missing (Debian: chromium fonts-hosny-amiri).
#  3. The real binary under Xvfb, on a demo database made with the headless
#     commands (encrypted: the app shows its lock screen), in both
#     languages: app-xvfb-en.png and app-xvfb-ar.png. This
#     shows that the OpenGL driver draws what the tests draw. Skipped when
#     Xvfb or xwd is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/docs/screenshots"
mkdir -p "$out"

echo "screenshots: screens from the UI tests" >&2
SAFEER_UI_CAPTURE="$out" go test -count=1 -run '^TestScreenshots$' ./ui/

if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || [ -n "${SAFEER_CHROMIUM:-}" ]; then
	echo "screenshots: HQ's pages in headless Chromium" >&2
	SAFEER_SCREENSHOTS="$out" go test -count=1 -run '^TestBrowser$' ./e2e/
else
	echo "screenshots: Chromium is missing, so no screenshot of HQ's pages (Debian: chromium fonts-hosny-amiri)" >&2
fi

for tool in Xvfb xwd xwdtopnm pnmtopng; do
	if ! command -v "$tool" >/dev/null; then
		echo "screenshots: $tool is missing, so no screenshot of the real binary (Debian: xvfb x11-apps netpbm)" >&2
		exit 0
	fi
done

echo "screenshots: the real binary under Xvfb" >&2
work="$(mktemp -d)"
xvfb_pid=""
app_pid=""
cleanup() {
	[ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
	[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/safeer" ./cmd/safeer
db="$work/demo.db"
# Every headless command needs the database's passphrase (the first one
# encrypts the new database under it); the app then opens on its lock screen.
export SAFEER_DEMO_PASSPHRASE="the demo database's passphrase"
safeer() { "$work/safeer" --db "$db" --passphrase-env SAFEER_DEMO_PASSPHRASE "$@" 2>/dev/null; }
cat >"$work/people.csv" <<'CSV'
الاسم,Name,Mobile,Governorate,Wilayat
أحمد البلوشي,Ahmed Al Balushi,91234567,Muscat,Muscat
فاطمة الزدجالية,Fatima Al Zadjali,92223333,Muscat,As Seeb
مريم الهنائية,Maryam Al Hinai,99887766,Muscat,Bawshar
خالد الراشدي,Khalid Al Rashdi,95554444,Muscat,Muttrah
عائشة الكندية,Aisha Al Kindi,93334444,Muscat,As Seeb
CSV
safeer import "$work/people.csv" >/dev/null
workshop="$(safeer workshops add --title-ar "أساسيات المدن الذكية" --title-en "Smart city basics" \
	--date "$(date +%F)" --hours 3 --governorate Muscat --wilayat "As Seeb" --capacity 25)"
for id in $(safeer --json people search | jq -r '.results[0:3][].id'); do
	safeer attend "$workshop" "$id" >/dev/null
done

# A display of our own, so as not to disturb one already running.
display=""
for n in $(seq 71 90); do
	if [ ! -e "/tmp/.X$n-lock" ]; then
		display=":$n"
		break
	fi
done
Xvfb "$display" -screen 0 1180x760x24 >/dev/null 2>&1 &
xvfb_pid=$!
sleep 1

for lang in en ar; do
	config="$work/config-$lang"
	mkdir -p "$config/fyne/om.gov.smartcity.safeer"
	printf '{"language":"%s","screen":"checkin","window.width":1180,"window.height":760}\n' "$lang" \
		>"$config/fyne/om.gov.smartcity.safeer/preferences.json"
	DISPLAY="$display" XDG_CONFIG_HOME="$config" "$work/safeer" --db "$db" >/dev/null 2>&1 &
	app_pid=$!
	sleep 5
	DISPLAY="$display" xwd -root -silent | xwdtopnm 2>/dev/null | pnmtopng >"$out/app-xvfb-$lang.png"
	kill "$app_pid" 2>/dev/null || true
	wait "$app_pid" 2>/dev/null || true
	app_pid=""
done
echo "screenshots: saved in $out" >&2
