#!/usr/bin/env bash
# imagenetx's one set-up command. Idempotent: a second run only re-checks.
#   1. Debian packages the build needs (cgo: gcc, libjpeg-turbo, libwebp, zlib), when missing
#      (apt-get only as root; otherwise it says what to install).
#   2. npm, only when the ONNX Runtime library still has to be fetched.
#   3. go build -o bin/imagenetx ./cmd/imagenetx
#   4. bin/imagenetx setup: libonnxruntime.so.1 (from `npm pack
#      onnxruntime-node@1.24.3`, sha256-checked) into .cache/onnxruntime/,
#      then the annotations and the default model into ~/.cache/imagenetx
#      ($IMAGENETX_HOME), copied from $IMAGENETX_MIRROR or ../shared/imagenetx
#      when present, else downloaded; every file sha256-checked. The data
#      home also records where the library is, so that programs anywhere on
#      the machine (any working directory, Go programs embedding imagenetx)
#      find it.
# Extra arguments go to `imagenetx setup` (see `bin/imagenetx setup -h`).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

ORT_LIB=.cache/onnxruntime/libonnxruntime.so.1
ORT_SHA256=92ba8e44d31b80a34f5e805076a044122c3be1fffe0d88ed790de7267b0b2682

missing=()
has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in gcc libc6-dev libturbojpeg0-dev libjpeg62-turbo-dev libwebp-dev zlib1g-dev; do
  has_pkg "$pkg" || missing+=("$pkg")
done
ort_ok() { [ -f "$ORT_LIB" ] && echo "$ORT_SHA256  $ORT_LIB" | sha256sum --check --status; }
if ! ort_ok && ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]}" >&2
    echo "setup: install them as root, then run this script again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: go build -o bin/imagenetx ./cmd/imagenetx"
go build -o bin/imagenetx ./cmd/imagenetx

bin/imagenetx setup --ort-dest "$ORT_LIB" "$@"
echo "setup: done (binary bin/imagenetx, ONNX Runtime $ORT_LIB)"
