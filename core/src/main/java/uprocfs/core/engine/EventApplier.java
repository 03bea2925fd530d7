package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import uprocfs.core.event.EventBatch;
import uprocfs.core.event.EventKind;
import uprocfs.core.event.ExitNames;
import uprocfs.core.event.ExitStatus;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;
import uprocfs.core.task.TaskInfo;

/**
 * Applies event batches to the state, on the event loop. The few {@code /proc} reads a batch
 * needs are made before the write lock is taken (what an EXEC turned its process into) or
 * after it is released (children of unknown parents, threaded processes whose leader exited),
 * never under it, so readers wait microseconds at most.
 *
 * <p>Kernel facts this relies on (include/uapi/linux/cn_proc.h, kernel/fork.c, fs/exec.c):
 * a FORK whose child pid differs from its tgid is a new thread; an EXIT whose pid differs
 * from its tgid is a thread ending; a child inherits euid, egid and comm from its parent;
 * EXEC may change all three (setuid binaries) without a UID or GID event, so the process is
 * re-read from /proc; UID/GID events carry the new effective id; COMM events the new name.
 * A process's identity as /proc and pgrep show it is its leader thread's, so UID, GID and
 * COMM events of other threads change nothing. The leader may exit before the other
 * threads (pthread_exit in main): its EXIT event then has pid == tgid although the process
 * runs on. So a process known to have had threads is, at its leader's exit and at each
 * later thread exit, read from /proc after the batch, and leaves once /proc shows it has
 * ended. That read is exact: a thread other than the leader is released in exit_notify,
 * before its EXIT event is sent, so the last thread's EXIT finds the leader a zombie with
 * one thread (kernel/exit.c). Counting threads instead cannot be made exact: a /proc read
 * already includes threads whose FORK events are still queued.
 *
 * <p>Idempotent in the ways startup and resync need (docs/ARCHITECTURE.md, "Reconciliation"):
 * an EXIT for an unknown pid is a no-op, a FORK for a known pid replaces it.
 */
final class EventApplier {
    private final EngineState state;
    private final ProcFs.TaskReader proc;
    private final Counters counters;

    // Identities read from /proc for the EXEC entries of the batch being applied.
    private TaskInfo[] execRead = new TaskInfo[0];
    // Processes that a later EXIT of the batch being applied ends (see readExecTargets).
    private final IntOpenHashSet endsLater = new IntOpenHashSet();
    // Children whose parent the table did not know: read from /proc after the batch.
    private final IntArrayList orphans = new IntArrayList();
    // Threaded processes whose leader has exited: gone or not, /proc tells after the batch.
    private final IntArrayList leaderless = new IntArrayList();
    // Their last thread's exit status, for the count of how they ended.
    private final it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap lastExitStatus =
            new it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap();

    /** What ended processes ran, for those whose exec could not be read. */
    private ExitNames exitNames = ExitNames.NONE;

    /** @param proc the event loop's reader of /proc */
    EventApplier(EngineState state, ProcFs.TaskReader proc) {
        this.state = state;
        this.proc = proc;
        this.counters = state.counters;
    }

    void exitNames(ExitNames names) {
        this.exitNames = names;
    }

    void apply(EventBatch batch) {
        readExecTargets(batch);
        long now = System.currentTimeMillis();
        Generation g = state.current;
        state.lock.writeLock().lock();
        try {
            for (int i = 0, n = batch.size(); i < n; i++) {
                applyOne(g, batch, i, now);
            }
        } finally {
            state.lock.writeLock().unlock();
        }
        long applied = System.nanoTime();
        for (int i = 0, n = batch.size(); i < n; i++) {
            long ts = batch.timestampNanos(i);
            if (ts != 0) {
                counters.recordLag(applied - ts);
            }
        }
        Arrays.fill(execRead, 0, Math.min(execRead.length, batch.size()), null);
        readAfterBatch();
    }

