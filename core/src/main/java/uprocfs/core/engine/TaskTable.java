package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.Arrays;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.task.TaskInfo;

/**
 * Every live process the engine knows, keyed by pid, stored column by column in slots so
 * that adding and removing a process allocates nothing: a fork copies the parent's columns
 * (including its array of matched namespace ids, which is shared, never mutated) into a
 * free slot.
 *
 * <p>Not thread-safe. The event loop is its only writer and changes it under the state's
 * write lock; FUSE threads read it (through {@link EngineView}) under the read lock
 * (docs/ARCHITECTURE.md, "Readers").
 */
final class TaskTable {
    private final Int2IntOpenHashMap slotOf = new Int2IntOpenHashMap(1024);
    private final IntArrayList free = new IntArrayList();
    private int[] pid = new int[1024];
    private int[] ppid = new int[1024];
    private int[] euid = new int[1024];
    private int[] egid = new int[1024];
    private String[] comm = new String[1024];
    private int[][] namespaces = new int[1024][];
    private boolean[] threaded = new boolean[1024];
    private boolean[] leaderExited = new boolean[1024];
    private String[] exe = new String[1024];
    private String[] args = new String[1024];
    /** The trees (ids of the generation in force) the process was started in: sticky for its life. */
    private int[][] startedIn = new int[1024][];
    /** The trees it is in now, which a child it starts is started in. */
    private int[][] childTrees = new int[1024][];
    /** Its last exec could not be read (it ended first): what it runs now is not known. */
    private boolean[] execUnread = new boolean[1024];
    private int used;

    TaskTable() {
        slotOf.defaultReturnValue(-1);
    }

    int size() {
        return slotOf.size();
    }

    /** The slot of {@code pid}, or -1 when unknown. */
    int slot(int pid) {
        return slotOf.get(pid);
    }

    boolean contains(int pid) {
        return slotOf.containsKey(pid);
    }

    /**
     * A slot for {@code pid}: its existing one, or a fresh one whose columns the caller
     * must fill with {@link #set}.
     */
    int slotFor(int p) {
        int s = slotOf.get(p);
        if (s >= 0) {
            return s;
        }
        if (!free.isEmpty()) {
            s = free.popInt();
        } else {
            if (used == pid.length) {
                grow();
            }
            s = used++;
        }
        slotOf.put(p, s);
        pid[s] = p;
        namespaces[s] = RuleIndex.NONE;
        threaded[s] = false;
        leaderExited[s] = false;
        exe[s] = null;
        args[s] = null;
        startedIn[s] = RuleIndex.NONE;
        childTrees[s] = RuleIndex.NONE;
        execUnread[s] = false;
        return s;
    }

    void set(int s, int parent, int uid, int gid, String name, int[] matched) {
        ppid[s] = parent;
        euid[s] = uid;
        egid[s] = gid;
        comm[s] = name;
        namespaces[s] = matched;
    }

    /** Forgets {@code pid}; returns its former slot (columns still readable until reused) or -1. */
    int remove(int p) {
        int s = slotOf.remove(p);
        if (s >= 0) {
            comm[s] = null;
            exe[s] = null;
            args[s] = null;
            free.push(s);
        }
        return s;
    }

    int pid(int s) {
        return pid[s];
    }

    int ppid(int s) {
        return ppid[s];
    }

    int euid(int s) {
        return euid[s];
    }

    int egid(int s) {
        return egid[s];
    }

    String comm(int s) {
        return comm[s];
    }

    /** The ids of the namespaces this slot's process is in; shared, never modify it. */
    int[] namespaces(int s) {
        return namespaces[s];
    }

    void setNamespaces(int s, int[] matched) {
        namespaces[s] = matched;
    }

    /**
     * The process has had threads besides its leader since it started or last exec'd: its
     * leader's exit does not tell by itself that the process has ended.
     */
    boolean threaded(int s) {
        return threaded[s];
    }

    /** The leader thread exited while others ran on: the process ends with its last thread. */
    boolean leaderExited(int s) {
        return leaderExited[s];
    }

    void setThreads(int s, boolean hasThreads, boolean leaderGone) {
        threaded[s] = hasThreads;
        leaderExited[s] = leaderGone;
    }

    String exe(int s) {
        return exe[s];
    }

    String args(int s) {
        return args[s];
    }

    void setDetail(int s, String exePath, String commandLine) {
        exe[s] = exePath;
        args[s] = commandLine;
    }

    int[] startedIn(int s) {
        return startedIn[s];
    }

    int[] childTrees(int s) {
        return childTrees[s];
    }

    void setTrees(int s, int[] started, int[] now) {
        startedIn[s] = started;
        childTrees[s] = now;
    }

    boolean execUnread(int s) {
        return execUnread[s];
    }

    void setExecUnread(int s, boolean unread) {
        execUnread[s] = unread;
    }

    TaskInfo info(int s) {
        return new TaskInfo(pid[s], ppid[s], euid[s], egid[s], comm[s], threaded[s] ? 2 : 1, leaderExited[s],
                exe[s], args[s]);
    }

    /** Every known pid, as a fresh array in no particular order. */
    int[] pids() {
        return slotOf.keySet().toIntArray();
    }

    private void grow() {
        int n = pid.length * 2;
        pid = Arrays.copyOf(pid, n);
        ppid = Arrays.copyOf(ppid, n);
        euid = Arrays.copyOf(euid, n);
        egid = Arrays.copyOf(egid, n);
        comm = Arrays.copyOf(comm, n);
        namespaces = Arrays.copyOf(namespaces, n);
        threaded = Arrays.copyOf(threaded, n);
        leaderExited = Arrays.copyOf(leaderExited, n);
        exe = Arrays.copyOf(exe, n);
        args = Arrays.copyOf(args, n);
        startedIn = Arrays.copyOf(startedIn, n);
        childTrees = Arrays.copyOf(childTrees, n);
        execUnread = Arrays.copyOf(execUnread, n);
    }

    /** Every known process's slot, each after its parent's: see {@link ParentFirst}. */
    int[] slotsParentFirst() {
        int[] pids = pids();
        int[] order = ParentFirst.order(pids, p -> {
            int s = slot(p);
            return s < 0 ? -1 : ppid[s];
        });
        for (int i = 0; i < order.length; i++) {
            order[i] = slot(pids[order[i]]);
        }
        return order;
    }
}
