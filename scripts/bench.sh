#!/usr/bin/env bash
# The project's benchmarks, side by side in one run on this machine, with the
# ratios the README reports. Needs scripts/setup.sh done; the torchvision
# comparison also needs Debian's python3-torchvision, the paper-scale one
# Debian's python3-pandas (each side skipped when absent).
#   bash scripts/bench.sh            # everything but paper and soak
#   bash scripts/bench.sh eval       # one part: eval, preprocess, engine, sweep, paper, soak
#   bash scripts/bench.sh paper      # `eval` over 40 and 2,200 prediction files
#                                    # (needs ~5.5 GB free under $TMPDIR)
#   bash scripts/bench.sh soak       # a 50,000-image run killed 3 times and resumed
#                                    # (three passes over 50,000 images: ~10 min idle)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
data="${IMAGENETX_DATA:-../shared/imagenetx}"
parts="${*:-eval preprocess engine sweep}"

metric() { # metric NAME < benchmark output: the value printed before NAME
  awk -v m="$1" '{for (i = 2; i <= NF; i++) if ($i == m) print $(i-1)}' | tail -n 1
}

# timed NAME CMD...: runs CMD under /usr/bin/time -v and prints one line of
# wall, CPU and peak RSS, tagged NAME; the figures are left in $t_wall,
# $t_cpu and $t_rss.
timed() {
  local name=$1 log
  shift
  log=$(mktemp)
  /usr/bin/time -v "$@" 2>"$log" || { cat "$log" >&2; rm -f "$log"; return 1; }
  t_wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$log")
  t_cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$log")
  t_rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$log")
  rm -f "$log"
  printf '%-34s %7.2f s wall %7.2f s CPU %6d MiB peak RSS\n' "$name" "$t_wall" "$t_cpu" "$t_rss"
}

# paper_scale: the paper evaluated 2,200 models. `imagenetx eval` (the whole
# process: annotations, every file, the class table written as CSV) over
# copies of the four base models' 50,000-row files under distinct names:
# side by side with the reference toolkit's pandas code at 40 models
# (scripts/reference_eval.py; the outputs must be byte-identical), then
# alone at 2,200, checking each model's row against its base model's.
paper_scale() {
  echo "== paper scale: imagenetx eval over 40 and 2,200 copies of the base models' prediction files"
  # the machine may be shared: its load says how far to trust wall times
  echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
  local tmp names bin ann n i
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  bin="$tmp/imagenetx"
  go build -o "$bin" ./cmd/imagenetx
  ann="$data/annotations"
  names=(DINO ResNet50 SimCLR ViT)
  copies() { # copies N DIR
    mkdir -p "$2"
    for ((i = 0; i < $1; i++)); do
      cp "$data/predictions/base/${names[i % 4]}.csv" "$2/$(printf 'model_%04d' "$i").csv"
    done
  }
  copies 40 "$tmp/m40"
  timed "imagenetx eval, 40 models" "$bin" eval --annotations "$ann" --predictions "$tmp/m40" --quiet -o "$tmp/go40.csv"
  local go_wall=$t_wall
  if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    timed "reference (pandas), 40 models" /usr/bin/python3 scripts/reference_eval.py --annotations "$ann" --predictions "$tmp/m40" -o "$tmp/ref40.csv"
    cmp -s "$tmp/go40.csv" "$tmp/ref40.csv" && echo "outputs byte-identical" || { echo "outputs DIFFER" >&2; return 1; }
    awk -v r="$t_wall" -v g="$go_wall" 'BEGIN {printf "imagenetx / reference, whole process: %.1fx faster\n", r / g}'
  else
    echo "python3-pandas absent: reference side skipped"
  fi
  rm -rf "$tmp/m40"
  copies 2200 "$tmp/m2200"
  timed "imagenetx eval, 2,200 models" "$bin" eval --annotations "$ann" --predictions "$tmp/m2200" --quiet -o "$tmp/go2200.csv"
  # each model_i's row is base model i%4's row evaluated alone
  for n in "${names[@]}"; do
    "$bin" eval --annotations "$ann" --predictions "$data/predictions/base/$n.csv" --quiet | tail -n 1
  done >"$tmp/alone.csv"
  awk -F, 'NR == FNR {sub(/^[^,]*,/, ""); alone[FNR - 1] = $0; next}
    FNR > 1 {i = substr($1, 7) + 0; row = $0; sub(/^[^,]*,/, "", row); if (row != alone[i % 4]) bad++; n++}
    END {if (n != 2200 || bad) {print n " rows, " bad + 0 " differ from the model alone"; exit 1}
         print "2,200 rows, each identical to its model evaluated alone"}' "$tmp/alone.csv" "$tmp/go2200.csv"
  echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
}

