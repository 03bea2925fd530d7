package uprocfs.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import uprocfs.core.proc.ProcFs;

/**
 * What the tests against the real kernel need, checked as assumptions: a developer's build as
 * a user skips those tests with the reason, and CI, where a skip is a failure
 * ({@link SkipsFailInCi}), says what its machine lacks.
 */
public final class RootEnvironment {
    private RootEnvironment() {
    }

    /** Root, for {@code why}: e.g. "CAP_NET_ADMIN: SO_RCVBUFFORCE". */
    public static void assumeRoot(String why) {
        assumeTrue(effectiveUid() == 0, "needs root (" + why + "); run the build as root to include these tests");
    }

    /** Root, /dev/fuse, fusermount and setpriv: what a test that mounts a daemon needs. */
    public static void assumeRootWithFuse() {
        assumeRoot("the proc connector needs CAP_NET_ADMIN, and the tests start processes under other uids with "
                + "setpriv");
        assumeTrue(Files.exists(Path.of("/dev/fuse")), "needs /dev/fuse (modprobe fuse; in a container, "
                + "--device /dev/fuse)");
        assumeTrue(onPath("fusermount") && onPath("setpriv"), "needs fusermount (package fuse) and setpriv "
                + "(util-linux): tools/install-deps installs them");
    }

    /** Whether {@code command} is an executable in a directory of PATH. */
    public static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The effective uid of this process. */
    public static long effectiveUid() {
        try {
            return ProcFs.system().effectiveUid();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
