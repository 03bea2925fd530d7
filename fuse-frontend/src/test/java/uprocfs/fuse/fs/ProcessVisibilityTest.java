package uprocfs.fuse.fs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/** Who /proc shows only their own processes, with the caller's groups read from its status file. */
class ProcessVisibilityTest {
    /** The caller, in groups 4, 24, 27 and 1000 besides its own. */
    private static final FakeProcess CAT = FakeProcess.pid(4242).ppid(4000).euid(1000).egid(1000).name("cat")
            .state("R (running)").groups(4, 24, 27, 1000);

    @TempDir
    Path proc;

    private ProcessVisibility under(String options) {
        return new ProcessVisibility(() -> HidePid.parse(options), proc);
    }

    @Test
    void rootIsNeverRestricted() {
        assertFalse(under("rw,hidepid=invisible").seesOnlyOwnProcesses(new Caller(0, 0, 1)));
    }

    @Test
    void aUserIsRestrictedOnlyUnderInvisibleOrPtraceable() {
        Caller user = new Caller(1000, 1000, 4242);
        assertFalse(under("rw").seesOnlyOwnProcesses(user));
        assertFalse(under("rw,hidepid=noaccess").seesOnlyOwnProcesses(user));
        assertTrue(under("rw,hidepid=invisible").seesOnlyOwnProcesses(user));
        assertTrue(under("rw,hidepid=ptraceable").seesOnlyOwnProcesses(user));
    }

    @Test
    void theGidGroupIsExemptWhetherPrimaryOrSupplementary() {
        new FakeProcTree(proc).add(CAT);
        Caller user = new Caller(1000, 1000, 4242);
        assertFalse(under("rw,hidepid=invisible,gid=27").seesOnlyOwnProcesses(user), "supplementary 27");
        assertTrue(under("rw,hidepid=invisible,gid=28").seesOnlyOwnProcesses(user));
        assertTrue(under("rw,hidepid=invisible,gid=2").seesOnlyOwnProcesses(user), "2 is part of 24 and 27 only");
        assertFalse(under("rw,hidepid=invisible,gid=28").seesOnlyOwnProcesses(new Caller(1000, 28, 4242)),
                "primary 28");
        assertTrue(under("rw,hidepid=invisible,gid=27").seesOnlyOwnProcesses(new Caller(1000, 1000, 4343)),
                "a caller gone before its groups were read");
    }
}
