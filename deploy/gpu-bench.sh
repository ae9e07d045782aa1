#!/usr/bin/env bash
# One GPU benchmark, in one go: imagenetx with --device cpu, webgpu and
# cuda:0 against PyTorch eager on the GPU fed by a torchvision DataLoader,
# on full-size ImageNet JPEGs, for a torchvision ResNet-50 and MobileNetV2
# (random weights, conditioned as scripts/export_torchvision.py explains,
# exported with the local torchvision). It writes one table: img/s,
# preprocessing busy %, GPU utilisation (nvidia-smi sampling) and top-1
# agreement between every path and the PyTorch peer / imagenetx's CPU path.
# On a machine without a GPU it runs the paths it has and says which
# figures are missing.
#
#   deploy/gpu-bench.sh bundle [DIR]   assemble the bundle here (default .cache/gpu-bundle)
#   deploy/gpu-bench.sh run [DIR]      run the benchmark from a bundle (default .cache/gpu-bundle)
#
# ---------------------------------------------------------------------------
# The target: a GPU workstation (H200, 16 cores, no network) with PyTorch
# 2.11+cu130, torchvision 0.26, timm, onnx and the CUDA 13 runtime libraries
# as pip packages (nvidia-cublas, nvidia-cuda-runtime, nvidia-cudnn-cu13,
# nvidia-curand), NVIDIA's Vulkan ICD at
# /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json, but no Vulkan loader,
# no Go and no imagenetx. Files reach it in one bundle of at most 64 MiB
# (the repository's tracked files plus what `bundle` writes); the run must
# finish within 8 minutes (TIME_BUDGET).
#
# What `bundle` puts in DIR, compressed where it pays (about 40 MiB):
#   bin/imagenetx.gz          this checkout's binary (needs glibc ≥ 2.34)
#   lib/                      the non-glibc shared libraries it links
#                             (libjpeg.so.62, libwebp, zlib; `ldd`)
#   ort/libonnxruntime.so.1.gz  ONNX Runtime 1.29.0 from onnxruntime-node
#                             (sha256-pinned, engine/ortlib.GPUFiles): the one
#                             library every imagenetx path uses, so that only
#                             the device differs; it has the WebGPU provider
#                             built in and loads the CUDA provider beside it
#   ort/libonnxruntime_providers_shared.so  (14 KB, from the asus4 package)
#   deb/libvulkan1_*.deb      the Vulkan loader (`apt-get download`), unpacked
#                             there with dpkg-deb -x (no root, no apt)
#   images/val_orig/          the 67 full-size val JPEGs; the workload is
#                             COPIES hard links of each
#   SHA256SUMS                of everything above
#
# The CUDA provider, libonnxruntime_providers_cuda.so (229 MB; 1.29.0, from
# npm com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9), does not fit in
# 64 MiB, compressed or not (xz -9 leaves about 130 MB). Two ways, and what
# was and was not done:
#   1. In parts, over calls while the machine stays warm: `bundle` also
#      writes DIR/cuda-parts/part-* (xz, cut into 60 MiB pieces, with their
#      sha256). Carry one part per call into the same ignored folder (the
#      machine keeps ignored outputs between warm calls); the run call finds
#      them all, joins them, and checks the result against the provider's
#      sha256 pin before using it. Without every part, cuda:0 is reported as
#      "not assembled" and its figures as missing.
#   2. Cut to sm_90 (the H200's architecture) with the CUDA toolkit there:
#      not possible with the toolkit's tools. nvprune strips architectures
#      from relocatable objects and static libraries only, not from a linked
#      shared library, and cuobjdump only extracts. A provider with sm_90
#      code alone would have to be rebuilt from ONNX Runtime's source with
#      CMAKE_CUDA_ARCHITECTURES=90, which the workstation cannot do in 8
#      minutes without network; not done.
# ---------------------------------------------------------------------------
#
# Settings (environment): CUDA_PARTS (bundle: 0 leaves the CUDA provider
# parts out), COPIES (60: 4,020 images), MODELS ("resnet50
# mobilenet_v2"), WORKERS (nproc), CPU_BATCH (32), GPU_BATCH (128), OUT
# (out/gpu-bench), PYTHON (python3 if it imports torch, else /usr/bin/python3),
# TIME_BUDGET (450 s: each step is cut off when the budget is spent),
# SOFT_VULKAN_LIMIT (16: images for WebGPU on a software Vulkan driver).
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
BUNDLE=${2:-.cache/gpu-bundle}

