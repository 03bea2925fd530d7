package uprocfs.core.event;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A reusable batch of process events, stored column by column in primitive arrays so that
 * filling and applying it allocates nothing. The event source fills it with plain values
 * (the kernel's wire format is decoded in the netlink module) until the socket has nothing
 * more or the batch is full; the event loop applies it at once.
 *
 * <p>Per entry: {@code kind} (an {@link EventKind}), {@code pid} and {@code tgid} of the task
 * the event is about (for FORK, the new task), the kernel's timestamp (ns since boot,
 * CLOCK_MONOTONIC, 0 when unknown), and what the kind carries: FORK the parent's tgid, UID the
 * new effective uid, GID the new effective gid, COMM the new name, EXIT the wait status
 * (the kernel's task exit_code: {@code (code << 8)} for an exit, the signal number for a kill).
 */
public final class EventBatch {
    /** TASK_COMM_LEN: a name is at most 15 bytes (plus the kernel's NUL). */
    public static final int COMM_LEN = 16;

    private final int capacity;
    private final int[] kind;
    private final int[] pid;
    private final int[] tgid;
    private final int[] parentTgid;
    private final int[] euid;
    private final int[] egid;
    private final int[] exitStatus;
    private final int[] commLength;
    private final long[] timestampNanos;
    private final byte[] comm;
    private int size;
    private boolean lost;

    public EventBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.kind = new int[capacity];
        this.pid = new int[capacity];
        this.tgid = new int[capacity];
        this.parentTgid = new int[capacity];
        this.euid = new int[capacity];
        this.egid = new int[capacity];
        this.exitStatus = new int[capacity];
        this.commLength = new int[capacity];
        this.timestampNanos = new long[capacity];
        this.comm = new byte[capacity * COMM_LEN];
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean isFull() {
        return size == capacity;
    }

    /**
     * Events were lost before or among these (the socket overflowed). Nobody can know which,
     * so whoever applies the batch must reconcile with /proc afterwards.
     */
    public boolean lost() {
        return lost;
    }

    public void markLost() {
        lost = true;
    }

    public void clear() {
        size = 0;
        lost = false;
    }

    /** A new task: a process when {@code childPid == childTgid}, else a thread of {@code childTgid}. */
    public void fork(int parentTgid, int childPid, int childTgid, long ts) {
        int i = add(EventKind.FORK, childPid, childTgid, ts);
        this.parentTgid[i] = parentTgid;
    }

    public void exec(int pid, int tgid, long ts) {
        add(EventKind.EXEC, pid, tgid, ts);
    }

    public void uid(int pid, int tgid, int euid, long ts) {
        int i = add(EventKind.UID, pid, tgid, ts);
        this.euid[i] = euid;
    }

    public void gid(int pid, int tgid, int egid, long ts) {
        int i = add(EventKind.GID, pid, tgid, ts);
        this.egid[i] = egid;
    }

    /** An exit with status 0 (tests, replays). */
    public void exit(int pid, int tgid, long ts) {
        exit(pid, tgid, 0, ts);
    }

    /** A task's exit, with its wait status as the kernel reports it. */
    public void exit(int pid, int tgid, int status, long ts) {
        int i = add(EventKind.EXIT, pid, tgid, ts);
        this.exitStatus[i] = status;
    }

    /** An event that changes no set (SID, PTRACE, COREDUMP, ...): counted only. */
    public void other(int kind, int pid, int tgid, long ts) {
        add(kind, pid, tgid, ts);
    }

    /**
     * A COMM event whose new name is the {@code length} bytes at absolute {@code offset} of
     * {@code src}; more than 15 bytes are cut to 15.
     */
    public void comm(int pid, int tgid, ByteBuffer src, int offset, int length, long ts) {
        int len = Math.max(0, Math.min(length, COMM_LEN - 1));
        int i = add(EventKind.COMM, pid, tgid, ts);
        src.get(offset, comm, i * COMM_LEN, len);
        commLength[i] = len;
    }

    /** A COMM event from a byte array (tests, replays). */
    public void comm(int pid, int tgid, byte[] name, long ts) {
        comm(pid, tgid, ByteBuffer.wrap(name), 0, name.length, ts);
    }

    private int add(int what, int p, int t, long ts) {
        if (size == capacity) {
            throw new IllegalStateException("event batch full (" + capacity + ")");
        }
        int i = size++;
        kind[i] = what;
        pid[i] = p;
        tgid[i] = t;
        timestampNanos[i] = ts;
        return i;
    }

    public int kind(int i) {
        return kind[i];
    }

    public int pid(int i) {
        return pid[i];
    }

    public int tgid(int i) {
        return tgid[i];
    }

    /** FORK: the tgid of the process that forked. */
    public int parentTgid(int i) {
        return parentTgid[i];
    }

    /** UID: the new effective uid. */
    public int euid(int i) {
        return euid[i];
    }

    /** GID: the new effective gid. */
    public int egid(int i) {
        return egid[i];
    }

    /** EXIT: the wait status (see {@link ExitStatus}). */
    public int exitStatus(int i) {
        return exitStatus[i];
    }

    public long timestampNanos(int i) {
        return timestampNanos[i];
    }

    /** COMM: the length of the new name in bytes. */
    public int commLength(int i) {
        return commLength[i];
    }

    /**
     * COMM: the new name as the engine keys names, one char per byte (ISO-8859-1), so that it
     * compares equal to {@link uprocfs.core.rule.RuleSpec#cmdKey()}.
     */
    public String commKey(int i) {
        return new String(comm, i * COMM_LEN, commLength[i], StandardCharsets.ISO_8859_1);
    }
}
