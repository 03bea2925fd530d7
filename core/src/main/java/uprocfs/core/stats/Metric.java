package uprocfs.core.stats;

/**
 * Every number the daemon keeps about itself, in the order {@code .status} shows them: the
 * one list, so that a counter cannot be kept without being shown (docs/ARCHITECTURE.md,
 * "Counters"). Names are the {@code .status} keys; scripts read them, so a name never changes
 * and new ones go at the end.
 */
public enum Metric {
    NAMESPACES("namespaces", Type.GAUGE, "namespaces of the configuration in force"),
    TASKS("tasks", Type.GAUGE, "processes the daemon knows"),
    EVENTS_FORK("events_fork", Type.COUNTER, "fork events applied (new processes and threads)"),
    EVENTS_EXEC("events_exec", Type.COUNTER, "exec events applied"),
    EVENTS_UID("events_uid", Type.COUNTER, "uid change events applied"),
    EVENTS_GID("events_gid", Type.COUNTER, "gid change events applied"),
    EVENTS_COMM("events_comm", Type.COUNTER, "rename (comm) events applied"),
    EVENTS_EXIT("events_exit", Type.COUNTER, "exit events applied (processes and threads)"),
    EVENTS_OTHER("events_other", Type.COUNTER, "events that change no set (sid, ptrace, coredump, ...)"),
    THREAD_EVENTS("thread_events", Type.COUNTER, "thread starts and ends seen, which change no set"),
    DATAGRAMS("datagrams", Type.COUNTER, "datagrams read from the proc connector"),
    MALFORMED("malformed", Type.COUNTER, "datagrams skipped as truncated or foreign"),
    OVERFLOWS("overflows", Type.COUNTER, "times the kernel reported lost events"),
    RESYNCS("resyncs", Type.COUNTER, "comparisons with /proc after lost events"),
    RESYNC_REPAIRS("resync_repairs", Type.COUNTER, "processes those comparisons repaired"),
    AUDITS("audits", Type.COUNTER, "periodic comparisons with /proc completed"),
    AUDIT_REPAIRS("audit_repairs", Type.COUNTER, "differences audits found that no event explained"),
    AUDIT_INTERVAL_SECONDS("audit_interval_seconds", Type.GAUGE, "seconds between audits, 0 when off"),
    LAST_AUDIT("last_audit", Type.TIMESTAMP, "when the last audit ended"),
    LAG("lag", Type.HISTOGRAM, "time from the kernel's event to its application"),
    RECEIVE_BUFFER_BYTES("receive_buffer_bytes", Type.GAUGE, "the event socket's receive queue, as granted"),
    RELOADS("reloads", Type.COUNTER, "configurations swapped in on SIGHUP"),
    RELOAD_FAILURES("reload_failures", Type.COUNTER, "SIGHUPs whose configuration was refused"),
    EVENTS("events", Type.COUNTER, "events decoded from datagrams, of every kind"),
    DISCARDED("discarded", Type.COUNTER, "datagrams dropped unapplied after lost events (a resync replaces them)"),
    NETLINK_ERRORS("netlink_errors", Type.COUNTER, "netlink error messages with a nonzero code"),
    TEMPLATED_FILES("templated_files", Type.GAUGE, "files of templated rules shown now"),
    TEMPLATED_NAMES_REFUSED("templated_names_refused", Type.COUNTER,
            "templated files not shown: a fixed rule or another template has the name, or it is over 255 bytes"),
    TEMPLATED_OVER_LIMIT("templated_over_limit", Type.COUNTER,
            "templated files not made because max_templated of them existed"),
    EXIT_NAMES("exit_names", Type.COUNTER,
            "names of ended tasks read from the kernel's taskstats (with -o metrics)"),
    EXIT_NAMES_LOST("exit_names_lost", Type.COUNTER,
            "times the taskstats queue overflowed and names of ended tasks were lost"),
    EXITS_UNNAMED("exits_unnamed", Type.COUNTER,
            "processes that ended before what they exec'd was known, counted in no set's exits");

    /** How a metric's value reads. */
    public enum Type {
        /** Only grows while the daemon runs. */
        COUNTER,
        /** A level that goes up and down. */
        GAUGE,
        /** Wall-clock milliseconds since the epoch, 0 for never. */
        TIMESTAMP,
        /** The lag histogram ({@link LagHistogram}); its value slot holds nothing. */
        HISTOGRAM
    }

    private final String key;
    private final Type type;
    private final String help;

    Metric(String key, Type type, String help) {
        this.key = key;
        this.type = type;
        this.help = help;
    }

    /** The name shown in {@code .status}. */
    public String key() {
        return key;
    }

    public Type type() {
        return type;
    }

    /** One line saying what it counts. */
    public String help() {
        return help;
    }
}