die() { echo "gpu-bench: $*" >&2; exit 1; }

# The provider's pin (engine/ortlib/gpu.go, GPUFiles).
CUDA_PROVIDER_SHA256=56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037

bundle() {
  local d=$BUNDLE
  export PATH="/usr/local/go/bin:$PATH"
  rm -rf "$d" && mkdir -p "$d"/{bin,lib,ort,deb,images,cuda-parts} || die "cannot create $d"
  go build -trimpath -o "$d/bin/imagenetx" ./cmd/imagenetx || die "go build failed"
  ldd "$d/bin/imagenetx" | awk '$3 ~ /^\// {print $3}' | while read -r so; do
    case "$(basename "$so")" in libc.so*|libm.so*|libpthread*|libdl.so*|librt.so*|ld-linux*) ;; *) cp -L "$so" "$d/lib/" ;; esac
  done
  gzip -9 "$d/bin/imagenetx"
  # The 1.29.0 pair, sha256-checked, from set-up's folder (fetched there
  # with npm pack by `imagenetx setup --gpu` when absent).
  local gpu=.cache/onnxruntime-gpu
  if ! bin/imagenetx setup --no-ort --no-data --gpu --gpu-dir "$gpu" >/dev/null 2>"$d/setup-gpu.log"; then
    grep -q "is installed in" "$d/setup-gpu.log" || { cat "$d/setup-gpu.log" >&2; die "setup --gpu failed"; }
  fi
  gzip -9 -c "$gpu/libonnxruntime.so.1" >"$d/ort/libonnxruntime.so.1.gz"
  cp "$gpu/libonnxruntime_providers_shared.so" "$d/ort/"
  (cd "$d/deb" && apt-get download libvulkan1 >/dev/null 2>&1) || die "apt-get download libvulkan1 failed"
  cp -r "${IMAGES_DIR:-../shared/imagenetx/images/val_orig}" "$d/images/val_orig" && chmod -R u+w "$d/images" || die "no val_orig images"
  (cd "$d" && find bin lib ort deb images -type f -print0 | sort -z | xargs -0 sha256sum >SHA256SUMS)
  # The CUDA provider in parts (see the header), beside, not inside, the
  # one-call bundle.
  # CUDA_PARTS=0 leaves them out (a machine without a GPU needs none, and
  # xz -9 of 229 MB takes minutes on 2 cores).
  if [ "${CUDA_PARTS:-1}" != 0 ]; then
    xz -9 -T0 -c "$gpu/libonnxruntime_providers_cuda.so" | split -b 60M - "$d/cuda-parts/part-"
    (cd "$d/cuda-parts" && sha256sum part-* >SHA256SUMS)
  fi
  echo "bundle $d: $(du -sh --exclude=cuda-parts "$d" | cut -f1) for one call; CUDA provider in $(ls "$d"/cuda-parts/part-* 2>/dev/null | wc -l) parts of ≤ 60 MiB:"
  du -sh "$d"/{bin,lib,ort,deb,images} $(ls "$d"/cuda-parts/part-* 2>/dev/null)
}

[ "$mode" = bundle ] && { bundle; exit; }
[ "$mode" = run ] || die "usage: $0 bundle|run [DIR]"
[ -f "$BUNDLE/SHA256SUMS" ] || die "no bundle at $BUNDLE: run \`$0 bundle\` first"
(cd "$BUNDLE" && sha256sum --quiet -c SHA256SUMS) || die "bundle $BUNDLE does not match its SHA256SUMS"

START=$(date +%s)
TIME_BUDGET=${TIME_BUDGET:-450}
COPIES=${COPIES:-60}
MODELS=${MODELS:-resnet50 mobilenet_v2}
WORKERS=${WORKERS:-$(nproc)}
CPU_BATCH=${CPU_BATCH:-32}
GPU_BATCH=${GPU_BATCH:-128}
SOFT_VULKAN_LIMIT=${SOFT_VULKAN_LIMIT:-16}
OUT=${OUT:-out/gpu-bench}
left() { echo $((TIME_BUDGET - ($(date +%s) - START))); }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
rm -rf "$OUT" && mkdir -p "$OUT"/{preds,logs}
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
missing=()

