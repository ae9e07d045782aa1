package slurm_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/imagenetx/imagenetx/engine/ortlib"
	"github.com/imagenetx/imagenetx/internal/shareddata"
)

// shards is how many array tasks split val_227.
const shards = 3

// jobTimeout bounds the wait for the jobs (1,300 images on a shared,
// loaded 2-core machine take about a minute; an idle one, seconds).
const jobTimeout = 15 * time.Minute

// TestScriptsOnARealCluster runs deploy/slurm as a user does, on a real
// single-node Slurm cluster that it starts: submit.sh queues the shard
// array (3 tasks over val_227's 1,300 images) and the merge after it, both
// through sbatch; the merged predictions and run.json must be byte-
// identical to one unsharded `imagenetx run`. The daemons are stopped by
// process id when the test ends, failed or not.
//
// It needs root (slurmd starts the jobs as their user) and Debian's
// slurm-wlm and munge (.ci/run installs them): where they are missing the
// test is skipped, and fails under CI.
func TestScriptsOnARealCluster(t *testing.T) {
	requireCluster(t)
	images := shareddata.Require(t, "images", "val_227")
	model := shareddata.Require(t, "models", "mobilenetv2-12-int8.onnx")
	annotations := shareddata.Require(t, "annotations")
	lib, err := ortlib.Locate("")
	if err != nil {
		failOrSkip(t, err.Error())
	}
	bin := buildImagenetx(t)
	c := startCluster(t)

	started := time.Now()
	work := t.TempDir() // the jobs' working folder: their logs land here
	out := filepath.Join(work, "out")
	submit := exec.Command("bash", scriptPath(t, "submit.sh"), strconv.Itoa(shards), "--mem=512M", "--", "--cpus-per-task=1")
	submit.Dir = work
	submit.Env = append(c.env(),
		"IMAGES="+images, "MODEL="+model, "OUT="+out, "IMAGENETX="+bin,
		"ONNXRUNTIME_LIB="+lib, "ANNOTATIONS="+annotations)
	msg, err := submit.CombinedOutput()
	if err != nil {
		t.Fatalf("submit.sh: %v\n%s", err, msg)
	}
	m := regexp.MustCompile(`job array (\d+) .*merge: job (\d+)`).FindStringSubmatch(string(msg))
	if m == nil {
		t.Fatalf("submit.sh printed no job ids:\n%s", msg)
	}
	array, merge := m[1], m[2]
	jobs := c.waitForJobs(t, array, merge)
	t.Logf("cluster jobs finished in %s (submit to merge done)", time.Since(started).Round(time.Second))
	ok := len(jobs) == shards+1
	for _, j := range jobs {
		ok = ok && j.state == "COMPLETED" && j.exit == "0:0"
	}
	if !ok {
		t.Errorf("jobs %+v, want %d array tasks and the merge COMPLETED with exit code 0:0", jobs, shards)
		dumpLogs(t, work, ".log")
		dumpLogs(t, c.dir, ".out")
		t.FailNow()
	}

	// The reference: one unsharded run, with the scripts' default batch.
	ref := filepath.Join(t.TempDir(), "ref.csv")
	run := exec.Command(bin, "run", "--images", images, "--model", model, "--ort-lib", lib,
		"--batch", "32", "--quiet", "-o", ref)
	if msg, err := run.CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, msg)
	}
	merged := filepath.Join(out, "mobilenetv2-12-int8", "mobilenetv2-12-int8.csv")
	for _, pair := range [][2]string{{merged, ref}, {merged + ".run.json", ref + ".run.json"}} {
		sameBytes(t, pair[0], pair[1])
	}
	if _, err := os.Stat(filepath.Join(out, "mobilenetv2-12-int8", "factors.csv")); err != nil {
		t.Errorf("the merge job did not evaluate: %v", err)
	}
	for i := range shards {
		log := filepath.Join(work, fmt.Sprintf("imagenetx-%s_%d.log", array, i))
		if b, err := os.ReadFile(log); err != nil || !bytes.Contains(b, []byte(fmt.Sprintf("(shard %d/%d of 1300)", i, shards))) {
			t.Errorf("%s: %q, %v; want the shard's summary", log, b, err)
		}
	}
}

// requireCluster skips (fails under CI) where a cluster cannot start here.
func requireCluster(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"slurmctld", "slurmd", "munged", "sbatch", "scontrol", "scancel"} {
		if _, err := exec.LookPath(tool); err != nil {
			failOrSkip(t, fmt.Sprintf("%s not found (Debian: apt-get install slurm-wlm munge): %v", tool, err))
		}
	}
	if os.Geteuid() != 0 {
		failOrSkip(t, "slurmd must run as root to start jobs")
	}
}

