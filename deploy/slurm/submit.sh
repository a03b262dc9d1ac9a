#!/usr/bin/env bash
# Submits an acdsim run as a Slurm job array of N shards and its merge, which waits for every
# shard (--dependency=afterok). Prints the two job ids.
#
#   deploy/slurm/submit.sh N OUT_DIR run SCENARIO [OPTIONS...]
#   deploy/slurm/submit.sh 16 /shared/study run scenarios/default.json -n 100000 --surge 1.2
#
# OUT_DIR (on a file system every node sees, new for each run) receives partials/, logs/ and the
# merged report (report.json, report.txt, csv/). ACDSIM_WAIT=1 waits for the merge to finish
# (sbatch --wait) and fails unless it completed: a failed shard cancels it (afterok). Extra
# sbatch options: $SBATCH_ARGS (e.g. "--partition=long").
set -euo pipefail
n=$1
out=$(realpath -m "$2")
shift 2
here=$(dirname "$(realpath "$0")")
if [ -n "$(ls -A "$out/partials" 2>/dev/null)" ]; then
    echo "$out/partials is not empty: give each run a new OUT_DIR" >&2
    exit 2
fi
mkdir -p "$out/partials" "$out/logs"
# shellcheck disable=SC2086
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array=0-$((n - 1)) \
    --output="$out/logs/%x-%A_%a.out" "$here/acdsim-shard.sbatch" "$out/partials" "$@")
array=${array%%;*}
wait=()
[ "${ACDSIM_WAIT:-0}" = 1 ] && wait=(--wait)
echo "shards: job $array ($n tasks)"
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} "${wait[@]}" --dependency="afterok:$array" \
    --kill-on-invalid-dep=yes --output="$out/logs/%x-%j.out" \
    "$here/acdsim-merge.sbatch" "$out/partials" "$out")
merge=${merge%%;*}
echo "merge: job $merge -> $out/report.json"
if [ ${#wait[@]} -gt 0 ]; then
    state=$(scontrol show job "$merge" -o | grep -o 'JobState=[A-Z_]*' || true)
    if [ "$state" != JobState=COMPLETED ]; then
        echo "merge job $merge did not complete ($state): see $out/logs" >&2
        exit 1
    fi
fi
