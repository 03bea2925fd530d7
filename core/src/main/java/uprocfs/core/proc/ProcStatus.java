package uprocfs.core.proc;

import java.util.Arrays;
import uprocfs.core.task.TaskInfo;

/**
 * Parses the text of {@code /proc/<pid>/status}. Only the fields the engine needs are read:
 * {@code Name}, {@code State}, {@code Tgid}, {@code PPid}, {@code Uid} and {@code Gid} (whose
 * second column is the effective id, see proc(5)) and {@code Threads}; and, for callers of the
 * filesystem, {@code Groups}.
 *
 * <p>A process that has exited but not been reaped (state Z, zombie, or X, dead) is not
 * listed: its EXIT event has already been delivered, it runs nothing and a signal does
 * nothing to it. A zombie thread-group leader whose other threads still run ({@code Threads}
 * above 1) is a live process and is kept.
 *
 * <p>The content is untrusted in the sense that a process chooses its own name: the name is
 * escaped by the kernel ({@code proc_task_name(..., escape=true)} escapes {@code \n} and
 * {@code \\}; older kernels escaped more with {@code string_escape_str}), and is unescaped
 * here back to the raw comm bytes, which is what the proc connector's COMM event carries.
 */
public final class ProcStatus {
    private ProcStatus() {
    }

    /**
     * Parses status text given as one char per byte (ISO-8859-1).
     *
     * @param pid the pid whose file this is
     * @return the process, or {@code null} when the text lacks a field, describes a thread
     *         ({@code Tgid != pid}) rather than a process, or a process that has exited
     */
    public static TaskInfo parse(int pid, CharSequence text) {
        String name = null;
        long tgid = -1;
        long ppid = -1;
        long euid = -1;
        long egid = -1;
        char state = '?';
        long threads = -1;
        int n = text.length();
        int lineStart = 0;
        while (lineStart < n) {
            int lineEnd = indexOf(text, '\n', lineStart, n);
            int colon = indexOf(text, ':', lineStart, lineEnd);
            if (colon < lineEnd) {
                int valueStart = colon + 1;
                if (valueStart < lineEnd && text.charAt(valueStart) == '\t') {
                    valueStart++;
                }
                if (keyIs(text, lineStart, colon, "Name")) {
                    name = comm(unescapeName(text, valueStart, lineEnd));
                } else if (keyIs(text, lineStart, colon, "State")) {
                    state = valueStart < lineEnd ? text.charAt(valueStart) : '?';
                } else if (keyIs(text, lineStart, colon, "Tgid")) {
                    tgid = field(text, valueStart, lineEnd, 0);
                } else if (keyIs(text, lineStart, colon, "PPid")) {
                    ppid = field(text, valueStart, lineEnd, 0);
                } else if (keyIs(text, lineStart, colon, "Uid")) {
                    euid = field(text, valueStart, lineEnd, 1);
                } else if (keyIs(text, lineStart, colon, "Gid")) {
                    egid = field(text, valueStart, lineEnd, 1);
                } else if (keyIs(text, lineStart, colon, "Threads")) {
                    threads = field(text, valueStart, lineEnd, 0);
                    break;
                }
            }
            lineStart = lineEnd + 1;
        }
        if (state == 'X' || (state == 'Z' && threads <= 1)) {
            return null;
        }
        if (name == null || tgid != pid || ppid < 0 || euid < 0 || egid < 0) {
            return null;
        }
        int count = threads < 1 ? 1 : (int) Math.min(threads, Integer.MAX_VALUE);
        return new TaskInfo(pid, (int) ppid, (int) euid, (int) egid, name, count, state == 'Z');
    }

    /** The effective uid (second column of {@code Uid:}), or -1 when the text has none. */
    public static long effectiveUid(CharSequence text) {
        int from = valueStart(text, "Uid");
        return from < 0 ? -1 : field(text, from, indexOf(text, '\n', from, text.length()), 1);
    }

