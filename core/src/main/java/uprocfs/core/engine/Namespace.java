package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.util.Arrays;
import java.util.concurrent.locks.Lock;
import uprocfs.core.rule.RuleSpec;

/**
 * One rule's set of processes, and the file that shows it: the member PIDs in ascending
 * order, one per line.
 *
 * <p>Outside this package it is read-only. The event loop changes membership (package-private
 * {@link #add}, {@link #remove}) under the state's write lock; readers (FUSE threads) read
 * {@link #byteSize()}, {@link #memberCount()} and {@link #mtimeMillis()} without locking
 * (volatile, each exact at some instant) and take the read lock to render {@link #content()},
 * which is then cached until the next change (docs/ARCHITECTURE.md, "Readers"). The size is
 * kept as a running sum of the lines' lengths so that {@code getattr} costs nothing however
 * large the namespace.
 */
public final class Namespace {
    private static final byte[] EMPTY = new byte[0];

    private final int id;
    /** For a templated set: its rule and values (see {@link TemplateSets}); {@code null} for a fixed rule's set. */
    private final Object key;
    /** Fixed at creation for a fixed rule; for a templated set, once its name is known. */
    private volatile String name;
    private volatile RuleSpec rule;
    private final Lock readLock;
    private IntOpenHashSet members;
    private volatile long byteSize;
    private volatile int count;
    private volatile long mtimeMillis;
    private volatile byte[] content = EMPTY;
    /**
     * Processes that entered the set, and that left it by exiting; {@code null} until the
     * first of either, so that the many sets of a large configuration that never see a
     * process cost nothing for them.
     */
    private volatile Tally tally;

    /** Processes that entered the set (fork, exec, rename, id change, a repair), and that left it by exiting, by how. */
    private static final class Tally {
        volatile long joins;
        volatile long exitsOk;
        volatile long exitsError;
        volatile long exitsSignal;
    }

    /** A fixed rule's set: {@code id} is the rule's position. */
    Namespace(int id, String name, RuleSpec rule, Lock readLock, long mtimeMillis) {
        this(id, null, name, rule, readLock, mtimeMillis);
    }

    /** A templated set, nameless until {@link #name(String, RuleSpec)}. */
    Namespace(int id, Object key, Lock readLock, long mtimeMillis) {
        this(id, key, null, null, readLock, mtimeMillis);
    }

    private Namespace(int id, Object key, String name, RuleSpec rule, Lock readLock, long mtimeMillis) {
        this.id = id;
        this.key = key;
        this.name = name;
        this.rule = rule;
        this.readLock = readLock;
        this.mtimeMillis = mtimeMillis;
    }

    /** The file's name; {@code null} for a templated set whose name is not known yet. */
    public String name() {
        return name;
    }

    /**
     * The rule the file shows, with the values of a templated set filled in: a set of
     * {@code uid * user.{user}} for uid 1000 has a rule with uid 1000, as a fixed rule
     * would, so that whoever may see {@code uid 1000} rules sees it.
     */
    public RuleSpec rule() {
        return rule;
    }

    /** Whether a templated rule made it (one file per value). */
    public boolean templated() {
        return key != null;
    }

    int id() {
        return id;
    }

    Object key() {
        return key;
    }

    /** Event loop only: a templated set gets its name, before it is shown. */
    void name(String fileName, RuleSpec concrete) {
        this.rule = concrete;
        this.name = fileName;
    }

    /** Exact length in bytes of {@link #content()}. */
    public long byteSize() {
        return byteSize;
    }

    public int memberCount() {
        return count;
    }

    /** Wall-clock time of the last membership change (or of creation). */
    public long mtimeMillis() {
        return mtimeMillis;
    }

    /**
     * The file's content: member PIDs ascending, one per line, each line ending in a
     * newline. The array is an immutable snapshot shared by every caller until the next
     * change: never modify it.
     */
    public byte[] content() {
        byte[] c = content;
        if (c != null) {
            return c;
        }
        readLock.lock();
        try {
            c = content;
            if (c == null) {
                c = render(sortedMembers(), byteSize);
                content = c;
            }
            return c;
        } finally {
            readLock.unlock();
        }
    }

