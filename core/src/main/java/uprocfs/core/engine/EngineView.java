package uprocfs.core.engine;

import java.util.Arrays;
import java.util.List;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.stats.Counters;
import uprocfs.core.task.TaskInfo;

/**
 * What readers (FUSE threads, the status file) may see of the engine; it changes nothing.
 *
 * <p>How a reader gets a consistent view (docs/ARCHITECTURE.md, "Readers"): the rules and
 * their namespaces are one immutable {@link Generation}, published by a volatile write, so
 * {@link #namespaces()} and {@link #namespace} need no lock and always belong to one
 * configuration; the task table and each namespace's members are read under the state's
 * read lock, which the event loop's write lock excludes while a batch, a repair or a swap is
 * applied; the counters are a copy the loop publishes between batches.
 */
public final class EngineView {
    private final EngineState state;

    EngineView(EngineState state) {
        this.state = state;
    }

    public RuleSet rules() {
        return state.current.rules();
    }

    /**
     * The namespaces shown now: the fixed rules' in file order, then the templated sets
     * (those with members and a usable name) by name.
     */
    public List<Namespace> namespaces() {
        return state.current.shown();
    }

    /** The namespace shown as {@code name}, or {@code null}. */
    public Namespace namespace(String name) {
        return state.current.byName(name);
    }

    /** What reads of /proc must take for the rules in force (their executable, their command line). */
    public ProcFs.Detail procDetail() {
        return state.current.detail();
    }

    public int taskCount() {
        state.lock.readLock().lock();
        try {
            return state.tasks.size();
        } finally {
            state.lock.readLock().unlock();
        }
    }

    /** The process {@code pid} as the engine sees it, or {@code null}. */
    public TaskInfo task(int pid) {
        state.lock.readLock().lock();
        try {
            int s = state.tasks.slot(pid);
            return s < 0 ? null : state.tasks.info(s);
        } finally {
            state.lock.readLock().unlock();
        }
    }

    /**
     * Keeps of {@code sortedPids} those whose process has effective uid {@code euid}, in
     * order: what a caller of that uid may see of a namespace when /proc hides other users'
     * processes (hidepid=invisible). Unknown pids are dropped.
     */
    public int[] ownedBy(int[] sortedPids, int euid) {
        state.lock.readLock().lock();
        try {
            int n = 0;
            int[] out = new int[sortedPids.length];
            for (int pid : sortedPids) {
                int s = state.tasks.slot(pid);
                if (s >= 0 && state.tasks.euid(s) == euid) {
                    out[n++] = pid;
                }
            }
            return Arrays.copyOf(out, n);
        } finally {
            state.lock.readLock().unlock();
        }
    }

    /** Every counter, as the event loop last published them. */
    public Counters.Snapshot counters() {
        return state.counters.snapshot();
    }
}
