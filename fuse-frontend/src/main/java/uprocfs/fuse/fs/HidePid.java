package uprocfs.fuse.fs;

/**
 * The {@code hidepid} and {@code gid} mount options of /proc (proc(5)): whether users other
 * than root see the processes of other users there, and which group is exempt.
 *
 * <p>A namespace file must not show a user PIDs that /proc hides from them, or the mount
 * would undo what the administrator chose. Levels 0 ({@code off}) and 1 ({@code noaccess}:
 * the directories stay listed, only their contents are closed) hide no PID; levels 2
 * ({@code invisible}) and 4 ({@code ptraceable}) hide the processes a user may not ptrace,
 * which for an unprivileged user are those of other users.
 *
 * @param level the hidepid level: {@link #OFF}, {@link #NOACCESS}, {@link #INVISIBLE} or
 *              {@link #PTRACEABLE}
 * @param gid   the group whose members see every process as root does, or {@link #NO_GID}
 */
public record HidePid(int level, long gid) {
    public static final int OFF = 0;
    public static final int NOACCESS = 1;
    public static final int INVISIBLE = 2;
    public static final int PTRACEABLE = 4;
    /** No {@code gid=} option: the kernel's default exempt group is root's, whom nothing is hidden from anyway. */
    public static final long NO_GID = -1;

    /** A /proc mounted without hidepid. */
    public static final HidePid NONE = new HidePid(OFF, NO_GID);

    /**
     * Reads the options from the super options of a proc mount as mountinfo lists them
     * ({@code rw,hidepid=invisible,gid=27}). Kernels before 5.8 write the level as a number,
     * later ones as a word; both are understood. A level this code does not know is taken
     * as {@link #INVISIBLE}: showing a PID that /proc hides is the worse mistake.
     */
    public static HidePid parse(String superOptions) {
        int level = OFF;
        long gid = NO_GID;
        for (String option : superOptions.split(",")) {
            if (option.startsWith("hidepid=")) {
                level = level(option.substring("hidepid=".length()));
            } else if (option.startsWith("gid=")) {
                gid = gid(option.substring("gid=".length()));
            }
        }
        return new HidePid(level, gid);
    }

    private static int level(String value) {
        return switch (value) {
            case "0", "off" -> OFF;
            case "1", "noaccess" -> NOACCESS;
            case "2", "invisible" -> INVISIBLE;
            case "4", "ptraceable" -> PTRACEABLE;
            default -> INVISIBLE;
        };
    }

    private static long gid(String value) {
        try {
            long gid = Long.parseLong(value);
            return gid >= 0 && gid <= 0xFFFF_FFFFL ? gid : NO_GID;
        } catch (NumberFormatException e) {
            return NO_GID;
        }
    }

    /** Whether /proc hides from an unprivileged user the processes of other users. */
    public boolean hidesOtherUsersProcesses() {
        return level == INVISIBLE || level == PTRACEABLE;
    }

    public boolean hasGid() {
        return gid != NO_GID;
    }

    @Override
    public String toString() {
        return "hidepid=" + level + (hasGid() ? ",gid=" + gid : "");
    }
}
