package uprocfs.fuse.daemon;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import uprocfs.core.proc.MountTable;
import uprocfs.core.proc.ProcFs;
import uprocfs.fuse.ExitCode;
import uprocfs.fuse.StartFailure;

/**
 * The directory the filesystem is mounted on: the checks before mounting, the reclaiming of
 * a mount left dead by a killed daemon, and the unmount.
 *
 * <p>A FUSE mount whose daemon died stays in the mount table, and every access to it fails
 * with ENOTCONN ("Transport endpoint is not connected") until someone unmounts it. libfuse
 * would refuse to mount over it, so such a mount is detached ({@code fusermount -u -z})
 * before starting.
 */
public final class MountPoint {
    private static final long FUSERMOUNT_TIMEOUT_SECONDS = 10;

    private final String given;
    private Path path;

    private MountPoint(String given, Path path) {
        this.given = given;
        this.path = path;
    }

    /** The mountpoint named on the command line, made absolute (nothing is checked yet). */
    public static MountPoint of(String given) {
        return new MountPoint(given, Path.of(given).toAbsolutePath().normalize());
    }

    /** The absolute path; after {@link #prepare} with every symbolic link resolved, as the mount table shows it. */
    public Path path() {
        return path;
    }

    /**
     * Makes sure the filesystem can be mounted here: reclaims a dead FUSE mount, refuses a
     * missing or non-directory path, a live FUSE mount and (unless {@code nonEmptyAllowed})
     * a directory with files in it, each with a message that says what to do.
     */
    public void prepare(boolean nonEmptyAllowed, DaemonLog log) throws StartFailure {
        Path real = realPath();
        MountTable.Mount mounted = readMountTable().at(real);
        if (mounted != null && mounted.isFuse()) {
            IOException dead = statFailure(real);
            if (dead == null) {
                throw new StartFailure(ExitCode.MOUNT, real + " is already mounted (" + mounted
                        + "): is uproc already running there? Unmount it first with: fusermount -u " + real);
            }
            reclaim(real, mounted, dead, log);
        }
        if (!Files.isDirectory(real)) {
            throw new StartFailure(ExitCode.MOUNT, "mountpoint " + given + " is not a directory: "
                    + "mount on an empty directory, e.g. mkdir -p /uproc");
        }
        if (!nonEmptyAllowed && !isEmpty(real)) {
            throw new StartFailure(ExitCode.MOUNT, "mountpoint " + real + " is not empty: its files would be hidden "
                    + "while mounted; choose an empty directory, or add -o nonempty to mount over them");
        }
        path = real;
    }

    /**
     * The path with symbolic links resolved, as the mount table shows it. A dead mount cannot
     * be resolved itself (ENOTCONN), so then only its parent is.
     */
    private Path realPath() throws StartFailure {
        try {
            return path.toRealPath();
        } catch (NoSuchFileException e) {
            throw new StartFailure(ExitCode.MOUNT, "mountpoint " + given + " does not exist: create it with: mkdir -p "
                    + path);
        } catch (IOException e) {
            if (path.getParent() != null) {
                try {
                    return path.getParent().toRealPath().resolve(path.getFileName());
                } catch (IOException parent) {
                    e.addSuppressed(parent);
                }
            }
            throw new StartFailure(ExitCode.MOUNT, "cannot use mountpoint " + given + ": " + SystemError.describe(e), e);
        }
    }

    /** Why stat fails on {@code path}, or {@code null} when it works. */
    private static IOException statFailure(Path path) {
        try {
            Files.readAttributes(path, BasicFileAttributes.class);
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    /**
     * Detaches a FUSE mount whose daemon is gone: the kernel keeps it, failing every access
     * with ENOTCONN, until it is unmounted.
     */
    private static void reclaim(Path real, MountTable.Mount dead, IOException failure, DaemonLog log)
            throws StartFailure {
        String output = fusermount("-u", "-z", real.toString());
        if (output != null) {
            throw new StartFailure(ExitCode.MOUNT, real + " is a dead FUSE mount (" + SystemError.describe(failure)
                    + ") and fusermount -u -z could not detach it: " + output);
        }
        log.info("reclaimed " + real + ": the daemon that served " + dead + " there is gone ("
                + SystemError.describe(failure) + "); detached it with fusermount -u -z");
    }

    private static MountTable readMountTable() throws StartFailure {
        try {
            return ProcFs.system().mountTable();
        } catch (IOException e) {
            throw new StartFailure(ExitCode.MOUNT, "cannot read the mount table: " + SystemError.describe(e), e);
        }
    }

    private static boolean isEmpty(Path dir) throws StartFailure {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new StartFailure(ExitCode.MOUNT, "cannot list mountpoint " + dir + ": " + SystemError.describe(e), e);
        }
    }

    /** The device of whatever is at the mountpoint now: it changes when the mount goes live. */
    public long device() throws IOException {
        return ((Number) Files.getAttribute(path, "unix:dev")).longValue();
    }

    /**
     * Unmounts: {@code fusermount -u}, and when that fails (EBUSY: a shell has its working
     * directory inside) a lazy {@code fusermount -u -z}, which detaches it from the tree at
     * once and lets the last user finish.
     */
    public void unmount(DaemonLog log) {
        String failure = fusermount("-u", path.toString());
        if (failure == null) {
            return;
        }
        log.info("fusermount -u " + path + " failed (" + failure + "); detaching lazily with fusermount -u -z");
        String lazy = fusermount("-u", "-z", path.toString());
        if (lazy != null) {
            log.error("fusermount -u -z " + path + " failed too: " + lazy);
        }
    }

    /** Runs fusermount; {@code null} on success, else what it said (or why it did not run). */
    private static String fusermount(String... args) {
        List<String> command = new ArrayList<>();
        command.add("fusermount");
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            // Its one-line message fits in the pipe, so waiting before reading cannot block it.
            if (!p.waitFor(FUSERMOUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "fusermount did not finish within " + FUSERMOUNT_TIMEOUT_SECONDS + " s";
            }
            if (p.exitValue() == 0) {
                return null;
            }
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "exit status " + p.exitValue() : text;
        } catch (IOException e) {
            return "cannot run fusermount (" + SystemError.describe(e) + "): install the fuse package";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
