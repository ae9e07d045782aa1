#!/usr/bin/env bash
# Screenshot an imagenetx HTML report with headless Chromium, to look at it
# without a desktop (or to attach to an issue).
#
#   scripts/screenshot.sh REPORT.html [OUT.png]
#
# Environment: WIDTH (default 1280) and HEIGHT (default 8000) of the window
# in CSS pixels (the shot is the top HEIGHT pixels of the page); SCALE, the
# device scale factor (default 1; 2 for a sharp shot); CHROMIUM, the
# browser (default: chromium, chromium-browser or google-chrome on PATH).
# Needs Debian's chromium package: apt-get install -y chromium
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
	echo "usage: $0 REPORT.html [OUT.png]" >&2
	exit 2
fi
report=$(realpath "$1")
out=${2:-${1%.html}.png}
width=${WIDTH:-1280}
height=${HEIGHT:-8000}
scale=${SCALE:-1}

browser=${CHROMIUM:-}
if [[ -z $browser ]]; then
	for name in chromium chromium-browser google-chrome google-chrome-stable; do
		if command -v "$name" >/dev/null; then
			browser=$name
			break
		fi
	done
fi
if [[ -z $browser ]]; then
	echo "$0: no Chromium found; apt-get install -y chromium, or set CHROMIUM" >&2
	exit 1
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# The report loads nothing from the network; these flags keep Chromium
# itself from phoning home or prompting.
"$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
	--disable-component-update --disable-sync --no-first-run --hide-scrollbars \
	--user-data-dir="$profile" --window-size="$width,$height" \
	--force-device-scale-factor="$scale" --virtual-time-budget=5000 \
	--screenshot="$(realpath -m "$out")" "file://$report" 2>/dev/null
echo "$out"