func failOrSkip(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}

// scriptPath is a script of this folder, which the test runs in.
func scriptPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// buildImagenetx builds the command into a temporary folder.
func buildImagenetx(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "imagenetx")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/imagenetx/imagenetx/cmd/imagenetx").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cluster is a running single-node Slurm cluster.
type cluster struct {
	// dir holds everything: slurm.conf, state, spool, logs, the munge key
	// and socket.
	dir string
}

// env is the environment for the cluster's clients and the submitted jobs:
// this process's, without any Slurm variables of an enclosing job, and
// SLURM_CONF naming the cluster's slurm.conf.
func (c *cluster) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SLURM_") {
			env = append(env, kv)
		}
	}
	return append(env, "SLURM_CONF="+filepath.Join(c.dir, "slurm.conf"))
}

var slurmConf = template.Must(template.New("slurm.conf").Parse(`# a single-node cluster for deploy/slurm's test
ClusterName=imagenetxtest
SlurmctldHost={{.Host}}(127.0.0.1)
SlurmctldPort={{.CtldPort}}
SlurmdPort={{.SlurmdPort}}
AuthType=auth/munge
AuthInfo=socket={{.Dir}}/munge.socket
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
StateSaveLocation={{.Dir}}/state
SlurmdSpoolDir={{.Dir}}/spool
SlurmctldPidFile={{.Dir}}/slurmctld.pid
SlurmdPidFile={{.Dir}}/slurmd.pid
MailProg=/bin/true
ReturnToService=2
NodeName={{.Host}} NodeAddr=127.0.0.1 CPUs={{.CPUs}} RealMemory={{.MemoryMB}} State=UNKNOWN
PartitionName=debug Nodes={{.Host}} Default=YES MaxTime=INFINITE State=UP
`))

// startCluster writes the configuration and a munge key, starts munged,
// slurmctld and slurmd in the foreground (so that their process ids are
// known), and waits for the node to be idle. Cleanup cancels any job left
// and stops the daemons by process id.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	// munged wants its socket's folder and every folder above it
	// searchable by everyone, which t.TempDir's is not.
	dir, err := os.MkdirTemp("", "imagenetx-slurm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chmod(dir, 0o755))
	for _, sub := range []string{"state", "spool", "log"} {
		must(t, os.Mkdir(filepath.Join(dir, sub), 0o755))
	}
	c := &cluster{dir: dir}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	host, _, _ = strings.Cut(host, ".") // slurmctld compares the short name
	cpus, memoryMB := nodeResources(t)
	var conf bytes.Buffer
	must(t, slurmConf.Execute(&conf, map[string]any{
		"Host": host, "Dir": dir, "CtldPort": freePort(t), "SlurmdPort": freePort(t),
		"CPUs": cpus, "MemoryMB": memoryMB / 2,
	}))
	must(t, os.WriteFile(filepath.Join(dir, "slurm.conf"), conf.Bytes(), 0o644))
	key := make([]byte, 1024)
	rand.Read(key)
	must(t, os.WriteFile(filepath.Join(dir, "munge.key"), key, 0o600))

	c.daemon(t, "munged", "-F", "--key-file="+filepath.Join(dir, "munge.key"),
		"--socket="+filepath.Join(dir, "munge.socket"), "--pid-file="+filepath.Join(dir, "munged.pid"),
		"--seed-file="+filepath.Join(dir, "munged.seed"), "--log-file="+filepath.Join(dir, "log", "munged.log"))
	c.waitFor(t, "the munge socket", func() bool {
		_, err := os.Stat(filepath.Join(dir, "munge.socket"))
		return err == nil
	})
	confPath := filepath.Join(dir, "slurm.conf")
	c.daemon(t, "slurmctld", "-D", "-f", confPath)
	c.daemon(t, "slurmd", "-D", "-f", confPath, "-N", host)
	c.waitFor(t, "the node to be idle", func() bool {
		out, _ := c.client("scontrol", "-o", "show", "node", host)
		return strings.Contains(out, "State=IDLE")
	})
	t.Cleanup(func() { c.cancelJobs(t) }) // runs before the daemons stop
	return c
}

// daemon starts a daemon in the foreground and registers its stop: SIGTERM
// to its process id, SIGKILL if it has not exited 10 s later.
func (c *cluster) daemon(t *testing.T, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = c.env()
	cmd.Dir = c.dir
	logf, err := os.Create(filepath.Join(c.dir, "log", name+".out"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		logf.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			t.Logf("%s (pid %d) ignored SIGTERM for 10 s: killing it", name, cmd.Process.Pid)
			cmd.Process.Kill()
			<-exited
		}
	})
}

