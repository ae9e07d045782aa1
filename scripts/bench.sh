#!/usr/bin/env bash
# The project's benchmarks, side by side in one run on this machine, with the
# ratios the README reports. Needs scripts/setup.sh done; the torchvision
# comparison also needs Debian's python3-torchvision, the paper-scale one
# Debian's python3-pandas (each side skipped when absent).
#   bash scripts/bench.sh            # everything but paper, soak and fast
#   bash scripts/bench.sh eval       # one part: eval, preprocess, engine, sweep, audits, paper, soak, fast, types
#   bash scripts/bench.sh types      # `imagenetx types` against the toolkit's computation
#   bash scripts/bench.sh corruptions # the 19 ImageNet-C corruptions against imagecorruptions'
#                                    # Python (Debian's python3-numpy, -scipy, -skimage, -opencv,
#                                    # -numba, -pil), one core each; IMAGENETX_BENCH_CORRUPT_N
#                                    # crops (default 20), severity IMAGENETX_BENCH_CORRUPT_SEVERITY (3)
#   bash scripts/bench.sh paper      # `eval` over 40 and 2,200 prediction files
#                                    # (needs ~5.5 GB free under $TMPDIR)
#   bash scripts/bench.sh soak       # a 50,000-image run killed 3 times and resumed
#                                    # (three passes over 50,000 images: ~10 min idle)
#   bash scripts/bench.sh fast       # --fast-decode's top-1 agreement with exact
#                                    # decoding, every registry model (minutes)
#   bash scripts/bench.sh audits     # the 4 registry models audited in one pass vs 4
#                                    # separate audits vs the bound, on val_227 (~11 min
#                                    # idle; IMAGENETX_BENCH_LIMIT=N for the first N images)
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
    # Until it is complete, a run writes soak.csv.partial (README: Re-runs and resume).
    while kill -0 "$pid" 2>/dev/null && (($(rows "$tmp/soak.csv.partial") < k)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rc=0
    wait "$pid" 2>/dev/null || rc=$? # (bash would print "Killed")
    pid=""
    got=$(rows "$tmp/soak.csv.partial")
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

# preprocess_side_by_side: decode -> Resize(256) -> CenterCrop(224) ->
# tensor over val_orig on 2 cores, imagenetx exact and fast
# (BenchmarkDecodeToTensor) and torchvision's DataLoader with 2 workers
# (scripts/bench_torchvision.py), interleaved for $ROUNDS rounds (default
# 3) so that both sides meet the same load; prints every round, then the
# medians and their ratios, wall (img/s) and CPU (ms per image).
preprocess_side_by_side() {
  echo "== preprocess: decode -> Resize(256) -> CenterCrop(224) -> tensor on images/val_orig, 2 cores"
  local rounds=${ROUNDS:-3} r out tv rows=""
  local have_tv=1
  /usr/bin/python3 -c 'import torchvision' 2>/dev/null || have_tv=0
  go test -c -o "${TMPDIR:-/tmp}/imagenetx-preprocess.test" ./preprocess
  for ((r = 1; r <= rounds; r++)); do
    out=$(cd preprocess && "${TMPDIR:-/tmp}/imagenetx-preprocess.test" -test.run '^$' -test.bench '^BenchmarkDecodeToTensor$' -test.benchtime 3s -test.cpu 2)
    echo "$out" | grep Benchmark
    rows+=$(echo "$out" | awk '/^BenchmarkDecodeToTensor\/(exact|fast)/ {split($1, n, "[/-]"); for (i = 2; i <= NF; i++) {if ($i == "img/s") s = $(i-1); if ($i == "cpu-ms/img") c = $(i-1)} print n[2], s, c}')$'\n'
    if ((have_tv)); then
      tv=$(/usr/bin/python3 scripts/bench_torchvision.py --images "$data/images/val_orig" --workers 2 --repeat 8)
      echo "torchvision DataLoader (num_workers=2): $tv"
      rows+=$(echo "$tv" | /usr/bin/python3 -c 'import json,sys; d = json.load(sys.stdin); print("torchvision", d["img_per_s"], d["cpu_ms_per_img"])')$'\n'
    fi
  done
  ((have_tv)) || echo "python3-torchvision absent: torchvision side skipped"
  echo "$rows" | awk 'NF == 3 {n[$1]++; s[$1, n[$1]] = $2; c[$1, n[$1]] = $3}
    function median(a, k, m,   i, j, t, v) { for (i = 1; i <= m; i++) v[i] = a[k, i]
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) {t = v[i]; v[i] = v[j]; v[j] = t}
      return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }
    END {
      for (k in n) {ms[k] = median(s, k, n[k]); mc[k] = median(c, k, n[k])
        printf "median of %d: %-12s %6.0f img/s %6.2f CPU-ms/img\n", n[k], k, ms[k], mc[k]}
      printf "fast / exact: %.2fx img/s, %.2fx less CPU per image\n", ms["fast"] / ms["exact"], mc["exact"] / mc["fast"]
      if ("torchvision" in n)
        printf "imagenetx exact / torchvision: %.2fx img/s, %.2fx less CPU per image\n", ms["exact"] / ms["torchvision"], mc["torchvision"] / mc["exact"]
    }'
}