    /**
     * Reads, before the lock is taken, what every EXEC in the batch turned its process into;
     * except where the batch itself ends that process later on (its leader's EXIT, with no
     * thread started in between), because then the identity read would be dropped unused:
     * in a storm of short-lived commands most EXECs are followed by their EXIT in the same
     * batch, and their process is gone from /proc by the time it would be read.
     *
     * <p>Walked backwards, so that "ends later in this batch" is known at each EXEC: a
     * leader's EXIT marks its tgid, a FORK of a thread in it or a FORK that creates it (an
     * earlier process with a reused pid) unmarks it.
     */
    private void readExecTargets(EventBatch batch) {
        if (execRead.length < batch.size()) {
            execRead = new TaskInfo[batch.capacity()];
        }
        endsLater.clear();
        ProcFs.Detail detail = state.current.detail();
        for (int i = batch.size() - 1; i >= 0; i--) {
            int tgid = batch.tgid(i);
            switch (batch.kind(i)) {
                case EventKind.EXIT -> {
                    if (batch.pid(i) == tgid) {
                        endsLater.add(tgid);
                    }
                }
                case EventKind.FORK -> endsLater.remove(tgid);
                case EventKind.EXEC -> {
                    if (!endsLater.contains(tgid)) {
                        execRead[i] = proc.read(tgid, detail);
                    }
                }
                default -> {
                }
            }
        }
    }

    private void applyOne(Generation g, EventBatch b, int i, long now) {
        TaskTable tasks = state.tasks;
        int kind = b.kind(i);
        int pid = b.pid(i);
        int tgid = b.tgid(i);
        counters.increment(EventKind.counter(kind));
        switch (kind) {
            case EventKind.FORK -> {
                if (pid != tgid) {
                    counters.increment(Metric.THREAD_EVENTS);
                    int s = tasks.slot(tgid);
                    if (s >= 0) {
                        tasks.setThreads(s, true, tasks.leaderExited(s));
                    }
                    return;
                }
                fork(g, b.parentTgid(i), pid, now);
            }
            case EventKind.EXEC -> {
                TaskInfo t = execRead[i];
                int s = t == null ? tasks.slot(tgid) : -1;
                if (t != null) {
                    state.putTask(g, t, now);
                } else if (s >= 0) {
                    // What it became is not known (it ended before it could be read): its
                    // exit belongs to no set it is still filed in.
                    tasks.setExecUnread(s, true);
                }
            }
            case EventKind.UID -> {
                int s = pid == tgid ? tasks.slot(tgid) : -1;
                if (s >= 0) {
                    state.reidentify(g, s, b.euid(i), tasks.egid(s), tasks.comm(s), now);
                }
            }
            case EventKind.GID -> {
                int s = pid == tgid ? tasks.slot(tgid) : -1;
                if (s >= 0) {
                    state.reidentify(g, s, tasks.euid(s), b.egid(i), tasks.comm(s), now);
                }
            }
            case EventKind.COMM -> {
                int s = pid == tgid ? tasks.slot(tgid) : -1;
                if (s >= 0) {
                    state.reidentify(g, s, tasks.euid(s), tasks.egid(s), b.commKey(i), now);
                }
            }
            case EventKind.EXIT -> {
                int s = tasks.slot(tgid);
                if (pid != tgid) {
                    counters.increment(Metric.THREAD_EVENTS);
                    if (s >= 0 && tasks.leaderExited(s)) {
                        leaderless.add(tgid);
                        // The group's status: the last thread's exit carries it.
                        lastExitStatus.put(tgid, b.exitStatus(i));
                    }
                    return;
                }
                if (s >= 0 && tasks.threaded(s)) {
                    tasks.setThreads(s, true, true);
                    leaderless.add(tgid);
                    lastExitStatus.put(tgid, b.exitStatus(i));
                    return;
                }
                if (s >= 0 && tasks.execUnread(s)) {
                    nameUnread(g, s, tgid, now);
                }
                state.removeTask(g, tgid, now, ExitStatus.index(b.exitStatus(i)));
            }
            default -> {
                // SID, PTRACE, COREDUMP, NONZERO_EXIT: counted, no membership changes.
            }
        }
    }

