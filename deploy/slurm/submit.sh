#!/usr/bin/env bash
# Submits the shard array and, after it, the merge:
#
#   IMAGES=/data/imagenet/val MODEL=mobilenetv2-12-int8 OUT=$PWD/out \
#     bash deploy/slurm/submit.sh 16 [sbatch options] [-- sbatch options for the array only]
#
# Options before "--" go to both jobs (a site's mandatory --account,
# --partition or --qos: without them the merge could not be queued); those
# after it only to the shard array (--cpus-per-task=16, --gres=gpu:1), so
# that the merge keeps its own small request.
#
# The variables (and IMAGENETX, RUN, DEVICE, BATCH, ANNOTATIONS when set)
# reach the jobs through --export=ALL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd) # the jobs run in the current folder; logs land there
n=${1:?usage: submit.sh NUMBER_OF_SHARDS [sbatch options] [-- sbatch options for the array only]}
shift
both=() array_only=()
while (($#)); do
  if [ "$1" = "--" ]; then
    shift
    array_only=("$@")
    break
  fi
  both+=("$1")
  shift
done
: "${IMAGES:?set IMAGES}" "${MODEL:?set MODEL}" "${OUT:?set OUT}"
[ "$n" -ge 1 ] || { echo "submit.sh: the number of shards must be ≥ 1" >&2; exit 2; }
array=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" "${both[@]}" "${array_only[@]}" "$here/imagenetx-shards.sbatch")
array=${array%%;*} # --parsable prints "jobid[;cluster]"
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "${both[@]}" "$here/imagenetx-merge.sbatch")
echo "shards: job array $array (0-$((n - 1))); merge: job ${merge%%;*} (after the array succeeds)"
