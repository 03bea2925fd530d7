package uprocfs.core.stats;

import it.unimi.dsi.fastutil.ints.Int2ObjectMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.objects.ObjectIterator;
import java.util.function.LongSupplier;
import uprocfs.core.proc.ProcessUsage;

/**
 * What the members of one namespace use, summed at each scrape from their own {@code /proc}
 * files (issue 12): the counters {@code cpu_seconds_total}, {@code read_bytes_total} and
 * {@code write_bytes_total}, and the gauges threads, resident bytes, open fds and oldest
 * start time.
 *
 * <p>A counter never goes down, so what exited members used stays in it, as
 * process-exporter does. Per member pid this remembers the values last read and the start
 * time that names the process; when the pid is no longer a member, or shows another start
 * time (the pid was reused: another process), the values last read move to a retired sum
 * kept for the life of this object. A counter is the retired sum plus each remembered
 * member's last values, and each member's values only rise (a lower reading is ignored), so
 * no update lowers it. A member counts with all it used since it started, including before
 * it joined the set; one that leaves and joins again is counted again from its start
 * (remembering every process that ever left would be unbounded).
 *
 * <p>Gauges are over the members read this scrape only. Reading is bounded by a deadline:
 * a member not read (the deadline passed, or it was gone or unreadable) is counted in
 * {@link Scrape#notRead()}, never guessed; its last values stay in the counters. A member
 * that has gone while still listed (its EXIT not yet applied) keeps its last values until
 * it leaves the list, which is when they are retired.
 *
 * <p>Memory: one small entry per member, dropped when it leaves; the table shrinks when the
 * set has shrunk to a quarter of its size.
 *
 * <p>For one scrape at a time: {@link #update} is synchronized (uncontended when one scrape
 * thread calls it, so nearly free), and a second scrape waits for the first.
 */
public final class SetUsage {
    /** What one scrape found. Seconds and bytes; the start time in seconds since the epoch. */
    public record Scrape(int members, int notRead, int ioUnknown, int fdsUnknown, double cpuUserSeconds,
            double cpuSystemSeconds, long readBytes, long writeBytes, long threads, long residentBytes, long openFds,
            double oldestStartTimeSeconds) {

        /** Whether any member was read: without one, {@link #oldestStartTimeSeconds} is NaN. */
        public boolean anyRead() {
            return members - notRead > 0;
        }
    }

    /** One member's values last read: what it adds to the counters. */
    private static final class Member {
        long startTicks;
        long userTicks;
        long systemTicks;
        long readBytes;
        long writeBytes;
        /** The update that last found it listed. */
        long listed;
    }

    private final LongSupplier nanoClock;
    private final Int2ObjectOpenHashMap<Member> members = new Int2ObjectOpenHashMap<>();
    private int sizeAtTrim;
    private long updates;

    // What members that are no longer listed used.
    private long retiredUserTicks;
    private long retiredSystemTicks;
    private long retiredReadBytes;
    private long retiredWriteBytes;

    public SetUsage() {
        this(System::nanoTime);
    }

    /** With a clock of its own, for tests of the deadline. */
    SetUsage(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Reads the members, one after another, until {@code deadlineNanos} passes, and returns
     * the totals.
     *
     * @param memberPids    the namespace's members now, distinct pids
     * @param reader        the calling thread's reader
     * @param deadlineNanos a {@link System#nanoTime()} value after which no member is read
     */
    public synchronized Scrape update(int[] memberPids, ProcessUsage.Reader reader, long deadlineNanos) {
        long now = ++updates;
        int notRead = 0;
        int ioUnknown = 0;
        int fdsUnknown = 0;
        long threads = 0;
        long resident = 0;
        long fds = 0;
        long oldestStart = Long.MAX_VALUE;
        long bootTime = reader.bootTimeSeconds();
        boolean late = false;
        for (int pid : memberPids) {
            Member m = members.get(pid);
            if (m != null && m.listed == now) {
                continue;
            }
            late = late || nanoClock.getAsLong() - deadlineNanos >= 0;
            ProcessUsage u = late ? null : reader.read(pid);
            if (u == null) {
                notRead++;
                if (m != null) {
                    m.listed = now;
                }
                continue;
            }
            if (m == null) {
                m = new Member();
                m.startTicks = u.startTicks();
                members.put(pid, m);
            } else if (m.startTicks != u.startTicks()) {
                retire(m);
                m.startTicks = u.startTicks();
                m.userTicks = m.systemTicks = m.readBytes = m.writeBytes = 0;
            }
            m.listed = now;
            m.userTicks = Math.max(m.userTicks, u.userTicks());
            m.systemTicks = Math.max(m.systemTicks, u.systemTicks());
            if (u.ioKnown()) {
                m.readBytes = Math.max(m.readBytes, u.readBytes());
                m.writeBytes = Math.max(m.writeBytes, u.writeBytes());
            } else {
                ioUnknown++;
            }
            if (u.fdsKnown()) {
                fds += u.openFds();
            } else {
                fdsUnknown++;
            }
            threads += u.threads();
            resident += u.residentBytes();
            oldestStart = Math.min(oldestStart, u.startTicks());
        }

        long user = 0;
        long system = 0;
        long read = 0;
        long written = 0;
        for (ObjectIterator<Int2ObjectMap.Entry<Member>> it = members.int2ObjectEntrySet().fastIterator();
                it.hasNext(); ) {
            Member m = it.next().getValue();
            if (m.listed != now) {
                retire(m);
                it.remove();
                continue;
            }
            user += m.userTicks;
            system += m.systemTicks;
            read += m.readBytes;
            written += m.writeBytes;
        }
        shrinkIfMostlyEmpty();
        // After the loop, which retires those no longer listed.
        user += retiredUserTicks;
        system += retiredSystemTicks;
        read += retiredReadBytes;
        written += retiredWriteBytes;

        double oldest = oldestStart == Long.MAX_VALUE ? Double.NaN
                : bootTime + (double) oldestStart / ProcessUsage.USER_HZ;
        return new Scrape(memberPids.length, notRead, ioUnknown, fdsUnknown, (double) user / ProcessUsage.USER_HZ,
                (double) system / ProcessUsage.USER_HZ, read, written, threads, resident, fds, oldest);
    }

    /** The members remembered now: those listed at the last update. */
    synchronized int remembered() {
        return members.size();
    }

    private void retire(Member m) {
        retiredUserTicks += m.userTicks;
        retiredSystemTicks += m.systemTicks;
        retiredReadBytes += m.readBytes;
        retiredWriteBytes += m.writeBytes;
    }

    /** An open hash table keeps the size it grew to: give it back when the set has shrunk a lot. */
    private void shrinkIfMostlyEmpty() {
        int size = members.size();
        if (size > sizeAtTrim) {
            sizeAtTrim = size;
        } else if (size < sizeAtTrim / 4) {
            members.trim();
            sizeAtTrim = size;
        }
    }
}