// client runs a Slurm client command against the cluster.
func (c *cluster) client(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = c.env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// waitFor polls ready for 60 s, failing the test (with the daemons' logs)
// when it never holds.
func (c *cluster) waitFor(t *testing.T, what string, ready func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if ready() {
			return
		}
	}
	dumpLogs(t, c.dir, ".out")
	t.Fatalf("waited a minute for %s", what)
}

// job is one job (or array task) as scontrol reports it.
type job struct {
	id, arrayJob, task, name, state, exit string
}

// terminal job states (squeue(1), JOB STATE CODES).
var terminal = map[string]bool{
	"COMPLETED": true, "FAILED": true, "CANCELLED": true, "TIMEOUT": true, "NODE_FAIL": true,
	"OUT_OF_MEMORY": true, "BOOT_FAIL": true, "DEADLINE": true, "PREEMPTED": true,
}

// waitForJobs waits until the array's tasks and the merge job have ended
// and returns them.
func (c *cluster) waitForJobs(t *testing.T, array, merge string) []job {
	t.Helper()
	deadline := time.Now().Add(jobTimeout)
	for {
		out, err := c.client("scontrol", "-o", "show", "job")
		if err != nil {
			t.Fatalf("scontrol show job: %v\n%s", err, out)
		}
		var ours []job
		done := true
		for _, j := range parseJobs(out) {
			if j.arrayJob == array || j.id == merge {
				ours = append(ours, j)
				done = done && terminal[j.state]
			}
		}
		// A dependency that can never be met leaves the merge pending.
		if done || time.Now().After(deadline) || mergeNeverRuns(ours, merge) {
			return ours
		}
		time.Sleep(time.Second)
	}
}

// mergeNeverRuns reports whether the merge waits on a failed array.
func mergeNeverRuns(jobs []job, merge string) bool {
	for _, j := range jobs {
		if j.id != merge && terminal[j.state] && j.state != "COMPLETED" {
			return true
		}
	}
	return false
}

// parseJobs reads `scontrol -o show job`: one job per line, Key=Value.
func parseJobs(out string) []job {
	var jobs []job
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := map[string]string{}
		for _, kv := range strings.Fields(sc.Text()) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				f[k] = v
			}
		}
		if f["JobId"] != "" {
			jobs = append(jobs, job{id: f["JobId"], arrayJob: f["ArrayJobId"], task: f["ArrayTaskId"],
				name: f["JobName"], state: f["JobState"], exit: f["ExitCode"]})
		}
	}
	return jobs
}

// cancelJobs cancels whatever is still queued or running (a failed test),
// so that no job outlives the cluster, and waits for them to end.
func (c *cluster) cancelJobs(t *testing.T) {
	out, err := c.client("scontrol", "-o", "show", "job")
	if err != nil {
		return
	}
	var live []string
	for _, j := range parseJobs(out) {
		if !terminal[j.state] {
			live = append(live, j.id)
		}
	}
	if len(live) == 0 {
		return
	}
	t.Logf("cancelling jobs %v", live)
	c.client("scancel", live...)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		out, _ := c.client("squeue", "-h")
		if strings.TrimSpace(out) == "" {
			return
		}
	}
}

// dumpLogs logs the files under dir whose names end in suffix: the jobs'
// *.log, the daemons' *.out (they log to standard error in the
// foreground).
func dumpLogs(t *testing.T, dir, suffix string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, suffix) {
			b, _ := os.ReadFile(p)
			t.Logf("== %s\n%s", p, b)
		}
		return nil
	})
}

func sameBytes(t *testing.T, got, want string) {
	t.Helper()
	g, err1 := os.ReadFile(got)
	w, err2 := os.ReadFile(want)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s (%d bytes) differs from the single run's %s (%d bytes)", got, len(g), want, len(w))
	}
}

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// nodeResources are the CPUs and memory (MiB) that slurmd finds on this
// machine (slurmd -C); a node configured with more would be drained.
func nodeResources(t *testing.T) (cpus, memoryMB int) {
	t.Helper()
	out, err := exec.Command("slurmd", "-C").Output()
	if err != nil {
		t.Fatalf("slurmd -C: %v", err)
	}
	field := func(name string) int {
		m := regexp.MustCompile(`\b` + name + `=(\d+)`).FindSubmatch(out)
		if m == nil {
			t.Fatalf("slurmd -C printed no %s=: %s", name, out)
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	return field("CPUs"), field("RealMemory")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
