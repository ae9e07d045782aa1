#!/usr/bin/env bash
# The project's test command: vet, the whole test suite under the race
# detector (real models, images and annotations from $IMAGENETX_DATA or
# ../shared/imagenetx), then every fuzz target for a short budget.
# FUZZTIME=0 skips the fuzzing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

echo "== go vet"
go vet ./...

echo "== go test -race"
go test -race -count=1 -timeout 45m ./...

fuzztime="${FUZZTIME:-10s}"
if [ "$fuzztime" != "0" ]; then
  echo "== fuzz ($fuzztime per target)"
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
      echo "-- $pkg $target"
      go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >/tmp/imagenetx-fuzz.log 2>&1 || {
        cat /tmp/imagenetx-fuzz.log
        echo "fuzz target $target failed; the crasher is saved under $pkg's testdata/fuzz" >&2
        exit 1
      }
    done
  done
fi
echo "== all tests passed"
