package uprocfs.core.event;

import java.nio.ByteBuffer;

/**
 * A reusable batch of decoded proc events, stored column by column in primitive arrays so
 * that filling and applying it allocates nothing. The event source fills it (one datagram
 * one entry) until the socket has nothing more or the batch is full; the engine applies it
 * under one lock acquisition.
 *
 * <p>Per entry: {@code kind} (an {@link EventKind} value), {@code pid} and {@code tgid} of
 * the task the event is about, two arguments whose meaning depends on the kind, the
 * kernel's timestamp (ns since boot, CLOCK_MONOTONIC) and, for COMM, the new name.
 *
 * <table>
 * <caption>arguments per kind</caption>
 * <tr><th>kind</th><th>pid / tgid</th><th>arg0</th><th>arg1</th></tr>
 * <tr><td>FORK</td><td>child pid / child tgid</td><td>parent pid</td><td>parent tgid</td></tr>
 * <tr><td>EXEC</td><td>pid / tgid</td><td>-</td><td>-</td></tr>
 * <tr><td>UID</td><td>pid / tgid</td><td>real uid</td><td>effective uid</td></tr>
 * <tr><td>GID</td><td>pid / tgid</td><td>real gid</td><td>effective gid</td></tr>
 * <tr><td>COMM</td><td>pid / tgid</td><td>length of name</td><td>-</td></tr>
 * <tr><td>EXIT</td><td>pid / tgid</td><td>exit code</td><td>exit signal</td></tr>
 * <tr><td>others</td><td>as decoded, or 0</td><td>-</td><td>-</td></tr>
 * </table>
 */
public final class EventBatch {
    /** TASK_COMM_LEN: comm is at most 15 bytes plus the NUL. */
    public static final int COMM_LEN = 16;

    private final int capacity;
    private final int[] kind;
    private final int[] pid;
    private final int[] tgid;
    private final int[] arg0;
    private final int[] arg1;
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
        this.arg0 = new int[capacity];
        this.arg1 = new int[capacity];
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
     * Events were lost before or among these (the socket overflowed, ENOBUFS). The engine
     * cannot know which, so whoever applies the batch must reconcile with /proc afterwards.
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

    public void fork(int parentPid, int parentTgid, int childPid, int childTgid, long ts) {
        add(EventKind.FORK, childPid, childTgid, parentPid, parentTgid, ts);
    }

    public void exec(int pid, int tgid, long ts) {
        add(EventKind.EXEC, pid, tgid, 0, 0, ts);
    }

    public void uid(int pid, int tgid, int ruid, int euid, long ts) {
        add(EventKind.UID, pid, tgid, ruid, euid, ts);
    }

    public void gid(int pid, int tgid, int rgid, int egid, long ts) {
        add(EventKind.GID, pid, tgid, rgid, egid, ts);
    }

    public void exit(int pid, int tgid, int exitCode, int exitSignal, long ts) {
        add(EventKind.EXIT, pid, tgid, exitCode, exitSignal, ts);
    }

    /** An event that changes no membership (SID, PTRACE, COREDUMP, ...): counted only. */
    public void other(int what, int pid, int tgid, long ts) {
        add(what, pid, tgid, 0, 0, ts);
    }

    /**
     * A COMM event. Copies the name from {@code src} at absolute {@code offset}: up to
     * the first NUL, at most 15 bytes, whatever the kernel (or a corrupt datagram) sent.
     */
    public void comm(int pid, int tgid, ByteBuffer src, int offset, long ts) {
        int at = size * COMM_LEN;
        int limit = Math.min(COMM_LEN - 1, Math.max(0, src.limit() - offset));
        int len = 0;
        while (len < limit) {
            byte b = src.get(offset + len);
            if (b == 0) {
                break;
            }
            comm[at + len] = b;
            len++;
        }
        add(EventKind.COMM, pid, tgid, len, 0, ts);
    }

    /** A COMM event from a byte array (tests, replays): same rules as the buffer form. */
    public void comm(int pid, int tgid, byte[] name, long ts) {
        comm(pid, tgid, ByteBuffer.wrap(name), 0, ts);
    }

    private void add(int what, int p, int t, int a0, int a1, long ts) {
        if (size == capacity) {
            throw new IllegalStateException("event batch full (" + capacity + ")");
        }
        kind[size] = what;
        pid[size] = p;
        tgid[size] = t;
        arg0[size] = a0;
        arg1[size] = a1;
        timestampNanos[size] = ts;
        size++;
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

    public int arg0(int i) {
        return arg0[i];
    }

    public int arg1(int i) {
        return arg1[i];
    }

    public long timestampNanos(int i) {
        return timestampNanos[i];
    }

    /** Length of the COMM name of entry {@code i}. */
    public int commLength(int i) {
        return arg0[i];
    }

    /**
     * The COMM name of entry {@code i} as the engine keys names: one char per byte
     * (ISO-8859-1), so that it compares equal to {@link uprocfs.core.rule.RuleSpec#cmdKey()}.
     */
    public String commKey(int i) {
        return new String(comm, i * COMM_LEN, arg0[i], java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
