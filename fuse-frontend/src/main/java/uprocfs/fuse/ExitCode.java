package uprocfs.fuse;

/**
 * What {@code uproc} exits with, so that scripts can tell a typo from a broken config from a
 * busy mountpoint. The same numbers are listed by {@code uproc --help}; a background start
 * exits with the daemon's own verdict.
 */
public final class ExitCode {
    /** Mounted and populated (or, for the daemon, stopped cleanly). */
    public static final int OK = 0;
    /** The command line is wrong: unknown option, missing MOUNTPOINT, unusable log file. */
    public static final int USAGE = 1;
    /** The configuration cannot be used: syntax, duplicate names, missing or unsafe file. */
    public static final int CONFIG = 2;
    /** The mountpoint cannot be used: missing, not a directory, not empty, already mounted, or the mount failed. */
    public static final int MOUNT = 3;
    /** Not root, or the kernel refused the proc connector subscription. */
    public static final int PRIVILEGE = 4;
    /** The daemon failed while starting or running (event stream broke); it unmounted first. */
    public static final int FAILURE = 5;

    private ExitCode() {
    }
}
