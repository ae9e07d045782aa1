#!/usr/bin/env bash
# The same `imagenetx run` on the CPU and on a GPU, per model, with the
# summary lines (img/s, preprocessing and inference utilisation) side by
# side, and whether the two runs' predictions agree. For a machine with an
# NVIDIA GPU and a CUDA-enabled ONNX Runtime (docs/GPU.md):
#
#   ONNXRUNTIME_LIB=$HOME/ort-gpu/libonnxruntime.so.1 IMAGES=../shared/imagenetx/images/val_227 \
#     bash deploy/gpu-bench.sh mobilenetv2-12-int8 shufflenet-v2-12-qdq
#
# Both runs use the one library ONNXRUNTIME_LIB names, so only the device
# differs. Settings: DEVICE (cuda:0), GPU_BATCH (128), CPU_BATCH (16),
# WORKERS (one per CPU), IMAGENETX (bin/imagenetx).
set -uo pipefail
: "${ONNXRUNTIME_LIB:?point ONNXRUNTIME_LIB at a CUDA-enabled libonnxruntime (docs/GPU.md)}" "${IMAGES:?set IMAGES to an image folder}"
IMAGENETX=${IMAGENETX:-bin/imagenetx}
DEVICE=${DEVICE:-cuda:0}
GPU_BATCH=${GPU_BATCH:-128}
CPU_BATCH=${CPU_BATCH:-16}
WORKERS=${WORKERS:-$(nproc)}
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(mobilenetv2-12-int8 shufflenet-v2-12-qdq)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "CPU: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
status=0
for m in "${models[@]}"; do
  for dev in cpu "$DEVICE"; do
    batch=$CPU_BATCH
    [ "$dev" = cpu ] || batch=$GPU_BATCH
    echo "== $m on $dev (batch $batch, $WORKERS workers)"
    "$IMAGENETX" run --model "$m" --images "$IMAGES" --device "$dev" --batch "$batch" \
      --workers "$WORKERS" --quiet -o "$tmp/$m.$dev.csv" || status=1
  done
  if [ ! -f "$tmp/$m.cpu.csv" ] || [ ! -f "$tmp/$m.$DEVICE.csv" ]; then
    echo "== $m: a run failed, nothing to compare"
  elif cmp -s "$tmp/$m.cpu.csv" "$tmp/$m.$DEVICE.csv"; then
    echo "== $m: CPU and $DEVICE predictions are byte-identical"
  else
    # Expected to differ in the last digits (other kernels; QDQ models run
    # fused int8 kernels on the CPU but float convolutions on CUDA).
    diff_top1=$(paste -d, "$tmp/$m.cpu.csv" "$tmp/$m.$DEVICE.csv" | awk -F, 'NR > 1 && $2 != $5' | wc -l)
    echo "== $m: CPU and $DEVICE predictions differ; top-1 class differs on $diff_top1 images"
  fi
done
exit $status
