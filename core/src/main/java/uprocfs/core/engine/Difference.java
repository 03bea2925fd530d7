package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import uprocfs.core.task.TaskInfo;

/**
 * How a reading of {@code /proc} differs from the task table: the one reconciliation that
 * startup, resync and audit share (docs/ARCHITECTURE.md, "Reconciliation").
 *
 * @param added   processes /proc has and the table does not
 * @param removed pids the table has and /proc does not
 * @param changed processes whose identity (euid, egid, name) or thread state differs; as /proc shows them
 */
record Difference(List<TaskInfo> added, int[] removed, List<TaskInfo> changed) {

    /**
     * Compares {@code scan} with {@code table}. With {@code within} null the scan is of all
     * of /proc and every pid of the table is compared; else only the pids in {@code within}
     * are, and one of them missing from the scan has ended.
     *
     * <p>Thread state counts only where the table could act wrongly on it: a process with
     * threads the table thinks has none (its leader's exit would then end it early), or a
     * leader whose exit the table has wrong. A table that remembers threads that have since
     * ended is right: that memory is how a later leader's exit is handled.
     */
    static Difference between(Collection<TaskInfo> scan, TaskTable table, int[] within) {
        Int2ObjectOpenHashMap<TaskInfo> seen = new Int2ObjectOpenHashMap<>(scan.size() * 2);
        for (TaskInfo t : scan) {
            seen.put(t.pid(), t);
        }
        IntArrayList removed = new IntArrayList();
        for (int pid : within == null ? table.pids() : within) {
            if (!seen.containsKey(pid) && table.contains(pid)) {
                removed.add(pid);
            }
        }
        List<TaskInfo> added = new ArrayList<>();
        List<TaskInfo> changed = new ArrayList<>();
        for (TaskInfo t : scan) {
            int s = table.slot(t.pid());
            if (s < 0) {
                added.add(t);
            } else if (!t.sameIdentity(table.info(s))
                    || (t.threads() > 1 && !table.threaded(s))
                    || t.leaderExited() != table.leaderExited(s)) {
                changed.add(t);
            }
        }
        return new Difference(added, removed.toIntArray(), changed);
    }

    /** Every pid that differs, in no particular order. */
    int[] pids() {
        int[] out = new int[size()];
        int n = 0;
        for (TaskInfo t : added) {
            out[n++] = t.pid();
        }
        for (int pid : removed) {
            out[n++] = pid;
        }
        for (TaskInfo t : changed) {
            out[n++] = t.pid();
        }
        return out;
    }

    int size() {
        return added.size() + removed.length + changed.size();
    }
}
