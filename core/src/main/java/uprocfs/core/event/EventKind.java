package uprocfs.core.event;

/**
 * The proc connector events the engine acts on, with the kernel's {@code what} values
 * (include/uapi/linux/cn_proc.h). Others (SID, PTRACE, COREDUMP, NONE) are only counted.
 */
public final class EventKind {
    public static final int NONE = 0x0;
    public static final int FORK = 0x1;
    public static final int EXEC = 0x2;
    public static final int UID = 0x4;
    public static final int GID = 0x40;
    public static final int SID = 0x80;
    public static final int PTRACE = 0x100;
    public static final int COMM = 0x200;
    public static final int NONZERO_EXIT = 0x20000000;
    public static final int COREDUMP = 0x40000000;
    public static final int EXIT = 0x80000000;

    private EventKind() {
    }

    /** A short lower-case name for counters and logs; "other" for values we do not know. */
    public static String name(int what) {
        return switch (what) {
            case NONE -> "none";
            case FORK -> "fork";
            case EXEC -> "exec";
            case UID -> "uid";
            case GID -> "gid";
            case SID -> "sid";
            case PTRACE -> "ptrace";
            case COMM -> "comm";
            case NONZERO_EXIT -> "nonzero_exit";
            case COREDUMP -> "coredump";
            case EXIT -> "exit";
            default -> "other";
        };
    }
}