# --- the machine -----------------------------------------------------------
echo "CPU: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
GPU=""
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then
  GPU=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)
  echo "GPU: $GPU"
else
  echo "GPU: none (no working nvidia-smi)"
  missing+=("every GPU figure: no NVIDIA GPU here (cuda:0, PyTorch on the GPU, GPU utilisation)")
fi
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  PYTHON=/usr/bin/python3
  command -v python3 >/dev/null && python3 -c 'import torch, torchvision' 2>/dev/null && PYTHON=$(command -v python3)
fi
"$PYTHON" -c 'import torch, torchvision; print("PyTorch", torch.__version__, "torchvision", torchvision.__version__, "CUDA", torch.version.cuda, "GPU available:", torch.cuda.is_available())' ||
  die "$PYTHON cannot import torch and torchvision"

# --- the bundle, unpacked ------------------------------------------------------
mkdir -p "$W"/{bin,ort,vulkan}
gunzip -c "$BUNDLE/bin/imagenetx.gz" >"$W/bin/imagenetx" && chmod +x "$W/bin/imagenetx"
gunzip -c "$BUNDLE/ort/libonnxruntime.so.1.gz" >"$W/ort/libonnxruntime.so.1"
cp "$BUNDLE/ort/libonnxruntime_providers_shared.so" "$W/ort/"
IMAGENETX=$W/bin/imagenetx
LIBS=$BUNDLE/lib
# The Vulkan loader, unpacked from its .deb without root.
deb=$(ls "$BUNDLE"/deb/libvulkan1_*.deb | head -1)
if command -v dpkg-deb >/dev/null; then dpkg-deb -x "$deb" "$W/vulkan"; else (cd "$W/vulkan" && ar x "$deb" && tar xf data.tar.*); fi
LIBS=$LIBS:$W/vulkan/usr/lib/x86_64-linux-gnu
NVIDIA_ICD=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
SOFT_VULKAN=""
if [ -f "$NVIDIA_ICD" ]; then
  export VK_DRIVER_FILES=$NVIDIA_ICD VK_ICD_FILENAMES=$NVIDIA_ICD
else
  SOFT_VULKAN=1 # lavapipe or nothing: WebGPU figures are a correctness check only
