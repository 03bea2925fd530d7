package uprocfs.core;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import uprocfs.core.event.EventBatch;
import uprocfs.core.event.EventKind;
import uprocfs.core.ns.Namespace;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.task.TaskInfo;
import uprocfs.core.task.TaskTable;

/**
 * Keeps every namespace's membership current: the single writer of the task table and of
 * namespace membership, fed by event batches, full {@code /proc} reconciliations and
 * configuration swaps; read concurrently by the filesystem.
 *
 * <p>Writers are serialized on a monitor and do their {@code /proc} reads before taking the
 * write lock, never under it; the write lock is held only while a batch (or a diff, or a
 * swap) is applied, so readers wait microseconds at most.
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
 */
public final class Engine {
    private final ProcFs proc;
    private final Object writer = new Object();
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final TaskTable tasks = new TaskTable();
    private final LagHistogram lag = new LagHistogram();
    private final long[] eventCounts = new long[KIND_SLOTS.length + 1];
    private long threadEvents;
    private long reconciliations;
    private long repairs;
    private long audits;
    private long auditRepairs;
    private volatile Generation current;

    // Identities read from /proc for the EXEC entries of the batch being applied.
    private TaskInfo[] execRead = new TaskInfo[0];
    // Processes that a later EXIT of the batch being applied ends (see readExecTargets).
    private final IntOpenHashSet endsLater = new IntOpenHashSet();
    // Children whose parent the table did not know: read from /proc after the batch.
    private final IntArrayList orphans = new IntArrayList();
    // Threaded processes whose leader has exited: gone or not, /proc tells after the batch.
    private final IntArrayList leaderless = new IntArrayList();

    private static final int[] KIND_SLOTS = {
        EventKind.FORK, EventKind.EXEC, EventKind.UID, EventKind.GID, EventKind.SID,
        EventKind.PTRACE, EventKind.COMM, EventKind.NONZERO_EXIT, EventKind.COREDUMP, EventKind.EXIT,
    };

    /** The rules in force and the namespaces they define; replaced whole on reload. */
    private record Generation(RuleSet rules, RuleIndex index, Namespace[] byId,
                              Map<String, Namespace> byName, List<Namespace> list) {
    }

    public Engine(RuleSet rules, ProcFs proc) {
        this.proc = proc;
        this.current = newGeneration(rules, Map.of(), System.currentTimeMillis());
    }

    // ---------------------------------------------------------------- readers

    public RuleSet rules() {
        return current.rules;
    }

    /** The namespaces of the configuration in force, in file order. */
    public List<Namespace> namespaces() {
        return current.list;
    }

    /** The namespace called {@code name}, or {@code null}. */
    public Namespace namespace(String name) {
        return current.byName.get(name);
    }