    /**
     * A process whose last exec could not be read has ended: what the kernel reported at its
     * exit names what it ran, and it moves to that name's sets just before it leaves them, so
     * that its entry and its exit are counted where they belong. Its ids are the ones it had
     * (an exec changes them only for a setuid program); the report has no executable or
     * command line, so rules that ask for those do not match it.
     */
    private void nameUnread(Generation g, int s, int tgid, long now) {
        String comm = exitNames.take(tgid);
        if (comm == null) {
            return;
        }
        TaskTable tasks = state.tasks;
        tasks.setDetail(s, null, null);
        tasks.setExecUnread(s, false);
        state.rematch(g, s, tasks.euid(s), tasks.egid(s), comm, now);
    }

    /** A new process: it starts as a copy of its parent, namespaces included. */
    private void fork(Generation g, int parentTgid, int child, long now) {
        TaskTable tasks = state.tasks;
        int ps = tasks.slot(parentTgid);
        if (ps < 0) {
            // The parent is unknown (it predates a lost event): ask /proc after the batch.
            orphans.add(child);
            return;
        }
        int[] inherited = tasks.namespaces(ps);
        int s = tasks.slot(child);
        int[] before = s >= 0 ? tasks.namespaces(s) : RuleIndex.NONE;
        if (s < 0) {
            s = tasks.slotFor(child);
        }
        tasks.set(s, parentTgid, tasks.euid(ps), tasks.egid(ps), tasks.comm(ps), inherited);
        tasks.setThreads(s, false, false);
        // A child runs its parent's program with its parent's arguments until it execs (known
        // or not, as the parent's), and is started in every tree its parent is in (shared
        // arrays: nothing is allocated).
        tasks.setDetail(s, tasks.exe(ps), tasks.args(ps));
        tasks.setExecUnread(s, tasks.execUnread(ps));
        int[] trees = tasks.childTrees(ps);
        tasks.setTrees(s, trees, trees);
        EngineState.moveBetween(g, child, before, inherited, now);
    }

    /**
     * What the batch could not decide without /proc, read now that the lock is released:
     * children of parents the table did not know (their identity), and threaded processes
     * whose leader has exited (whether they have ended).
     */
    private void readAfterBatch() {
        if (orphans.isEmpty() && leaderless.isEmpty()) {
            return;
        }
        List<TaskInfo> found = new ArrayList<>(orphans.size());
        ProcFs.Detail detail = state.current.detail();
        for (int i = 0; i < orphans.size(); i++) {
            TaskInfo t = proc.read(orphans.getInt(i), detail);
            if (t != null) {
                found.add(t);
            }
        }
        IntArrayList ended = new IntArrayList();
        for (int i = 0; i < leaderless.size(); i++) {
            if (proc.read(leaderless.getInt(i)) == null) {
                ended.add(leaderless.getInt(i));
            }
        }
        orphans.clear();
        leaderless.clear();
        long now = System.currentTimeMillis();
        Generation g = state.current;
        TaskTable tasks = state.tasks;
        state.lock.writeLock().lock();
        try {
            for (TaskInfo t : found) {
                state.putTask(g, t, now);
            }
            for (int i = 0; i < ended.size(); i++) {
                int s = tasks.slot(ended.getInt(i));
                // Not if an exec or a fork has since made the pid a live process again.
                if (s >= 0 && tasks.leaderExited(s)) {
                    int status = lastExitStatus.getOrDefault(ended.getInt(i), 0);
                    state.removeTask(g, ended.getInt(i), now, ExitStatus.index(status));
                }
                lastExitStatus.remove(ended.getInt(i));
            }
        } finally {
            state.lock.writeLock().unlock();
        }
    }
}