# fast_agreement: every registry model over val_orig + val_227, decoded
# exactly and with --fast-decode; prints per model how many images get the
# same top-1 class both ways (goal: at least 99.5%), and the runs' img/s.
fast_agreement() {
  echo "== fast decode: top-1 agreement with exact decoding, registry models, val_orig + val_227"
  local tmp bin f m mode d flag out
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  bin="$tmp/imagenetx"
  go build -o "$bin" ./cmd/imagenetx
  for f in "$data"/models/*.onnx; do
    m=$(basename "$f" .onnx)
    for mode in exact fast; do
      flag=()
      [[ $mode == fast ]] && flag=(--fast-decode)
      for d in val_orig val_227; do
        out=$("$bin" run --model "$f" --images "$data/images/$d" "${flag[@]}" --quiet -o "$tmp/$m.$mode.$d.csv" 2>&1) || { echo "$out" >&2; return 1; }
        echo "$out" | grep -o '[0-9.]* img/s over' | sed "s|^|$m $mode $d: |; s| over$||"
      done
    done
    awk -F, -v m="$m" 'FNR == 1 {next} FILENAME ~ /[.]exact[.]/ {exact[$1] = $2; next}
      {n++; if (exact[$1] == $2) same++}
      END {printf "%-28s top-1 agrees on %d of %d images (%.2f%%)\n", m, same, n, 100 * same / n}' \
      "$tmp/$m.exact.val_orig.csv" "$tmp/$m.exact.val_227.csv" "$tmp/$m.fast.val_orig.csv" "$tmp/$m.fast.val_227.csv"
  done
}

# types_side_by_side: `imagenetx types` as whole processes (the model-type
# table, with the ResNet50 predictions placed and without) next to the
# toolkit's computation (scripts/reference_types.py, pandas and scipy),
# each run 5 times; the issue's target is under 0.5 s.
types_side_by_side() {
  echo "== types: the model-type comparison over the paper's 209 models, whole processes"
  echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
  local tmp bin i
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  bin="$tmp/imagenetx"
  go build -o "$bin" ./cmd/imagenetx
  for i in 1 2 3 4 5; do
    timed "imagenetx types" "$bin" types --results "$data/results" -o "$tmp/types.csv"
  done
  for i in 1 2 3; do
    timed "imagenetx types + ResNet50 placed" "$bin" types --results "$data/results" --annotations "$data/annotations" \
      --predictions "$data/predictions/base/ResNet50.csv" --placement "$tmp/place.csv" --quiet -o "$tmp/types.csv"
  done
  if /usr/bin/python3 -c 'import pandas, scipy' 2>/dev/null; then
    for i in 1 2 3; do
      timed "reference (pandas, scipy)" /usr/bin/python3 scripts/reference_types.py --results "$data/results" --release top --error-type class \
        --place "$data/results/val/top_factor/base/class/accuracies_per_factor.csv" -o /dev/null
    done
  else
    echo "python3-pandas or python3-scipy absent: reference side skipped"
  fi
}

# corruptions_side_by_side: each corruption on the same N val_227 crops,
# as whole processes pinned to one core (taskset; one thread each): the
# reference script's corrupt command (imagecorruptions 1.1.2's code:
# Python start-up, imports and numba's compilation included) and
# corrupttop1 apply (the corrupt variant step). Each writes the corrupted
# crops as .npy. The reference's in-process CPU time per image (after its
# first image: no start-up, no compilation) is shown too.
corruptions_side_by_side() {
  local n=${IMAGENETX_BENCH_CORRUPT_N:-20} sev=${IMAGENETX_BENCH_CORRUPT_SEVERITY:-3}
  echo "== corruptions: the 19 at severity $sev on $n val_227 crops, whole processes on one core each"
  echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
  local tmp py=/usr/bin/python3 c rw rc iw ic inproc tr=0 ti=0 tp=0
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  go build -o "$tmp/corrupttop1" ./scripts/corrupttop1
  "$tmp/corrupttop1" crops -images "$data/images/val_227" -n "$n" -out "$tmp/crops.npy" -names "$tmp/names.txt"
  local one=(taskset -c 0 env OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 NUMBA_NUM_THREADS=1 GOMAXPROCS=1)
  # per image, seconds: the reference's wall and CPU (whole process / N) and
  # its in-process CPU; imagenetx's wall and CPU (whole process / N); the
  # CPU ratios, whole process and against the reference's in-process time
  printf '%-18s %10s %10s %10s %10s %10s %8s %8s\n' corruption ref_wall ref_cpu ref_inproc imx_wall imx_cpu ratio inproc
  for c in gaussian_noise shot_noise impulse_noise defocus_blur glass_blur motion_blur zoom_blur snow frost fog \
      brightness contrast elastic_transform pixelate jpeg_compression speckle_noise gaussian_blur spatter saturate; do
    timed "reference $c" "${one[@]}" "$py" scripts/corruptions_reference.py corrupt "$c" "$sev" "$tmp/crops.npy" "$tmp/ref.npy" \
      --frost-dir "$data/corruptions/frost" >/dev/null # timed's line too: the table below says it
    rw=$t_wall rc=$t_cpu
    inproc=$("${one[@]}" "$py" scripts/corruptions_reference.py time "$c" "$sev" "$tmp/crops.npy" --frost-dir "$data/corruptions/frost")
    timed "imagenetx $c" "${one[@]}" "$tmp/corrupttop1" apply -in "$tmp/crops.npy" -out "$tmp/imx.npy" \
      -names "$tmp/names.txt" -spec "corrupt:name=$c,severity=$sev" >/dev/null
    iw=$t_wall ic=$t_cpu
    tr=$(awk -v a="$tr" -v b="$rc" 'BEGIN {print a + b}')
    ti=$(awk -v a="$ti" -v b="$ic" 'BEGIN {print a + b}')
    tp=$(awk -v a="$tp" -v b="$inproc" 'BEGIN {print a + b}')
    # /usr/bin/time counts CPU in 10 ms ticks: a process under one tick counts one
    awk -v c="$c" -v n="$n" -v rw="$rw" -v rc="$rc" -v ip="$inproc" -v iw="$iw" -v ic="$ic" \
      'BEGIN {if (ic < 0.01) ic = 0.01; printf "%-18s %10.4f %10.4f %10.4f %10.4f %10.4f %7.1fx %7.1fx\n", c, rw / n, rc / n, ip, iw / n, ic / n, rc / ic, ip * n / ic}'
  done
  awk -v n="$n" -v tr="$tr" -v ti="$ti" -v tp="$tp" \
    'BEGIN {printf "%-18s %10s %10.4f %10.4f %10s %10.4f %7.1fx %7.1fx\n", "all 19 (mean)", "", tr / (19 * n), tp / 19, "", ti / (19 * n), tr / ti, tp * n / ti}'
  echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
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
    preprocess_side_by_side
    ;;
  engine)
    echo "== engine: mobilenetv2-12-int8 on images/val_227"
    go test -run '^$' -bench '^BenchmarkPipeline$' -benchtime 1x ./engine | grep -E 'Benchmark|bench_test'
    ;;
  sweep)
    echo "== sweep: 4 colorjitter strengths in one pass vs 4 separate runs"
    go test -run '^$' -bench '^BenchmarkSweep$' -benchtime 1x ./engine | grep -E 'Benchmark|bench_test'
    ;;
  audits)
    echo "== audit: the 4 registry models in one pass vs 4 separate audits vs the bound (val_227${IMAGENETX_BENCH_LIMIT:+, first $IMAGENETX_BENCH_LIMIT images})"
    echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
    go test -run '^$' -bench '^BenchmarkAuditModels$' -benchtime 1x . | grep -E 'Benchmark|audits_bench_test'
    echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
    ;;
  paper)
    paper_scale
    ;;
  types)
    types_side_by_side
    ;;
  corruptions)
    corruptions_side_by_side
    ;;
  soak)
    soak
    ;;
  fast)
    fast_agreement
    ;;
  *)
    echo "unknown part $part (want eval, preprocess, engine, sweep, audits, paper, soak, fast, types, corruptions)" >&2
    exit 2
    ;;
  esac
done
