package uprocfs.fuse.daemon;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import uprocfs.core.engine.Namespace;
import uprocfs.core.event.ExitStatus;

/**
 * The per-namespace series kept in memory ({@code uproc_namespace_processes}, {@code _exits_total},
 * {@code _joins_total}), written straight to the response in Prometheus's text format
 * (version 0.0.4), one line each. There is one of these lines per rule, 100,000 of them for
 * as many rules, which through the client library's model objects (a labelled point each,
 * sorted and validated, then written through a character writer) cost some 200 ms of CPU a
 * scrape; written here from the namespaces themselves, a few milliseconds
 * (docs/BENCHMARKS.md). The rest of a scrape still goes through the client library.
 *
 * <p>One scrape at a time: the buffer is reused.
 */
final class NamespaceSeries {
    static final String PROCESSES = "uproc_namespace_processes";
    static final String EXITS = "uproc_namespace_exits";
    static final String JOINS = "uproc_namespace_joins";

    private static final byte[] PROCESSES_HEAD = ascii("# HELP " + PROCESSES
            + " Processes in the namespace now (its file's lines)\n# TYPE " + PROCESSES + " gauge\n");
    private static final byte[] EXITS_HEAD = ascii("# HELP " + EXITS + "_total Members that ended, by how: ok"
            + " (exit 0), error (exit status not 0), signal (killed)\n# TYPE " + EXITS + "_total counter\n");
    private static final byte[] JOINS_HEAD = ascii("# HELP " + JOINS + "_total Processes that entered the namespace"
            + " (fork, exec, rename, id change; at startup, those found); this and the exits appear with a"
            + " namespace's first process\n# TYPE " + JOINS + "_total counter\n");
    private static final byte[] PROCESSES_LINE = ascii(PROCESSES + "{namespace=\"");
    /** Labels in name order, as the client library writes them (scripts grep for that). */
    private static final byte[] EXITS_LINE = ascii(EXITS + "_total{how=\"");
    private static final byte[] EXITS_NAMESPACE = ascii("\",namespace=\"");
    private static final byte[] JOINS_LINE = ascii(JOINS + "_total{namespace=\"");
    private static final byte[][] HOW = new byte[ExitStatus.values().length][];

    static {
        for (ExitStatus how : ExitStatus.values()) {
            HOW[how.ordinal()] = ascii(how.label());
        }
    }

    private static final byte[] CLOSE = ascii("\"} ");

    private final byte[] buffer = new byte[64 * 1024];
    private int used;
    private OutputStream out;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Writes the families {@code included} accepts (by name, without {@code _total}) for
     * {@code namespaces}: every one's processes, and the counters of those that ever had a
     * member (a namespace's counters appear with its first process, as a client library's
     * labelled counter does: with 100,000 rules, most never have one).
     */
    void write(OutputStream to, List<Namespace> namespaces, Predicate<String> included) throws IOException {
        out = to;
        used = 0;
        try {
            if (included.test(PROCESSES)) {
                put(PROCESSES_HEAD);
                for (Namespace ns : namespaces) {
                    String name = ns.name();
                    if (name != null) {
                        line(PROCESSES_LINE, name, CLOSE, ns.memberCount());
                    }
                }
            }
            boolean exits = included.test(EXITS);
            boolean joins = included.test(JOINS);
            List<Namespace> counted = exits || joins ? everJoined(namespaces) : List.of();
            if (exits && !counted.isEmpty()) {
                put(EXITS_HEAD);
                for (Namespace ns : counted) {
                    for (ExitStatus how : ExitStatus.values()) {
                        put(EXITS_LINE);
                        put(HOW[how.ordinal()]);
                        line(EXITS_NAMESPACE, ns.name(), CLOSE, ns.exits(how));
                    }
                }
            }
            if (joins && !counted.isEmpty()) {
                put(JOINS_HEAD);
                for (Namespace ns : counted) {
                    line(JOINS_LINE, ns.name(), CLOSE, ns.joins());
                }
            }
            flush();
        } finally {
            out = null;
        }
    }

    /** The named namespaces that ever had a member: those whose counters are shown. */
    private static List<Namespace> everJoined(List<Namespace> namespaces) {
        List<Namespace> out = new ArrayList<>();
        for (Namespace ns : namespaces) {
            if (ns.name() != null && ns.joins() > 0) {
                out.add(ns);
            }
        }
        return out;
    }

    /** {@code start}, the name as a label value, {@code end}, the value, a newline. */
    private void line(byte[] start, String name, byte[] end, long value) throws IOException {
        put(start);
        labelValue(name);
        put(end);
        number(value);
        room(1);
        buffer[used++] = '\n';
    }

    /**
     * A label value: UTF-8, with backslash, double quote and line feed escaped as the text
     * format wants. A name is at most 255 bytes of UTF-8, so it fits the buffer whole.
     */
    private void labelValue(String name) throws IOException {
        int n = name.length();
        room(2 * n);
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            if (c >= 0x80) {
                labelValueUtf8(name);
                return;
            }
        }
        for (int i = 0; i < n; i++) {
            escaped((byte) name.charAt(i));
        }
    }

    private void labelValueUtf8(String name) throws IOException {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        room(2 * bytes.length);
        for (byte b : bytes) {
            escaped(b);
        }
    }

    private void escaped(byte b) {
        switch (b) {
            case '\\' -> {
                buffer[used++] = '\\';
                buffer[used++] = '\\';
            }
            case '"' -> {
                buffer[used++] = '\\';
                buffer[used++] = '"';
            }
            case '\n' -> {
                buffer[used++] = '\\';
                buffer[used++] = 'n';
            }
            default -> buffer[used++] = b;
        }
    }

    /** A non-negative count in decimal. */
    private void number(long value) throws IOException {
        room(20);
        if (value < 0) {
            value = 0;
        }
        int start = used;
        do {
            buffer[used++] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value > 0);
        for (int i = start, j = used - 1; i < j; i++, j--) {
            byte t = buffer[i];
            buffer[i] = buffer[j];
            buffer[j] = t;
        }
    }

    private void put(byte[] bytes) throws IOException {
        room(bytes.length);
        System.arraycopy(bytes, 0, buffer, used, bytes.length);
        used += bytes.length;
    }

    private void room(int n) throws IOException {
        if (used + n > buffer.length) {
            flush();
        }
    }

    private void flush() throws IOException {
        if (used > 0) {
            out.write(buffer, 0, used);
            used = 0;
        }
    }
}