# soak: a long run survives SIGKILL and stays in bounded memory. val_227's
# 1,300 images are linked under 50,000 ILSVRC2012 names; one uninterrupted
# run is the reference; another is killed with SIGKILL at three random
# points (a number of rows on disk, drawn from SOAK_SEED, printed so that a
# soak can be repeated) and resumed each time, and must end byte-identical
# to it, run.json included. Peak RSS at 50,000 images must stay within 25%
# of a 1,300-image run's (the same folder, --limit 1300). SOAK_IMAGES
# changes the size.
soak() {
  local n=${SOAK_IMAGES:-50000} seed=${SOAK_SEED:-$RANDOM} tmp bin images src rss_small rss_big k rc got
  local pid=""
  local -a args points
  echo "== soak: $n images, SIGKILL at 3 random points and --resume vs one uninterrupted run (SOAK_SEED=$seed)"
  tmp=$(mktemp -d)
  trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$tmp"' RETURN
  bin="$tmp/imagenetx"
  go build -o "$bin" ./cmd/imagenetx
  src=$(realpath "$data/images/val_227")
  images="$tmp/images"
  mkdir "$images"
  perl -e 'my ($src, $dst, $n) = @ARGV;
    opendir(my $d, $src) or die "$src: $!";
    my @f = sort grep { /\.JPEG$/ } readdir($d);
    for my $i (0 .. $n - 1) {
      symlink("$src/$f[$i % @f]", sprintf("%s/ILSVRC2012_val_%08d.JPEG", $dst, $i + 1)) or die "symlink: $!";
    }' "$src" "$images" "$n"
  args=(run --images "$images" --quiet)
  timed "run, 1,300 images (--limit 1300)" "$bin" "${args[@]}" --limit 1300 -o "$tmp/small.csv"
  rss_small=$t_rss
  timed "run, $n images, uninterrupted" "$bin" "${args[@]}" -o "$tmp/ref.csv"
  rss_big=$t_rss
  rows() { if [ -f "$1" ]; then echo $(($(wc -l <"$1") - 1)); else echo 0; fi; }
  RANDOM=$seed
  mapfile -t points < <(for _ in 1 2 3; do echo $(((RANDOM * 32768 + RANDOM) % (n - 1) + 1)); done | sort -n)
  local start=$SECONDS
  for k in "${points[@]}"; do
    "$bin" "${args[@]}" --resume -o "$tmp/soak.csv" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null && (($(rows "$tmp/soak.csv") < k)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rc=0
    wait "$pid" 2>/dev/null || rc=$? # (bash would print "Killed")
    pid=""
    got=$(rows "$tmp/soak.csv")
    [ "$rc" -eq 137 ] || { echo "soak: the run ended by itself (exit status $rc) before SIGKILL at $k rows" >&2; return 1; }
    echo "SIGKILL after $k rows were on disk ($got rows, the last maybe torn, when it died)"
  done
  "$bin" "${args[@]}" --resume -o "$tmp/soak.csv"
  echo "killed and resumed runs: $((SECONDS - start)) s wall in all"
  for f in soak.csv soak.csv.run.json; do
    cmp "$tmp/$f" "$tmp/ref${f#soak}" || { echo "soak: $f differs from the uninterrupted run" >&2; return 1; }
  done
  [ ! -e "$tmp/soak.errors.csv" ] && [ ! -e "$tmp/ref.errors.csv" ] || { echo "soak: an image failed" >&2; return 1; }
  echo "resumed output byte-identical to the uninterrupted run (predictions and run.json)"
  awk -v s="$rss_small" -v b="$rss_big" -v n="$n" 'BEGIN {
    printf "peak RSS: %d MiB at 1,300 images, %d MiB at %d (%.2fx)\n", s, b, n, b / s
    if (b > 1.25 * s) { print "soak: peak RSS grew with the image count" > "/dev/stderr"; exit 1 } }'
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
  paper)
    paper_scale
    ;;
  soak)
    soak
    ;;
  *)
    echo "unknown part $part (want eval, preprocess, engine, sweep, paper, soak)" >&2
    exit 2
    ;;
  esac
done
