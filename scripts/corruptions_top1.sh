#!/usr/bin/env bash
# A model's top-1 under ImageNet-C corruptions, measured two ways on the
# same val_227 crops: on the crops imagecorruptions 1.1.2 corrupts
# (scripts/corruptions_reference.py; Debian's python3-numpy, -scipy,
# -skimage, -opencv, -numba, -pil) and on the crops imagenetx's corrupt step
# corrupts (seeded per image). For the random corruptions the two differ by
# sampling only when the distributions match; the README's fidelity table
# comes from this script.
#   bash scripts/corruptions_top1.sh                 # all 19 at severity 3
#   bash scripts/corruptions_top1.sh fog:1 fog:5     # chosen NAME:SEVERITY jobs
# IMAGENETX_TOP1_N=N uses the first N images (default: all 1,300);
# WORK=DIR keeps the crops and the reference's outputs there and reuses
# those already made (the reference takes minutes per job at 1,300 images;
# glass_blur about ten).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
data="${IMAGENETX_DATA:-../shared/imagenetx}"
n="${IMAGENETX_TOP1_N:-0}"
model="${MODEL:-mobilenetv2-12-int8}"
work="${WORK:-}"
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
jobs=("$@")
if ((${#jobs[@]} == 0)); then
  for c in gaussian_noise shot_noise impulse_noise defocus_blur glass_blur motion_blur zoom_blur snow frost fog \
      brightness contrast elastic_transform pixelate jpeg_compression speckle_noise gaussian_blur spatter saturate; do
    jobs+=("$c:3")
  done
fi
go build -o "$work/corrupttop1" ./scripts/corrupttop1
if [ ! -f "$work/crops.npy" ]; then
  "$work/corrupttop1" crops -images "$data/images/val_227" -n "$n" -out "$work/crops.npy" -names "$work/names.txt"
fi
todo=()
for j in "${jobs[@]}"; do
  [ -f "$work/${j/:/_}.npy" ] || todo+=("$j")
done
if ((${#todo[@]})); then
  echo "reference: ${todo[*]}" >&2
  /usr/bin/python3 scripts/corruptions_reference.py batch "$work/crops.npy" "$work" "${todo[@]}" \
    --frost-dir "$data/corruptions/frost"
fi
echo "load average (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
joined=$(IFS=,; echo "${jobs[*]}")
"$work/corrupttop1" eval -images "$data/images/val_227" -n "$n" -ref "$work" -jobs "$joined" -model "$model"