    /**
     * The supplementary groups of the {@code Groups:} line, as listed (the kernel sorts them);
     * none when the text has no such line. A word that is not an unsigned 32-bit decimal is
     * skipped. Up to NGROUPS_MAX (65,536), so the line is walked once, not per column.
     */
    public static long[] groups(CharSequence text) {
        int i = valueStart(text, "Groups");
        if (i < 0) {
            return new long[0];
        }
        int to = indexOf(text, '\n', i, text.length());
        long[] groups = new long[16];
        int count = 0;
        while (i < to) {
            while (i < to && isBlank(text.charAt(i))) {
                i++;
            }
            int start = i;
            long v = 0;
            while (i < to && !isBlank(text.charAt(i))) {
                char d = text.charAt(i++);
                v = d >= '0' && d <= '9' && v <= 0xFFFF_FFFFL ? v * 10 + (d - '0') : Long.MAX_VALUE;
            }
            if (i > start && v <= 0xFFFF_FFFFL) {
                if (count == groups.length) {
                    groups = Arrays.copyOf(groups, count * 2);
                }
                groups[count++] = v;
            }
        }
        return Arrays.copyOf(groups, count);
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** Where the value of the line {@code key:} starts (after the tab), or -1 when there is none. */
    private static int valueStart(CharSequence text, String key) {
        int n = text.length();
        for (int lineStart = 0; lineStart < n; ) {
            int lineEnd = indexOf(text, '\n', lineStart, n);
            int colon = indexOf(text, ':', lineStart, lineEnd);
            if (colon < lineEnd && keyIs(text, lineStart, colon, key)) {
                return colon + 1 < lineEnd && text.charAt(colon + 1) == '\t' ? colon + 2 : colon + 1;
            }
            lineStart = lineEnd + 1;
        }
        return -1;
    }

    /**
     * The comm the kernel's events carry, from the name status shows. They differ for
     * workqueue workers: status appends what the worker does (wq_worker_comm,
     * kernel/workqueue.c: {@code kworker/u8:0-events_unbound}, {@code +desc} while busy),
     * which changes with no event; the comm is what precedes it, and never more than 15
     * bytes ({@code TASK_COMM_LEN}).
     */
    static String comm(String shown) {
        String name = shown;
        if (name.startsWith(KWORKER) && !name.startsWith(KWORKER_RESCUER)) {
            for (int i = KWORKER.length(); i < name.length(); i++) {
                char c = name.charAt(i);
                if (c == '-' || c == '+') {
                    name = name.substring(0, i);
                    break;
                }
            }
        }
        return name.length() > COMM_MAX ? name.substring(0, COMM_MAX) : name;
    }

    private static final String KWORKER = "kworker/";
    /** Rescuer threads are named kworker/R-&lt;workqueue&gt;: there the dash is part of the comm. */
    private static final String KWORKER_RESCUER = "kworker/R-";
    /** TASK_COMM_LEN less the NUL. Names are one char per byte here, so chars are bytes. */
    private static final int COMM_MAX = 15;

    private static int indexOf(CharSequence s, char c, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == c) {
                return i;
            }
        }
        return to;
    }

    private static boolean keyIs(CharSequence s, int from, int to, String key) {
        if (to - from != key.length()) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            if (s.charAt(from + i) != key.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The {@code column}-th whitespace-separated unsigned decimal in [from, to), or -1. */
    private static long field(CharSequence s, int from, int to, int column) {
        int i = from;
        for (int col = 0; ; col++) {
            while (i < to && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
            if (i >= to) {
                return -1;
            }
            if (col == column) {
                long v = 0;
                int digits = 0;
                while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    v = v * 10 + (s.charAt(i) - '0');
                    if (v > 0xFFFF_FFFFL) {
                        return -1;
                    }
                    i++;
                    digits++;
                }
                return digits == 0 ? -1 : v;
            }
            while (i < to && s.charAt(i) != ' ' && s.charAt(i) != '\t') {
                i++;
            }
        }
    }

    /**
     * Undoes the kernel's escaping of the name: {@code \n}, {@code \\}, {@code \t} and friends
     * and three-digit octal escapes. A backslash that starts no known escape is kept as is.
     */
    static String unescapeName(CharSequence s, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= to) {
                out.append(c);
                continue;
            }
            char e = s.charAt(i + 1);
            char raw;
            switch (e) {
                case 'n' -> raw = '\n';
                case '\\' -> raw = '\\';
                case 't' -> raw = '\t';
                case 'r' -> raw = '\r';
                case 'f' -> raw = '\f';
                case 'v' -> raw = 0x0B;
                case 'a' -> raw = 0x07;
                case 'e' -> raw = 0x1B;
                case '"' -> raw = '"';
                default -> raw = 0;
            }
            if (raw != 0) {
                out.append(raw);
                i++;
            } else if (e >= '0' && e <= '7' && i + 3 < to && isOctal(s.charAt(i + 2)) && isOctal(s.charAt(i + 3))) {
                out.append((char) (((e - '0') << 6 | (s.charAt(i + 2) - '0') << 3 | (s.charAt(i + 3) - '0')) & 0xFF));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean isOctal(char c) {
        return c >= '0' && c <= '7';
    }
}
