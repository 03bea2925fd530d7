package uprocfs.netlink;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Skips tests that need the real proc connector unless they run as root (CI does). */
final class RootEnvironment {
    private RootEnvironment() {
    }

    static void assumeRoot() {
        assumeTrue(effectiveUid() == 0,
            "skipped: needs root (CAP_NET_ADMIN: SO_RCVBUFFORCE, and the proc connector before Linux 6.6);"
                + " run the build as root to include these tests");
    }

    /** Kills {@code process} and what it started, and waits (up to 5 s) for it to end. */
    static void destroy(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The effective uid, the second field of the Uid: line of /proc/self/status. */
    static int effectiveUid() {
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
