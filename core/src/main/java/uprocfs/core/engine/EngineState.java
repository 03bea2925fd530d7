package uprocfs.core.engine;

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

    EngineState(PreparedRules rules, Counters counters, long nowMillis) {
        this.counters = counters;
        this.current = Generation.of(rules, lock.readLock(), nowMillis);
    }

    /** Inserts or replaces a process with the identity given, fixing its memberships. */
    void putTask(Generation g, TaskInfo t, long now) {
        int existing = tasks.slot(t.pid());
        int[] before = existing >= 0 ? tasks.namespaces(existing) : RuleIndex.NONE;
        int[] after = g.index().match(t.euid(), t.egid(), t.comm());
        int s = existing >= 0 ? existing : tasks.slotFor(t.pid());
        tasks.set(s, t.ppid(), t.euid(), t.egid(), t.comm(), after);
        tasks.setThreads(s, t.threads() > 1, t.leaderExited());
        moveBetween(g, t.pid(), before, after, now);
    }

    void removeTask(Generation g, int pid, long now) {
        int s = tasks.slot(pid);
        if (s < 0) {
            return;
        }
        for (int id : tasks.namespaces(s)) {
            g.byId()[id].remove(pid, now);
        }
        tasks.remove(pid);
    }

    /** Gives slot {@code s} a new identity, moving it between namespaces as its rules say. */
    void reidentify(Generation g, int s, int euid, int egid, String comm, long now) {
        if (euid == tasks.euid(s) && egid == tasks.egid(s) && comm.equals(tasks.comm(s))) {
            return;
        }
        int[] before = tasks.namespaces(s);
        int[] after = g.index().match(euid, egid, comm);
        tasks.set(s, tasks.ppid(s), euid, egid, comm, after);
        moveBetween(g, tasks.pid(s), before, after, now);
    }

    /** Leaves the namespaces in {@code before} but not {@code after}, joins the reverse. Both ascending. */
    static void moveBetween(Generation g, int pid, int[] before, int[] after, long now) {
        if (before == after) {
            return;
        }
        Namespace[] byId = g.byId();
        int i = 0;
        int j = 0;
        while (i < before.length || j < after.length) {
            if (j == after.length || (i < before.length && before[i] < after[j])) {
                byId[before[i++]].remove(pid, now);
            } else if (i == before.length || after[j] < before[i]) {
                byId[after[j++]].add(pid, now);
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
            for (TaskInfo t : d.added()) {
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

    /** The gauges that follow from the state, before the counters are published. */
    void updateGauges() {
        counters.set(Metric.TASKS, tasks.size());
        counters.set(Metric.NAMESPACES, current.list().size());
    }
}
