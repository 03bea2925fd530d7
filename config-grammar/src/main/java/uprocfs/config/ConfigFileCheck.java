package uprocfs.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import uprocfs.core.proc.ProcFs;

/**
 * Decides whether a configuration file may be read at all, before a byte of it is.
 *
 * <p>The file must be a regular file: a directory is a mistake, and a device or FIFO
 * could feed the daemon without end. When the daemon runs as root it also refuses a
 * file that someone other than root could have written, because the file decides
 * which processes are listed and which users may see them: whoever can write it can
 * change what root serves. (The check and the read are two steps; swapping the file in
 * between needs write access to its directory, which for {@code /etc} is root's.)
 *
 * <p>Standard input ({@code -}) is exempt: whoever pipes it in chose its content.
 */
public final class ConfigFileCheck {

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    private static final int GROUP_OR_OTHERS_WRITE = 0022;

    private final boolean requireRootOwned;

    private ConfigFileCheck(boolean requireRootOwned) {
        this.requireRootOwned = requireRootOwned;
    }

    /** The check for this process: ownership and mode rules apply when it runs as root. */
    public static ConfigFileCheck forThisProcess() {
        return forEffectiveUid(effectiveUid());
    }

    /** The check a process with this effective uid applies; ownership and mode rules when 0. */
    public static ConfigFileCheck forEffectiveUid(long euid) {
        return new ConfigFileCheck(euid == 0);
    }

    /**
     * Passes when {@code file} may be read, and otherwise says why not and what to type.
     *
     * @throws ConfigException with one file-level error: missing, unreadable, not a
     *                         regular file, not owned by root, or writable by group or others
     */
    public void verify(Path file) throws ConfigException {
        String source = file.toString();
        if (source.equals(ConfigLoader.STDIN)) {
            return;
        }
        Map<String, Object> attributes;
        try {
            attributes = Files.readAttributes(file, "unix:mode,uid");
        } catch (IOException e) {
            throw unreadable(source, e);
        }
        int mode = (Integer) attributes.get("mode");
        int owner = (Integer) attributes.get("uid");
        String type = switch (mode & S_IFMT) {
            case S_IFREG -> null;
            case S_IFDIR -> "a directory";
            case S_IFCHR -> "a character device";
            case S_IFBLK -> "a block device";
            case S_IFIFO -> "a FIFO";
            case S_IFSOCK -> "a socket";
            default -> "not a regular file";
        };
        if (type != null) {
            throw ConfigException.ofFile(source, "is " + type + ", not a config file: give the path of a regular file"
                    + " (or - for standard input)");
        }
        if (!requireRootOwned) {
            return;
        }
        String fix = "; fix with: chown root:root " + source + " && chmod go-w " + source;
        if (owner != 0) {
            throw ConfigException.ofFile(source, "refusing a config file owned by uid " + owner + ", not root:"
                    + " its owner could change what the daemon, running as root, serves" + fix);
        }
        if ((mode & GROUP_OR_OTHERS_WRITE) != 0) {
            throw ConfigException.ofFile(source, String.format("refusing a config file that group or others can"
                    + " write (mode %04o): they could change what the daemon, running as root, serves",
                    mode & 07777) + fix);
        }
    }

    /** The error for a file that could not be examined or read, with what to do about it. */
    static ConfigException unreadable(String source, IOException e) {
        if (e instanceof NoSuchFileException) {
            return ConfigException.ofFile(source, "no such file; create one with uproc-config > " + source
                    + " (tools/uproc-config in a source checkout)");
        }
        if (e instanceof AccessDeniedException) {
            return ConfigException.ofFile(source, "permission denied: run the daemon as root, or make the file"
                    + " and its directories readable");
        }
        return ConfigException.ofFile(source, "cannot read: " + e.getMessage());
    }

    /**
     * The effective uid of this process. Without /proc the answer is root, so that the
     * strict rules apply rather than none.
     */
    private static long effectiveUid() {
        try {
            return ProcFs.system().effectiveUid();
        } catch (IOException e) {
            return 0;
        }
    }
}
