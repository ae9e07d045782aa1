#!/usr/bin/env bash
# The project's benchmarks, side by side in one run on this machine, with the
# ratios the README reports. Needs scripts/setup.sh done; the torchvision
# comparison also needs Debian's python3-torchvision (skipped when absent).
#   bash scripts/bench.sh            # everything
#   bash scripts/bench.sh eval       # one part: eval, preprocess, engine, sweep
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
data="${IMAGENETX_DATA:-../shared/imagenetx}"
parts="${*:-eval preprocess engine sweep}"

metric() { # metric NAME < benchmark output: the value printed before NAME
  awk -v m="$1" '{for (i = 2; i <= NF; i++) if ($i == m) print $(i-1)}' | tail -n 1
}

for part in $parts; do
  case "$part" in
  eval)
    echo "== eval: load val annotations + 4 base models (50k rows each), class/metaclass/ReaL tables"
    out=$(go test -run '^$' -bench '^BenchmarkEvalBaseModels$' -benchtime 20x -count 3 ./eval)
    echo "$out" | grep Benchmark
    best=$(echo "$out" | awk '/^BenchmarkEvalBaseModels/ {print $3}' | sort -n | head -n 1)
    awk -v ns="$best" 'BEGIN {printf "best: %.1f ms per whole evaluation\n", ns / 1e6}'
    ;;
  preprocess)
    echo "== preprocess: decode -> Resize(256) -> CenterCrop(224) -> tensor on images/val_orig, 2 cores"
    go_out=$(go test -run '^$' -bench '^BenchmarkDecodeToTensor$' -benchtime 5s ./preprocess)
    echo "$go_out" | grep Benchmark
    go_rate=$(echo "$go_out" | metric img/s)
    if /usr/bin/python3 -c 'import torchvision' 2>/dev/null; then
      tv=$(/usr/bin/python3 scripts/bench_torchvision.py --images "$data/images/val_orig" --workers 2 --repeat 15)
      echo "torchvision DataLoader (num_workers=2): $tv"
      tv_rate=$(echo "$tv" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["img_per_s"])')
      awk -v g="$go_rate" -v t="$tv_rate" 'BEGIN {printf "imagenetx / torchvision: %.2fx (%.0f vs %.0f img/s)\n", g / t, g, t}'
    else
      echo "python3-torchvision absent: torchvision side skipped"
    fi
    ;;
  engine)
    echo "== engine: mobilenetv2-12-int8 on images/val_227"
    go test -run '^$' -bench '^BenchmarkPipeline$' -benchtime 1x ./engine | grep -E 'Benchmark|bench_test'
    ;;
  sweep)
    echo "== sweep: 4 colorjitter strengths in one pass vs 4 separate runs"
    go test -run '^$' -bench '^BenchmarkSweep$' -benchtime 1x ./engine | grep -E 'Benchmark|bench_test'
    ;;
  *)
    echo "unknown part $part (want eval, preprocess, engine, sweep)" >&2
    exit 2
    ;;
  esac
done
