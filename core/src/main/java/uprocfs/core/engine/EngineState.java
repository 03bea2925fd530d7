package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;
import uprocfs.core.task.TaskInfo;

/**
 * What the event loop owns (docs/ARCHITECTURE.md, "Threads"): the task table, the rules in
 * force with their namespaces, and the counters; with the primitives that change a process's
 * memberships. Every method here that changes something is called by the loop only, with the
 * write lock held; the lock exists for readers (FUSE threads, through {@link EngineView}), who
 * hold the read lock while they look at the table or render a namespace, and so never see a
 * batch half applied.
 */
final class EngineState {
    final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    final TaskTable tasks = new TaskTable();
    final Counters counters;
    /** Written by the loop only (under the write lock); volatile so readers need no lock to find it. */
    volatile Generation current;
    /** The most templated sets one generation may make ({@code -o max_templated}). */
    final int maxTemplated;
    /** Account names for templated rules, kept across reloads. */
    final AccountNames accounts;

    EngineState(PreparedRules rules, Counters counters, long nowMillis, int maxTemplated,
                AccountLookup lookup, AccountLookup.Answer answer) {
        this.counters = counters;
        this.maxTemplated = maxTemplated;
        this.accounts = new AccountNames(lookup, answer);
        this.current = generation(rules, nowMillis);
    }

    /** A new generation of {@code rules}, its namespaces empty. */
    Generation generation(PreparedRules rules, long nowMillis) {
        return Generation.of(rules, lock.readLock(), nowMillis, maxTemplated, accounts, counters);
    }

    /**
     * Inserts or replaces a process with the identity given, fixing its memberships. A
     * process new to the table is started in the trees its parent is in, when the table
     * knows its parent; one it knows keeps the trees it was started in.
     */
    void putTask(Generation g, TaskInfo t, long now) {
        int existing = tasks.slot(t.pid());
        int[] before = existing >= 0 ? tasks.namespaces(existing) : RuleIndex.NONE;
        int[] started;
        if (existing >= 0) {
            started = tasks.startedIn(existing);
        } else {
            int parent = t.ppid() == t.pid() ? -1 : tasks.slot(t.ppid());
            started = parent >= 0 ? tasks.childTrees(parent) : RuleIndex.NONE;
        }
        int[] after = g.match(t.euid(), t.egid(), t.comm(), t.exe(), t.args(), started, now);
        int s = existing >= 0 ? existing : tasks.slotFor(t.pid());
        tasks.set(s, t.ppid(), t.euid(), t.egid(), t.comm(), after);
        tasks.setThreads(s, t.threads() > 1, t.leaderExited());
        tasks.setDetail(s, t.exe(), t.args());
        tasks.setTrees(s, started, g.childTrees());
        tasks.setExecUnread(s, false);
        moveBetween(g, t.pid(), before, after, now);
    }

    /** A process that has gone, and how it ended is not known (a repair found it gone): no exit counted. */
    void removeTask(Generation g, int pid, long now) {
        removeTask(g, pid, now, -1);
    }

    /**
     * A process has ended. Its exit is counted in the sets it is in, unless what it ran is
     * not known (its last exec could not be read): then those are its parent's sets, not its.
     *
     * @param how an {@link uprocfs.core.event.ExitStatus} ordinal, or -1 when not known
     */
    void removeTask(Generation g, int pid, long now, int how) {
        int s = tasks.slot(pid);
        if (s < 0) {
            return;
        }
        int counted = how;
        if (tasks.execUnread(s) && how >= 0) {
            counters.increment(Metric.EXITS_UNNAMED);
            counted = -1;
        }
        for (int id : tasks.namespaces(s)) {
            if (counted >= 0) {
                g.ns(id).exited(counted);
            }
            leave(g, id, pid, now);
        }
        tasks.remove(pid);
    }

    /** Gives slot {@code s} a new identity, moving it between namespaces as its rules say. */
    void reidentify(Generation g, int s, int euid, int egid, String comm, long now) {
        if (euid == tasks.euid(s) && egid == tasks.egid(s) && comm.equals(tasks.comm(s))) {
            return;
        }
        rematch(g, s, euid, egid, comm, now);
    }

    /** {@link #reidentify}, even when the identity is the one it has (what it ran has changed). */
    void rematch(Generation g, int s, int euid, int egid, String comm, long now) {
        int[] before = tasks.namespaces(s);
        int[] started = tasks.startedIn(s);
        int[] after = g.match(euid, egid, comm, tasks.exe(s), tasks.args(s), started, now);
        tasks.set(s, tasks.ppid(s), euid, egid, comm, after);
        tasks.setTrees(s, started, g.childTrees());
        moveBetween(g, tasks.pid(s), before, after, now);
    }

    /** Takes {@code pid} out of namespace {@code id}; a templated set it leaves empty goes. */
    private static void leave(Generation g, int id, int pid, long now) {
        Namespace ns = g.ns(id);
        ns.remove(pid, now);
        if (ns.templated() && ns.memberCount() == 0) {
            g.templates().emptied(ns);
        }
    }

    /** Leaves the namespaces in {@code before} but not {@code after}, joins the reverse. Both ascending. */
    static void moveBetween(Generation g, int pid, int[] before, int[] after, long now) {
        if (before == after) {
            return;
        }
        int i = 0;
        int j = 0;
        while (i < before.length || j < after.length) {
            if (j == after.length || (i < before.length && before[i] < after[j])) {
                leave(g, before[i++], pid, now);
            } else if (i == before.length || after[j] < before[i]) {
                g.ns(after[j++]).join(pid, now);
            } else {
                i++;
                j++;
            }
        }
    }

    /** Applies a difference with /proc; returns what it changed. */
    Reconciliation apply(Difference d, int scanned, long startedNanos) {
        long now = System.currentTimeMillis();
        Generation g = current;
        lock.writeLock().lock();
        try {
            for (int pid : d.removed()) {
                removeTask(g, pid, now);
            }
            for (TaskInfo t : parentFirst(d.added())) {
                putTask(g, t, now);
            }
            for (TaskInfo t : d.changed()) {
                putTask(g, t, now);
            }
        } finally {
            lock.writeLock().unlock();
        }
        return new Reconciliation(scanned, d.added().size(), d.removed().length, d.changed().size(),
                System.nanoTime() - startedNanos);
    }

    /**
     * {@code added} in an order where a process comes after its parent when both are in it,
     * so that each is started in the trees its parent is in (startup, resync: the trees
     * rebuilt from /proc's parent links).
     */
    static List<TaskInfo> parentFirst(List<TaskInfo> added) {
        if (added.size() < 2) {
            return added;
        }
        int[] pids = new int[added.size()];
        Int2IntOpenHashMap parent = new Int2IntOpenHashMap(added.size() * 2);
        parent.defaultReturnValue(-1);
        for (int i = 0; i < pids.length; i++) {
            pids[i] = added.get(i).pid();
            parent.put(pids[i], added.get(i).ppid());
        }
        List<TaskInfo> out = new ArrayList<>(pids.length);
        for (int i : ParentFirst.order(pids, parent::get)) {
            out.add(added.get(i));
        }
        return out;
    }

    /** The gauges that follow from the state, before the counters are published. */
    void updateGauges() {
        Generation g = current;
        counters.set(Metric.TASKS, tasks.size());
        counters.set(Metric.NAMESPACES, g.shownCount());
        counters.set(Metric.TEMPLATED_FILES, g.templates().shown.size());
    }
}
