package uprocfs.fuse.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A test's own directory: the mountpoint {@code mnt}, the configuration, the log, and a
 * copy of sleep with a name of its own for cmd rules. {@link #close()} leaves nothing
 * behind, whatever the test did: it kills every process whose command line names this
 * directory (a daemon the test lost track of), detaches a mount still there, and deletes
 * the tree.
 */
public final class Scratch implements AutoCloseable {
    /** The command name of {@link #napper()}: at most 15 bytes, so it is the whole comm. */
    public static final String NAPPER = "uprocnap";

    public final Path dir;
    public final Path mnt;
    public final Path config;
    public final Path log;

    public Scratch() {
        try {
            dir = Files.createTempDirectory("uproc-it-");
            // Other users (setpriv in the isolation test, the sleepers) must get through.
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            mnt = Files.createDirectory(dir.resolve("mnt"));
            Files.setPosixFilePermissions(mnt, PosixFilePermissions.fromString("rwxr-xr-x"));
            config = dir.resolve("uproc.conf");
            log = dir.resolve("uproc.log");
        } catch (IOException e) {
            throw new AssertionError("cannot create a scratch directory", e);
        }
    }

    /** Writes the configuration (root's, 0644: what the daemon accepts from root). */
    public Scratch config(String text) {
        try {
            Files.writeString(config, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new AssertionError("cannot write " + config, e);
        }
        return this;
    }

    /** A copy of sleep named {@value #NAPPER}, runnable by anyone. */
    public String napper() {
        return napper(NAPPER);
    }

    /** A copy of sleep named {@code name} (its comm, up to 15 bytes), runnable by anyone. */
    public String napper(String name) {
        Path napper = dir.resolve(name);
        try {
            if (!Files.exists(napper)) {
                Files.copy(Path.of("/bin/sleep"), napper, StandardCopyOption.COPY_ATTRIBUTES);
                Files.setPosixFilePermissions(napper, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot copy /bin/sleep to " + napper, e);
        }
        return napper.toString();
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Whether a mount sits on {@link #mnt}, from /proc/self/mountinfo. */
    public boolean mounted() {
        String where = " " + mnt + " ";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(where)) {
                    return true;
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/self/mountinfo", e);
        }
        return false;
    }

    /** PIDs of the processes whose command line mentions this directory. */
    public List<Long> processesUsingIt() {
        List<Long> pids = new ArrayList<>();
        byte[] needle = dir.toString().getBytes(StandardCharsets.UTF_8);
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : entries) {
                long pid = Long.parseLong(p.getFileName().toString());
                if (pid != ProcessHandle.current().pid() && contains(readQuietly(p.resolve("cmdline")), needle)) {
                    pids.add(pid);
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
        return pids;
    }

    private static byte[] readQuietly(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void close() {
        for (long pid : processesUsingIt()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        if (mounted()) {
            try {
                new ProcessBuilder("fusermount", "-u", "-z", mnt.toString()).inheritIO().start()
                        .waitFor(10, TimeUnit.SECONDS);
            } catch (IOException e) {
                throw new AssertionError("cannot run fusermount -u -z " + mnt, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot delete " + dir, e);
        }
    }
}
