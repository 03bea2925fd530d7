package uprocfs.fuse.it;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import uprocfs.testing.RootEnvironment;

/**
 * What a test against a real daemon sets up, and leaves nothing of: a scratch directory
 * (configuration, mountpoint, log), processes started under test uids, the daemons it
 * mounted. Whatever the test did, afterwards what it handed to {@link #closeAfter} is closed
 * (the last first), then its own process is killed, the daemons stopped and unmounted, the
 * sleepers killed and the directory removed, in that order.
 */
@Tag("root")
public abstract class MountedDaemonTest {
    protected Scratch scratch;
    protected Sleepers sleepers;
    /** The daemon {@link #mount} started last, if any. */
    protected Uproc uproc;
    /** A process the test started itself, if any: killed afterwards. */
    protected Process started;
    private final List<Uproc> daemons = new ArrayList<>();
    private final Deque<AutoCloseable> closedAfter = new ArrayDeque<>();

    @BeforeEach
    protected void scratchDirectory() {
        RootEnvironment.assumeRootWithFuse();
        scratch = new Scratch();
        sleepers = new Sleepers();
    }

    /**
     * Runs {@code uproc -f} with {@code args} on the scratch mountpoint and configuration, and
     * returns once it is mounted and populated (see {@link Uproc#foreground}).
     */
    protected Uproc mount(String... args) {
        uproc = Uproc.foreground(scratch, args);
        daemons.add(uproc);
        return uproc;
    }

    /**
     * Has {@code resource} closed after the test, before the daemons stop: what the test
     * started besides them (herds, churns, a stopped daemon to resume, /proc's options to
     * put back).
     */
    protected <T extends AutoCloseable> T closeAfter(T resource) {
        closedAfter.push(resource);
        return resource;
    }

    @AfterEach
    protected void leaveNothingBehind() throws Exception {
        Throwable failed = null;
        while (!closedAfter.isEmpty()) {
            try {
                closedAfter.pop().close();
            } catch (Exception | AssertionError e) {
                if (failed == null) {
                    failed = e;
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        try {
            if (started != null) {
                started.destroyForcibly();
                started.waitFor(10, TimeUnit.SECONDS);
            }
            daemons.forEach(Uproc::close);
        } finally {
            try {
                sleepers.close();
            } finally {
                scratch.close();
            }
        }
        if (failed instanceof AssertionError e) {
            throw e;
        }
        if (failed != null) {
            throw (Exception) failed;
        }
    }
}
