#!/usr/bin/env bash
# Submits the shard array and, after it, the merge:
#
#   IMAGES=/data/imagenet/val MODEL=mobilenetv2-12-int8 OUT=$PWD/out \
#     bash deploy/slurm/submit.sh 16 [extra sbatch options for the array, e.g. --partition=cpu]
#
# The variables (and IMAGENETX, RUN, DEVICE, BATCH, ANNOTATIONS when set)
# reach the jobs through --export=ALL.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd) # the jobs run in the current folder; logs land there
n=${1:?usage: submit.sh NUMBER_OF_SHARDS [sbatch options]}
shift
: "${IMAGES:?set IMAGES}" "${MODEL:?set MODEL}" "${OUT:?set OUT}"
[ "$n" -ge 1 ] || { echo "submit.sh: the number of shards must be ≥ 1" >&2; exit 2; }
array=$(sbatch --parsable --export=ALL --array="0-$((n - 1))" "$@" "$here/imagenetx-shards.sbatch")
array=${array%%;*} # --parsable prints "jobid[;cluster]"
merge=$(sbatch --parsable --export=ALL --dependency="afterok:$array" "$here/imagenetx-merge.sbatch")
echo "shards: job array $array (0-$((n - 1))); merge: job ${merge%%;*} (after the array succeeds)"
