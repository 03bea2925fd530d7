package uprocfs.fuse.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Skips the tests that mount a real filesystem unless they can: root, /dev/fuse, fusermount. */
public final class RootEnvironment {
    private RootEnvironment() {
    }

    public static void assumeRootWithFuse() {
        assumeTrue(effectiveUid() == 0, "skipped: needs root (the proc connector needs CAP_NET_ADMIN, and the "
                + "tests start processes under other uids with setpriv); run the build as root to include these tests");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "skipped: needs /dev/fuse (modprobe fuse; in a container, "
                + "--device /dev/fuse)");
        assumeTrue(onPath("fusermount") && onPath("setpriv"), "skipped: needs fusermount (package fuse) and "
                + "setpriv (util-linux)");
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The effective uid, the second field of the Uid: line of /proc/self/status. */
    public static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("/proc/self/status has no Uid: line");
    }
}