    public int taskCount() {
        lock.readLock().lock();
        try {
            return tasks.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The process {@code pid} as the engine sees it, or {@code null}. */
    public TaskInfo task(int pid) {
        lock.readLock().lock();
        try {
            int s = tasks.slot(pid);
            return s < 0 ? null : tasks.info(s);
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Keeps of {@code sortedPids} those whose process has effective uid {@code euid}, in
     * order: what a caller of that uid may see of a namespace when /proc hides other users'
     * processes (hidepid=invisible). Unknown pids are dropped.
     */
    public int[] ownedBy(int[] sortedPids, int euid) {
        lock.readLock().lock();
        try {
            int n = 0;
            int[] out = new int[sortedPids.length];
            for (int pid : sortedPids) {
                int s = tasks.slot(pid);
                if (s >= 0 && tasks.euid(s) == euid) {
                    out[n++] = pid;
                }
            }
            return java.util.Arrays.copyOf(out, n);
        } finally {
            lock.readLock().unlock();
        }
    }

    public EngineStats stats() {
        lock.readLock().lock();
        try {
            Map<String, Long> byKind = new LinkedHashMap<>();
            for (int i = 0; i < KIND_SLOTS.length; i++) {
                byKind.put(EventKind.name(KIND_SLOTS[i]), eventCounts[i]);
            }
            byKind.put("other", eventCounts[KIND_SLOTS.length]);
            return new EngineStats(tasks.size(), current.list.size(), Collections.unmodifiableMap(byKind),
                    threadEvents, reconciliations, repairs, audits, auditRepairs, lag.count(),
                    lag.quantileMicros(0.50), lag.quantileMicros(0.99), lag.maxNanos() / 1000);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---------------------------------------------------------------- writers

    /**
     * Applies a batch of events in order. Idempotent in the ways startup and resync need:
     * an EXIT for an unknown pid is a no-op, a FORK for a known pid replaces it.
     */
    public void apply(EventBatch batch) {
        synchronized (writer) {
            readExecTargets(batch);
            long now = System.currentTimeMillis();
            Generation g = current;
            lock.writeLock().lock();
            try {
                for (int i = 0, n = batch.size(); i < n; i++) {
                    applyOne(g, batch, i, now);
                }
            } finally {
                lock.writeLock().unlock();
            }
            long applied = System.nanoTime();
            for (int i = 0, n = batch.size(); i < n; i++) {
                long ts = batch.timestampNanos(i);
                if (ts != 0) {
                    lag.record(applied - ts);
                }
            }
            java.util.Arrays.fill(execRead, 0, Math.min(execRead.length, batch.size()), null);
            readAfterBatch();
        }
    }

    /**
     * Reads all of {@code /proc}, compares it with the task table and applies the
     * difference. Used at startup (after subscribing, before applying what queued), after
     * the socket overflowed, and by the periodic audit.
     */
    public Reconciliation rescan() {
        synchronized (writer) {
            long t0 = System.nanoTime();
            List<TaskInfo> scan = proc.scan();
            Int2ObjectOpenHashMap<TaskInfo> seen = new Int2ObjectOpenHashMap<>(scan.size() * 2);
            for (TaskInfo t : scan) {
                seen.put(t.pid(), t);
            }
            int[] known = tasks.pids();
            Generation g = current;
            int added = 0;
            int removed = 0;
            int changed = 0;
            long now = System.currentTimeMillis();
            lock.writeLock().lock();
            try {
                for (int pid : known) {
                    if (!seen.containsKey(pid)) {
                        removeTask(g, pid, now);
                        removed++;
                    }
                }
                for (TaskInfo t : scan) {
                    int s = tasks.slot(t.pid());
                    if (s < 0) {
                        putTask(g, t, now);
                        added++;
                    } else if (!t.sameIdentity(tasks.info(s))) {
                        putTask(g, t, now);
                        changed++;
                    } else {
                        tasks.setThreads(s, t.threads() > 1, t.leaderExited());
                    }
                }
                reconciliations++;
                repairs += added + removed + changed;
            } finally {
                lock.writeLock().unlock();
            }
            return new Reconciliation(scan.size(), added, removed, changed, System.nanoTime() - t0);
        }
    }

    /**
     * First half of an audit: scans /proc and notes which processes differ from the table,
     * changing nothing. A difference may be an event still queued in the socket, so it
     * counts as drift only if {@link #auditConfirm} still sees it after the queue drained.
     */
    public AuditFindings auditScan() {
        synchronized (writer) {
            List<TaskInfo> scan = proc.scan();
            IntArrayList suspects = new IntArrayList();
            Int2ObjectOpenHashMap<TaskInfo> seen = new Int2ObjectOpenHashMap<>(scan.size() * 2);
            for (TaskInfo t : scan) {
                seen.put(t.pid(), t);
            }
            lock.readLock().lock();
            try {
                for (int pid : tasks.pids()) {
                    if (!seen.containsKey(pid)) {
                        suspects.add(pid);
                    }
                }
                for (TaskInfo t : scan) {
                    int s = tasks.slot(t.pid());
                    if (s < 0 || !t.sameIdentity(tasks.info(s))) {
                        suspects.add(t.pid());
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            return new AuditFindings(suspects.toIntArray(), scan.size());
        }
    }

    /**
     * Second half of an audit: reads each suspect from /proc again and repairs, and counts,
     * those that still differ from the table. In a healthy run the count stays 0.
     */
    public Reconciliation auditConfirm(AuditFindings findings) {
        synchronized (writer) {
            long t0 = System.nanoTime();
            int[] suspects = findings.suspects();
            TaskInfo[] now = new TaskInfo[suspects.length];
            for (int i = 0; i < suspects.length; i++) {
                now[i] = proc.readTask(suspects[i]);
            }
            int added = 0;
            int removed = 0;
            int changed = 0;
            long nowMillis = System.currentTimeMillis();
            Generation g = current;
            lock.writeLock().lock();
            try {
                for (int i = 0; i < suspects.length; i++) {
                    int s = tasks.slot(suspects[i]);
                    TaskInfo t = now[i];
                    if (t == null && s >= 0) {
                        removeTask(g, suspects[i], nowMillis);
                        removed++;
                    } else if (t != null && s < 0) {
                        putTask(g, t, nowMillis);
                        added++;
                    } else if (t != null && !t.sameIdentity(tasks.info(s))) {
                        putTask(g, t, nowMillis);
                        changed++;
                    }
                }
                audits++;
                auditRepairs += added + removed + changed;
            } finally {
                lock.writeLock().unlock();
            }
            return new Reconciliation(findings.scanned(), added, removed, changed, System.nanoTime() - t0);
        }
    }

    /**
     * Swaps in a new configuration without touching the task table: every namespace of the
     * new rules is filled from the processes already known, then the whole set replaces the
     * old one at once. A namespace whose rule did not change keeps its modification time.
     */
    public void replaceRules(RuleSet rules) {
        synchronized (writer) {
            long now = System.currentTimeMillis();
            Generation old = current;
            Map<String, Namespace> previous = old.byName;
            Generation next = newGeneration(rules, previous, now);
            int[] pids = tasks.pids();
            int[][] matched = new int[pids.length][];
            lock.readLock().lock();
            try {
                for (int i = 0; i < pids.length; i++) {
                    int s = tasks.slot(pids[i]);
                    matched[i] = next.index.match(tasks.euid(s), tasks.egid(s), tasks.comm(s));
                    for (int id : matched[i]) {
                        next.byId[id].add(pids[i], now);
                    }
                }
            } finally {
                lock.readLock().unlock();
            }
            for (Namespace ns : next.list) {
                Namespace before = previous.get(ns.name());
                ns.setMtimeMillis(before != null && sameConditions(before.rule(), ns.rule()) ? before.mtimeMillis() : now);
            }
            lock.writeLock().lock();
            try {
                for (int i = 0; i < pids.length; i++) {
                    tasks.setNamespaces(tasks.slot(pids[i]), matched[i]);
                }
                current = next;
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    // ---------------------------------------------------------------- internals

    private Generation newGeneration(RuleSet rules, Map<String, Namespace> previous, long now) {
        List<RuleSpec> specs = rules.rules();
        Namespace[] byId = new Namespace[specs.size()];
        Map<String, Namespace> byName = new HashMap<>(specs.size() * 2);
        for (int i = 0; i < byId.length; i++) {
            RuleSpec r = specs.get(i);
            byId[i] = new Namespace(r.name(), r, lock.readLock(), now);
            if (byName.put(r.name(), byId[i]) != null) {
                throw new IllegalArgumentException("duplicate namespace name: " + r.name());
            }
        }
        return new Generation(rules, new RuleIndex(specs), byId, Collections.unmodifiableMap(byName),
                List.of(byId));
    }

    private static boolean sameConditions(RuleSpec a, RuleSpec b) {
        return a.uid() == b.uid() && a.gid() == b.gid() && java.util.Objects.equals(a.cmd(), b.cmd());
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
                        execRead[i] = proc.readTask(tgid);
                    }
                }
                default -> {
                }
            }
        }
    }

    private void applyOne(Generation g, EventBatch b, int i, long now) {
        int what = b.kind(i);
        int pid = b.pid(i);
        int tgid = b.tgid(i);
        count(what);
        switch (what) {
            case EventKind.FORK -> {
                if (pid != tgid) {
                    threadEvents++;
                    int s = tasks.slot(tgid);
                    if (s >= 0) {
                        tasks.setThreads(s, true, tasks.leaderExited(s));
                    }
                    return;
                }
                fork(g, b.arg1(i), pid, now);
            }
            case EventKind.EXEC -> {
                TaskInfo t = execRead[i];
                if (t != null) {
                    putTask(g, t, now);
                }
            }
            case EventKind.UID -> {
                int s = pid == tgid ? tasks.slot(tgid) : -1;
                if (s >= 0) {
                    reidentify(g, s, b.arg1(i), tasks.egid(s), tasks.comm(s), now);
                }
            }
            case EventKind.GID -> {
                int s = pid == tgid ? tasks.slot(tgid) : -1;
                if (s >= 0) {
                    reidentify(g, s, tasks.euid(s), b.arg1(i), tasks.comm(s), now);
                }
            }
            case EventKind.COMM -> {
                int s = pid == tgid ? tasks.slot(tgid) : -1;
                if (s >= 0) {
                    reidentify(g, s, tasks.euid(s), tasks.egid(s), b.commKey(i), now);
                }
            }
            case EventKind.EXIT -> {
                int s = tasks.slot(tgid);
                if (pid != tgid) {
                    threadEvents++;
                    if (s >= 0 && tasks.leaderExited(s)) {
                        leaderless.add(tgid);
                    }
                    return;
                }
                if (s >= 0 && tasks.threaded(s)) {
                    tasks.setThreads(s, true, true);
                    leaderless.add(tgid);
                    return;
                }
                removeTask(g, tgid, now);
            }
            default -> {
                // SID, PTRACE, COREDUMP, NONZERO_EXIT: counted, no membership changes.
            }
        }
    }

    /** A new process: it starts as a copy of its parent, namespaces included. */
    private void fork(Generation g, int parentTgid, int child, long now) {
        int ps = tasks.slot(parentTgid);
        if (ps < 0) {
            // The parent is unknown (it predates a lost event): ask /proc after the batch.
            orphans.add(child);
            return;
        }
        int[] inherited = tasks.namespaces(ps);
        int s = tasks.slot(child);
        if (s >= 0) {
            int[] before = tasks.namespaces(s);
            tasks.set(s, parentTgid, tasks.euid(ps), tasks.egid(ps), tasks.comm(ps), inherited);
            tasks.setThreads(s, false, false);
            moveBetween(g, child, before, inherited, now);
            return;
        }
        s = tasks.slotFor(child);
        tasks.set(s, parentTgid, tasks.euid(ps), tasks.egid(ps), tasks.comm(ps), inherited);
        tasks.setThreads(s, false, false);
        for (int id : inherited) {
            g.byId[id].add(child, now);
        }
    }

    private void reidentify(Generation g, int s, int euid, int egid, String comm, long now) {
        if (euid == tasks.euid(s) && egid == tasks.egid(s) && comm.equals(tasks.comm(s))) {
            return;
        }
        int[] before = tasks.namespaces(s);
        int[] after = g.index.match(euid, egid, comm);
        tasks.set(s, tasks.ppid(s), euid, egid, comm, after);
        moveBetween(g, tasks.pid(s), before, after, now);
    }

    /** Inserts or replaces a process with the identity given, fixing its memberships. */
    private void putTask(Generation g, TaskInfo t, long now) {
        int existing = tasks.slot(t.pid());
        int[] before = existing >= 0 ? tasks.namespaces(existing) : RuleIndex.NONE;
        int[] after = g.index.match(t.euid(), t.egid(), t.comm());
        int s = existing >= 0 ? existing : tasks.slotFor(t.pid());
        tasks.set(s, t.ppid(), t.euid(), t.egid(), t.comm(), after);
        tasks.setThreads(s, t.threads() > 1, t.leaderExited());
        moveBetween(g, t.pid(), before, after, now);
    }

    private void removeTask(Generation g, int pid, long now) {
        int s = tasks.slot(pid);
        if (s < 0) {
            return;
        }
        for (int id : tasks.namespaces(s)) {
            g.byId[id].remove(pid, now);
        }
        tasks.remove(pid);
    }

    /** Leaves the namespaces in {@code before} but not {@code after}, joins the reverse. Both ascending. */
    private static void moveBetween(Generation g, int pid, int[] before, int[] after, long now) {
        if (before == after) {
            return;
        }
        int i = 0;
        int j = 0;
        while (i < before.length || j < after.length) {
            if (j == after.length || (i < before.length && before[i] < after[j])) {
                g.byId[before[i++]].remove(pid, now);
            } else if (i == before.length || after[j] < before[i]) {
                g.byId[after[j++]].add(pid, now);
            } else {
                i++;
                j++;
            }
        }
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
        for (int i = 0; i < orphans.size(); i++) {
            TaskInfo t = proc.readTask(orphans.getInt(i));
            if (t != null) {
                found.add(t);
            }
        }
        IntArrayList ended = new IntArrayList();
        for (int i = 0; i < leaderless.size(); i++) {
            if (proc.readTask(leaderless.getInt(i)) == null) {
                ended.add(leaderless.getInt(i));
            }
        }
        orphans.clear();
        leaderless.clear();
        long now = System.currentTimeMillis();
        Generation g = current;
        lock.writeLock().lock();
        try {
            for (TaskInfo t : found) {
                putTask(g, t, now);
            }
            for (int i = 0; i < ended.size(); i++) {
                int s = tasks.slot(ended.getInt(i));
                // Not if an exec or a fork has since made the pid a live process again.
                if (s >= 0 && tasks.leaderExited(s)) {
                    removeTask(g, ended.getInt(i), now);
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void count(int what) {
        for (int k = 0; k < KIND_SLOTS.length; k++) {
            if (KIND_SLOTS[k] == what) {
                eventCounts[k]++;
                return;
            }
        }
        eventCounts[KIND_SLOTS.length]++;
    }
}