    /** The member PIDs, ascending, as a fresh array. */
    public int[] pids() {
        readLock.lock();
        try {
            return sortedMembers();
        } finally {
            readLock.unlock();
        }
    }

    /** Processes that have entered the set since the daemon started (those found at startup included). */
    public long joins() {
        Tally t = tally;
        return t == null ? 0 : t.joins;
    }

    /** Members that ended, by how (an exit whose status was not seen, after lost events, is not counted). */
    public long exits(uprocfs.core.event.ExitStatus how) {
        Tally t = tally;
        if (t == null) {
            return 0;
        }
        return switch (how) {
            case OK -> t.exitsOk;
            case ERROR -> t.exitsError;
            case SIGNAL -> t.exitsSignal;
        };
    }

    /** Event loop only: a process entered the set. */
    boolean join(int pid, long nowMillis) {
        boolean joined = add(pid, nowMillis);
        if (joined) {
            tally().joins++;
        }
        return joined;
    }

    /** Event loop only: a member ended; {@code how} is an {@link uprocfs.core.event.ExitStatus} ordinal. */
    void exited(int how) {
        Tally t = tally();
        switch (how) {
            case 0 -> t.exitsOk++;
            case 1 -> t.exitsError++;
            default -> t.exitsSignal++;
        }
    }

    /** Event loop only: the counters, made on first use. */
    private Tally tally() {
        Tally t = tally;
        if (t == null) {
            t = new Tally();
            tally = t;
        }
        return t;
    }

    /** The counters as an array (joins, ok, error, signal): to carry them over to a set of the same name. */
    long[] counters() {
        Tally t = tally;
        return t == null ? new long[4] : new long[] {t.joins, t.exitsOk, t.exitsError, t.exitsSignal};
    }

    /** Event loop only, before the set is shown: counters carried over from its predecessor. */
    void restoreCounters(long[] c) {
        if (tally == null && c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0) {
            return;
        }
        Tally t = tally();
        t.joins = c[0];
        t.exitsOk = c[1];
        t.exitsError = c[2];
        t.exitsSignal = c[3];
    }

    /** Event loop only, under the write lock (or before the namespace is published). */
    boolean add(int pid, long nowMillis) {
        if (members == null) {
            members = new IntOpenHashSet(4);
        }
        if (!members.add(pid)) {
            return false;
        }
        byteSize += lineLength(pid);
        count++;
        changed(nowMillis);
        return true;
    }

    /** Event loop only, under the write lock. */
    boolean remove(int pid, long nowMillis) {
        if (members == null || !members.remove(pid)) {
            return false;
        }
        byteSize -= lineLength(pid);
        count--;
        changed(nowMillis);
        return true;
    }

    /** Event loop only, before the namespace is published: carries the time of the last change across a reload. */
    void setMtimeMillis(long millis) {
        mtimeMillis = millis;
    }

    private void changed(long nowMillis) {
        mtimeMillis = nowMillis;
        content = null;
    }

    private int[] sortedMembers() {
        if (members == null) {
            return new int[0];
        }
        int[] pids = members.toIntArray();
        Arrays.sort(pids);
        return pids;
    }

    /** Renders any ascending PID list the way {@link #content()} renders the members. */
    public static byte[] render(int[] sortedPids) {
        long size = 0;
        for (int pid : sortedPids) {
            size += lineLength(pid);
        }
        return render(sortedPids, size);
    }

    /** Bytes of one line: the decimal digits of {@code pid} and a newline. */
    static int lineLength(int pid) {
        int digits = 1;
        for (long p = pid; p >= 10; p /= 10) {
            digits++;
        }
        return digits + 1;
    }

    /** Renders ascending PIDs as lines into an array of exactly {@code size} bytes. */
    static byte[] render(int[] sortedPids, long size) {
        byte[] out = new byte[Math.toIntExact(size)];
        int at = 0;
        for (int pid : sortedPids) {
            int len = lineLength(pid) - 1;
            int end = at + len;
            for (int p = pid, i = end - 1; i >= at; i--, p /= 10) {
                out[i] = (byte) ('0' + p % 10);
            }
            out[end] = '\n';
            at = end + 1;
        }
        return out;
    }
}
