package uprocfs.fuse.it;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import uprocfs.testing.RootEnvironment;

/**
 * What a test against a real daemon sets up, and leaves nothing of: a scratch directory
 * (configuration, mountpoint, log), processes started under test uids, the daemon. Whatever
 * the test did, afterwards the processes are killed, the daemon stopped and unmounted, and
 * the directory removed, in that order.
 */
@Tag("root")
public abstract class MountedDaemonTest {
    protected Scratch scratch;
    protected Sleepers sleepers;
    protected Uproc uproc;
    /** A process the test started itself, if any: killed afterwards. */
    protected Process started;

    @BeforeEach
    protected void scratchDirectory() {
        RootEnvironment.assumeRootWithFuse();
        scratch = new Scratch();
        sleepers = new Sleepers();
    }

    @AfterEach
    protected void leaveNothingBehind() throws InterruptedException {
        try {
            if (started != null) {
                started.destroyForcibly();
                started.waitFor(10, TimeUnit.SECONDS);
            }
            if (uproc != null) {
                uproc.close();
            }
        } finally {
            try {
                sleepers.close();
            } finally {
                scratch.close();
            }
        }
    }
}
