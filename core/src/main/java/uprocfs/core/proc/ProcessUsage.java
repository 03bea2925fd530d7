package uprocfs.core.proc;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What one process uses, from its own files under {@code /proc}: CPU time, threads and
 * start time and resident memory (rss pages) from {@code PID/stat}, bytes read and
 * written from {@code PID/io}, open files from the entries of {@code PID/fd}. Read at scrape
 * time for the members of a set, never by walking all of {@code /proc}.
 *
 * <p>{@code io} and {@code fd} need the right to ptrace the process (proc(5): "ptrace access
 * mode PTRACE_MODE_READ_FSCREDS"), which the daemon has as root; a reader without it gets
 * them marked unknown ({@link #ioKnown()}, {@link #fdsKnown()}), not zero.
 *
 * @param pid             the process
 * @param userTicks       {@code stat} field 14, utime: CPU time in user mode, in {@link #USER_HZ} ticks
 * @param systemTicks     {@code stat} field 15, stime: CPU time in kernel mode, in ticks
 * @param threads         {@code stat} field 20, num_threads
 * @param startTicks      {@code stat} field 22, starttime: ticks after boot; with the pid, the
 *                        process's identity (a pid reused later has another start time)
 * @param bootTimeSeconds {@code btime} of {@code /proc/stat}: the boot, in seconds since the epoch
 * @param residentBytes   stat's rss times the page size (what {@code VmRSS} of {@code status}
 *                        shows), in bytes; 0 for a kernel thread, which has no memory of its own
 * @param readBytes       {@code read_bytes} of {@code io} (bytes this process caused to be read
 *                        from storage), or -1 when {@code io} could not be read
 * @param writeBytes      {@code write_bytes} of {@code io}, or -1 when it could not be read
 * @param openFds         the entries of {@code fd}, or -1 when it could not be listed
 */
public record ProcessUsage(int pid, long userTicks, long systemTicks, int threads, long startTicks,
        long bootTimeSeconds, long residentBytes, long readBytes, long writeBytes, int openFds) {

    /**
     * Clock ticks per second of every time in {@code /proc/PID/stat}: the kernel converts its
     * jiffies to USER_HZ for user space ({@code jiffies_to_clock_t}), and USER_HZ is 100 on every
     * architecture Java runs on (include/asm-generic/param.h; {@code getconf CLK_TCK}), whatever
     * CONFIG_HZ the kernel was built with. A constant, since the JDK has no sysconf.
     */
    public static final int USER_HZ = 100;

    public double cpuUserSeconds() {
        return (double) userTicks / USER_HZ;
    }

    public double cpuSystemSeconds() {
        return (double) systemTicks / USER_HZ;
    }

    /** When the process started, in seconds since the epoch (to the tick, 10 ms). */
    public double startTimeSeconds() {
        return bootTimeSeconds + (double) startTicks / USER_HZ;
    }

    /** Whether {@link #readBytes} and {@link #writeBytes} were read. */
    public boolean ioKnown() {
        return readBytes >= 0;
    }

    /** Whether {@link #openFds} was counted. */
    public boolean fdsKnown() {
        return openFds >= 0;
    }

    /**
     * A reader for one thread (the scrape's), over the procfs at {@code proc}'s root. Reads the
     * boot time once, now.
     *
     * @throws IOException when {@code <root>/stat} cannot be read or has no {@code btime} line
     */
    public static Reader reader(ProcFs proc) throws IOException {
        return new Reader(proc.root());
    }

    /**
     * Reads processes' usage one after another with one buffer, reused from file to file and
     * from process to process (as {@link ProcFs.TaskReader} does for status): a read allocates
     * only what the JDK needs to open three files and stat a directory, and the record it
     * returns, about 2.3 KB of short-lived objects on JDK 17 (none that grows with the
     * process, unless its fd directory must be listed: see openFds below). Not
     * thread-safe: one per reading thread.
     */
    public static final class Reader {
        private final Path root;
        private final boolean procfs;
        private final long bootTimeSeconds;
        private final StatusBuffer buf = new StatusBuffer();
        // stat fields 14, 15, 20 and 22 of the last stat parsed.
        private final long[] statFields = new long[STAT_FIELDS.length];

        private Reader(Path root) throws IOException {
            this.root = root;
            Path stat = root.resolve("stat");
            // A buffer of its own: /proc/stat's intr line runs to tens of KiB on a large
            // machine, and the per-process buffer need not grow for a file read once.
            CharSequence text = new StatusBuffer().read(stat);
            long btime = text == null ? -1 : keyedValue(text, "btime ");
            if (btime < 0) {
                throw new IOException(stat + (text == null ? " cannot be read" : " has no btime line")
                        + ": without the boot time no process's start time can be told (is procfs mounted at "
                        + root + "?)");
            }
            this.bootTimeSeconds = btime;
            this.procfs = PROCFS_TYPE.equals(Files.getFileStore(root).type());
        }

        /** The boot time this reader counts start times from, in seconds since the epoch. */
        public long bootTimeSeconds() {
            return bootTimeSeconds;
        }

        /**
         * Reads one process's usage.
         *
         * @return its usage, or {@code null} when it has gone (before or while its files were
         *         read) or its {@code stat} could not be parsed
         */
        public ProcessUsage read(int pid) {
            if (pid <= 0) {
                return null;
            }
            Path dir = root.resolve(Integer.toString(pid));
            // stat first: its start time names the process whose other files follow. A pid
            // reused between this read and the next few (an exit, a reap and a pid wrap in
            // microseconds) would pass unseen.
            CharSequence stat = buf.read(dir.resolve("stat"));
            if (stat == null || !parseStat(stat, statFields)) {
                return null;
            }
            long user = statFields[0];
            long system = statFields[1];
            int threads = (int) Math.min(statFields[2], Integer.MAX_VALUE);
            long start = statFields[3];

            long resident = statFields[4] * PAGE_SIZE;

            long read = -1;
            long written = -1;
            CharSequence io = buf.read(dir.resolve("io"));
            if (io != null) {
                read = keyedValue(io, "read_bytes:");
                written = keyedValue(io, "write_bytes:");
                if (read < 0 || written < 0) {
                    read = -1;
                    written = -1;
                }
            } else if (!Files.isDirectory(dir)) {
                return null;
            }

            int fds = openFds(dir.resolve("fd"));
            if (fds < 0 && !Files.isDirectory(dir)) {
                return null;
            }
            return new ProcessUsage(pid, user, system, threads, start, bootTimeSeconds, resident, read, written, fds);
        }

        /**
         * The entries of a process's fd directory, or -1 when it cannot be counted (gone, or not
         * ours to see). Since Linux 6.2 procfs gives the count as the directory's size
         * (fs/proc/fd.c proc_fd_getattr, commit f1f1f2569901): one stat instead of a listing
         * that costs a getdents and a Path per descriptor, 5 against 35 us for a JVM's dozen
         * fds here. Older kernels give 0, as does a process with no open file: then it is
         * listed. A fake tree is not procfs, so is always listed.
         */
        private int openFds(Path fd) {
            if (procfs) {
                try {
                    long size = Files.readAttributes(fd, BasicFileAttributes.class).size();
                    if (size > 0) {
                        return (int) Math.min(size, Integer.MAX_VALUE);
                    }
                } catch (IOException | SecurityException e) {
                    return -1;
                }
            }
            return countEntries(fd);
        }

        /** The entries of a directory, or -1 when it cannot be listed. */
        private static int countEntries(Path dir) {
            int n = 0;
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path ignored : entries) {
                    n++;
                }
            } catch (IOException | DirectoryIteratorException | SecurityException e) {
                return -1;
            }
            return n;
        }
    }

    /** What {@link java.nio.file.FileStore#type()} says of a procfs mount. */
    private static final String PROCFS_TYPE = "proc";

    /** The stat fields read (proc(5) numbering, from 1): utime, stime, num_threads, starttime. */
    private static final int[] STAT_FIELDS = {14, 15, 20, 22, 24};

    /**
     * The page size, in which stat's rss field counts: AT_PAGESZ from this process's
     * auxiliary vector ({@code /proc/self/auxv}: pairs of native longs, little-endian on the
     * machines Java runs Linux on), 4096 when it cannot be read. Reading rss there instead of
     * {@code VmRSS} in {@code status} (the same number: both are get_mm_rss) spares a file
     * per process, a quarter of a scrape's reads.
     */
    static final long PAGE_SIZE = pageSize();

    private static long pageSize() {
        try {
            java.nio.ByteBuffer auxv = java.nio.ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv")))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            while (auxv.remaining() >= 16) {
                long type = auxv.getLong();
                long value = auxv.getLong();
                if (type == 6 && value > 0 && Long.bitCount(value) == 1) {
                    return value;
                }
                if (type == 0) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // The usual size, below.
        }
        return 4096;
    }

    /**
     * Parses the fields {@link #STAT_FIELDS} of a {@code stat} line into {@code out}. Field 2,
     * the comm in parentheses, is written raw (fs/proc/array.c: {@code seq_escape} is not used
     * there) and may hold spaces, parentheses, even a newline; so the fields are counted from
     * the last {@code ')'}, after which the kernel writes numbers and the state letter only.
     *
     * @return false when the line lacks a field or one is not an unsigned decimal
     */
    static boolean parseStat(CharSequence text, long[] out) {
        int n = text.length();
        int close = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (text.charAt(i) == ')') {
                close = i;
                break;
            }
        }
        if (close < 0) {
            return false;
        }
        int i = close + 1;
        int field = 2;
        int found = 0;
        while (found < STAT_FIELDS.length) {
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
            if (i >= n || text.charAt(i) == '\n') {
                return false;
            }
            field++;
            int end = i;
            while (end < n && text.charAt(end) != ' ' && text.charAt(end) != '\n') {
                end++;
            }
            if (field == STAT_FIELDS[found]) {
                long v = unsigned(text, i, end);
                if (v < 0) {
                    return false;
                }
                out[found++] = v;
            }
            i = end;
        }
        return true;
    }

    /**
     * The first unsigned decimal after {@code key} at the start of a line ({@code "VmRSS:"}
     * in status, {@code "read_bytes:"} in io, {@code "btime "} in /proc/stat), blanks
     * skipped; -1 when no line starts with {@code key} or no number follows it.
     */
    static long keyedValue(CharSequence text, String key) {
        int n = text.length();
        int k = key.length();
        for (int line = 0; line < n; ) {
            int eol = line;
            while (eol < n && text.charAt(eol) != '\n') {
                eol++;
            }
            if (eol - line > k && startsWith(text, line, key)) {
                int i = line + k;
                while (i < eol && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
                    i++;
                }
                int end = i;
                while (end < eol && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
                    end++;
                }
                return unsigned(text, i, end);
            }
            line = eol + 1;
        }
        return -1;
    }

    private static boolean startsWith(CharSequence text, int at, String key) {
        for (int j = 0; j < key.length(); j++) {
            if (text.charAt(at + j) != key.charAt(j)) {
                return false;
            }
        }
        return true;
    }

    /** The unsigned decimal in [from, to), or -1 when it is empty, not all digits, or past a long. */
    private static long unsigned(CharSequence s, int from, int to) {
        if (from >= to) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9' || v > (Long.MAX_VALUE - (c - '0')) / 10) {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
