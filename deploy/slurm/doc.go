// Package slurm holds no code: it is where the test of deploy/slurm's
// scripts lives. TestScriptsOnARealCluster starts a single-node Slurm
// cluster (munged, slurmctld and slurmd, all in a temporary folder),
// submits the shard array and the merge with submit.sh, as a user would,
// and checks that the merged predictions are byte-identical to one
// unsharded `imagenetx run`.
package slurm
