package uprocfs.fuse.fs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who /proc shows only their own processes, with the caller's groups read from captured status text. */
class ProcessVisibilityTest {
    /** A caller's /proc/PID/status as Linux 6 writes it, trimmed after the lines that matter. */
    private static final String STATUS = """
            Name:\tcat
            Umask:\t0022
            State:\tR (running)
            Tgid:\t4242
            Ngid:\t0
            Pid:\t4242
            PPid:\t4000
            TracerPid:\t0
            Uid:\t1000\t1000\t1000\t1000
            Gid:\t1000\t1000\t1000\t1000
            FDSize:\t256
            Groups:\t4 24 27 1000\s
            NStgid:\t4242
            """;

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
    void theGidGroupIsExemptWhetherPrimaryOrSupplementary() throws IOException {
        Files.createDirectories(proc.resolve("4242"));
        Files.writeString(proc.resolve("4242/status"), STATUS);
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
