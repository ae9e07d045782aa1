// Package atomicfile is the one way imagenetx writes an output. It follows
// one rule, whatever the output is (a command's -o, a file of an audit or
// sweep folder, a merged shard, a report, a chart, a .npy tensor, an
// installed library, a run.json, a run's growing predictions file):
//
//	what the path names            how it is written
//	nothing (missing)              a temporary file in the same folder, synced, renamed into place
//	a regular file                 the same; the new file keeps the old one's mode and owner, and
//	                               a file the writer may not write (a shell's `>` would fail) is refused
//	a character device (/dev/null) opened and written in place, streaming; never replaced
//	a FIFO                         opened and written in place, streaming (the open waits for a reader)
//	"-"                            standard output, streaming
//	/dev/stdout, /dev/stderr,      a duplicate of this process's descriptor N, so that writes share
//	/dev/fd/N, /proc/self/fd/N     its offset (a shell's `2>>log` keeps working)
//	a symbolic link                followed to the end of its chain; the rule applies to what it
//	                               points at (a regular file is replaced by a temporary file made in
//	                               the target's folder), and the link itself stays as it is
//	a directory, a block device,   an error; nothing is written
//	a socket, a link loop
//
// So a writer never replaces what it should not (a device, a FIFO, a link,
// a file it could not have written in place), and a reader never sees a
// half-written regular file under the output's name: it sees the old file
// or the whole new one. Nothing outside the named path is touched: the
// only other name ever created is the temporary file, next to the file it
// replaces, and it is gone when Commit or Abort returns.
//
// Write errors are never lost. File.Write keeps the first error and Commit
// returns it, so an output whose writes failed (a full disk; ENOSPC from
// /dev/full) is reported, never a success, even when the code that filled
// it ignored the error.
//
// Create, Commit and Abort write an output that appears whole at the end;
// Write and WriteFile wrap them. CreateLog and AppendLog are for the one
// kind of output that must be readable while it grows, a run's predictions:
// a crash leaves a prefix that a resumed run continues, so they write the
// regular file in place, and follow the same rule for everything else.
// Remove deletes a stale output by the same rule.
package atomicfile