fi
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$W}
# The CUDA 13 and cuDNN libraries of the Python environment's pip wheels.
NVDIRS=$("$PYTHON" -c 'import glob, site
print(":".join(sorted(d for sp in site.getsitepackages() + [site.getusersitepackages()] for d in glob.glob(sp + "/nvidia/*/lib"))))' 2>/dev/null)
[ -n "$NVDIRS" ] && LIBS=$LIBS:$NVDIRS
export LD_LIBRARY_PATH=$LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
"$IMAGENETX" -h >/dev/null 2>&1 || { ldd "$IMAGENETX" >&2; die "the bundled imagenetx does not start here"; }

# The CUDA provider: from its parts, checked against its pin.
CUDA_STATE="not assembled"
parts=("$BUNDLE"/cuda-parts/part-*)
if [ -f "${parts[0]}" ] && (cd "$BUNDLE/cuda-parts" && sha256sum --quiet -c SHA256SUMS 2>/dev/null); then
  cat "${parts[@]}" | xz -d >"$W/ort/libonnxruntime_providers_cuda.so"
  if echo "$CUDA_PROVIDER_SHA256  $W/ort/libonnxruntime_providers_cuda.so" | sha256sum --quiet -c; then
    CUDA_STATE=assembled
  else
    rm -f "$W/ort/libonnxruntime_providers_cuda.so"
    CUDA_STATE="parts do not give the pinned provider"
  fi
fi
echo "CUDA provider: $CUDA_STATE"
if [ "$CUDA_STATE" = assembled ]; then
  # setup --gpu verifies the three pinned files and lists any CUDA/cuDNN
  # library the loader would still not find.
  "$IMAGENETX" setup --no-ort --no-data --gpu --gpu-dir "$W/ort" --python "$PYTHON" 2>&1 | tee "$OUT/logs/setup-gpu.log" | tail -4
elif [ -n "$GPU" ]; then
  missing+=("imagenetx cuda:0: CUDA provider $CUDA_STATE (see the header: its 229 MB travel in parts)")
fi

# --- the workload: full-size JPEGs -----------------------------------------
IMAGES=$W/images
mkdir -p "$IMAGES"
for f in "$BUNDLE"/images/val_orig/*.JPEG; do
  b=$(basename "$f" .JPEG)
  for ((c = 0; c < COPIES; c++)); do ln "$f" "$IMAGES/${b}_c$(printf %03d $c).JPEG" 2>/dev/null || cp "$f" "$IMAGES/${b}_c$(printf %03d $c).JPEG"; done
done
NIMG=$(ls "$IMAGES" | wc -l)
echo "workload: $NIMG full-size JPEGs ($COPIES copies of the $(ls "$BUNDLE"/images/val_orig | wc -l) val_orig images)"

# --- the models --------------------------------------------------------------
MODELDIR=$W/models
for m in $MODELS; do
  timeout "$(left)" "$PYTHON" scripts/export_torchvision.py export --model "$m" --seed 0 \
    --calib "$BUNDLE/images/val_orig" --calib-count 64 --out "$MODELDIR" 2>"$OUT/logs/export-$m.log" ||
    { tail -3 "$OUT/logs/export-$m.log"; missing+=("$m: export failed or ran out of time"); }
done

# --- one path ------------------------------------------------------------------
# gpu_sampler starts nvidia-smi sampling GPU utilisation every 200 ms.
gpu_sampler() {
  [ -n "$GPU" ] || return 0
  nvidia-smi --query-gpu=utilization.gpu --format=csv,noheader,nounits -lms 200 >"$1" 2>/dev/null &
  echo $!
}
# record appends one JSON line to RESULTS.
record() { "$PYTHON" -c 'import json, sys; print(json.dumps(dict(zip(sys.argv[1::2], sys.argv[2::2]))))' "$@" >>"$RESULTS"; }

run_imagenetx() { # model device batch threads [limit]
  local m=$1 dev=$2 batch=$3 threads=$4 limit=${5:-0} tag="imagenetx-$2"
  local budget
  budget=$(left)
  ((budget > 20)) || { missing+=("$m $tag: no time left"); return; }
  local util=$OUT/logs/$m.$tag.util pid
  pid=$(gpu_sampler "$util")
  timeout "$((budget - 10))" "$IMAGENETX" run --model "$MODELDIR/$m.onnx" --images "$IMAGES" --device "$dev" \
    --ort-lib "$W/ort/libonnxruntime.so.1" --batch "$batch" --workers "$WORKERS" --threads "$threads" \
    --limit "$limit" --quiet -o "$OUT/preds/$m.$tag.csv" 2>"$OUT/logs/$m.$tag.log"
  local rc=$?
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  record model "$m" path "$tag" rc "$rc" log "$OUT/logs/$m.$tag.log" util "$util" preds "$OUT/preds/$m.$tag.csv" note "${6:-}"
  ((rc == 0)) || { echo "== $m $tag failed (exit $rc):"; grep -v '^Warning\|artificially' "$OUT/logs/$m.$tag.log" | tail -2; }
}

run_torch() { # model device
  local m=$1 dev=$2 tag="pytorch-$2" budget
  budget=$(left)
  ((budget > 20)) || { missing+=("$m $tag: no time left"); return; }
  local util=$OUT/logs/$m.$tag.util pid
  pid=$(gpu_sampler "$util")
  timeout "$((budget - 10))" "$PYTHON" scripts/export_torchvision.py predict --weights "$MODELDIR/$m.pt" --images "$IMAGES" \
    --device "$dev" --batch "$3" --workers "$WORKERS" --out "$OUT/preds/$m.$tag.csv" --stats "$OUT/logs/$m.$tag.json" \
    2>"$OUT/logs/$m.$tag.log"
  local rc=$?
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
  record model "$m" path "$tag" rc "$rc" stats "$OUT/logs/$m.$tag.json" util "$util" preds "$OUT/preds/$m.$tag.csv"
  ((rc == 0)) || { echo "== $m $tag failed (exit $rc):"; tail -2 "$OUT/logs/$m.$tag.log"; }
}

for m in $MODELS; do
  [ -f "$MODELDIR/$m.onnx" ] || continue
  echo "== $m"
  if [ -n "$GPU" ]; then
    run_torch "$m" cuda "$GPU_BATCH"
    [ "$CUDA_STATE" = assembled ] && run_imagenetx "$m" cuda:0 "$GPU_BATCH" 2
    run_imagenetx "$m" webgpu "$GPU_BATCH" 2
  else
    run_torch "$m" cpu "$CPU_BATCH"
    if [ -n "$SOFT_VULKAN" ]; then
      run_imagenetx "$m" webgpu 8 "$WORKERS" "$SOFT_VULKAN_LIMIT" "software Vulkan, first $SOFT_VULKAN_LIMIT images: correctness only"
    fi
  fi
  run_imagenetx "$m" cpu "$CPU_BATCH" "$WORKERS"
done
[ -n "$SOFT_VULKAN" ] && missing+=("WebGPU speed: no GPU Vulkan driver (NVIDIA ICD $NVIDIA_ICD absent); WebGPU ran on software Vulkan for agreement only")

# --- the table -----------------------------------------------------------------
"$PYTHON" - "$RESULTS" "$NIMG" <<'PY' | tee "$OUT/table.md"
import csv, json, os, re, sys

results, nimg = sys.argv[1], int(sys.argv[2])
rows = [json.loads(l) for l in open(results) if l.strip()]

def preds(path):
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return {r["file_name"]: int(r["predicted_class"]) for r in csv.DictReader(f)}

def util(path):
    try:
        vals = [float(v) for v in open(path).read().split() if re.fullmatch(r"[0-9.]+", v)]
    except OSError:
        return None
    return sum(vals) / len(vals) if vals else None

for r in rows:
    r["p"] = preds(r["preds"])
    r["util"] = util(r.get("util", ""))
    r["rate"] = r["busy"] = None
    if r["path"].startswith("imagenetx") and r["rc"] == "0":
        log = open(r["log"]).read()
        m = re.search(r"on (\d+) images: .*?; ([0-9.]+) img/s", log)
        b = re.search(r"busy: preprocessing workers (\d+)%", log)
        r["rate"] = float(m.group(2)) if m else None
        r["busy"] = float(b.group(1)) if b else None
        e = re.search(r"execution provider (.*)", log)
        r["ep"] = e.group(1) if e else ""
    elif r["path"].startswith("pytorch") and r["rc"] == "0":
        st = json.load(open(r["stats"]))
        r["rate"], r["busy"] = st["img_per_s"], 100 * st["prep_busy"]

def agree(a, b):
    common = [k for k in a if k in b]
    if not common:
        return "—"
    same = sum(a[k] == b[k] for k in common)
    return f"{same}/{len(common)} ({100*same/len(common):.2f}%)"

def fmt(x, spec):
    return "missing" if x is None else format(x, spec)

print(f"\n| model | path | images | img/s | preprocessing busy | GPU utilisation | top-1 = PyTorch | top-1 = imagenetx cpu | note |")
print("|---|---|---|---|---|---|---|---|---|")
for model in dict.fromkeys(r["model"] for r in rows):
    rs = [r for r in rows if r["model"] == model]
    torch = next((r["p"] for r in rs if r["path"].startswith("pytorch")), {})
    cpu = next((r["p"] for r in rs if r["path"] == "imagenetx-cpu"), {})
    for r in rs:
        status = "" if r["rc"] == "0" else f"failed (exit {r['rc']}) "
        note = status + r.get("note", "") + (f" {r['ep']}" if r.get("ep") else "")
        print(f"| {model} | {r['path']} | {len(r['p'])} | {fmt(r['rate'], '.1f')} | {fmt(r['busy'], '.0f')}{'%' if r['busy'] is not None else ''} "
              f"| {fmt(r['util'], '.0f')}{'%' if r['util'] is not None else ''} | {agree(r['p'], torch) if r['p'] is not torch else 'peer'} "
              f"| {agree(r['p'], cpu) if r['p'] is not cpu else 'reference'} | {note.strip()} |")
PY
echo
if ((${#missing[@]})); then
  echo "Missing figures:"
  printf '  - %s\n' "${missing[@]}"
fi
echo "(${NIMG} images; $(( $(date +%s) - START )) s of the ${TIME_BUDGET} s budget; outputs in $OUT)"
