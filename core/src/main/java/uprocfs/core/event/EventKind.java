package uprocfs.core.event;

import uprocfs.core.stats.Metric;

/**
 * What a process event is about, as the engine sees it. These are the engine's own codes;
 * the kernel's wire values (cn_proc.h's {@code what}) are netlink's business and are mapped
 * there. Kinds that change no set are only counted.
 */
public final class EventKind {
    public static final int FORK = 1;
    public static final int EXEC = 2;
    public static final int UID = 3;
    public static final int GID = 4;
    public static final int COMM = 5;
    public static final int EXIT = 6;
    public static final int SID = 7;
    public static final int PTRACE = 8;
    public static final int COREDUMP = 9;
    public static final int NONZERO_EXIT = 10;
    /** A kind the decoder does not know. */
    public static final int OTHER = 0;

    private EventKind() {
    }

    /** A short lower-case name for logs and tests. */
    public static String name(int kind) {
        return switch (kind) {
            case FORK -> "fork";
            case EXEC -> "exec";
            case UID -> "uid";
            case GID -> "gid";
            case COMM -> "comm";
            case EXIT -> "exit";
            case SID -> "sid";
            case PTRACE -> "ptrace";
            case COREDUMP -> "coredump";
            case NONZERO_EXIT -> "nonzero_exit";
            default -> "other";
        };
    }

    /** The counter an event of this kind adds to. */
    public static Metric counter(int kind) {
        return switch (kind) {
            case FORK -> Metric.EVENTS_FORK;
            case EXEC -> Metric.EVENTS_EXEC;
            case UID -> Metric.EVENTS_UID;
            case GID -> Metric.EVENTS_GID;
            case COMM -> Metric.EVENTS_COMM;
            case EXIT -> Metric.EVENTS_EXIT;
            default -> Metric.EVENTS_OTHER;
        };
    }
}
