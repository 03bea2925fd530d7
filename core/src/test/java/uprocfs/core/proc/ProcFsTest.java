package uprocfs.core.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads through a /proc of captured files: a caller's groups, the self files. */
class ProcFsTest {
    private static final String SMALL = """
            Name:\tsleep
            Umask:\t0022
            State:\tS (sleeping)
            Tgid:\t%1$d
            Ngid:\t0
            Pid:\t%1$d
            PPid:\t1
            TracerPid:\t0
            Uid:\t1000\t1000\t1000\t1000
            Gid:\t1000\t1000\t1000\t1000
            FDSize:\t64
            Groups:\t27 1000\s
            Threads:\t1
            """;

    @TempDir
    Path root;

    private void status(Object pid, String text) throws IOException {
        Path dir = Files.createDirectories(root.resolve(pid.toString()));
        Files.writeString(dir.resolve("status"), text, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aCallersGroupsAreItsStatussGroupsLine() throws IOException {
        status(4242, SMALL.formatted(4242));
        assertArrayEquals(new long[] {27, 1000}, new ProcFs(root).groups(4242));
    }

    @Test
    void theEffectiveUidIsReadFromSelf() throws IOException {
        status("self", SMALL.formatted(42).replace("Uid:\t1000\t1000", "Uid:\t1000\t0"));
        assertEquals(0, new ProcFs(root).effectiveUid());
        assertThrows(IOException.class, () -> new ProcFs(root.resolve("missing")).effectiveUid());
        status("self", "Name:\tx\n");
        assertThrows(IOException.class, () -> new ProcFs(root).effectiveUid());
        // /proc/self belongs to the effective uid of whoever looks: the same answer another way.
        assertEquals(((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue(),
                ProcFs.system().effectiveUid());
    }

    @Test
    void theMountTableIsSelfMountinfo() throws IOException {
        Files.createDirectories(root.resolve("self"));
        Files.writeString(root.resolve("self/mountinfo"),
                "23 22 0:21 / /proc rw,relatime shared:12 - proc proc rw,hidepid=invisible\n");
        assertEquals(root.resolve("self/mountinfo"), new ProcFs(root).mountInfoFile());
        assertEquals("rw,hidepid=invisible", new ProcFs(root).mountTable().at(ProcFs.MOUNT_POINT).superOptions());
    }

    @Test
    void aProcessThatIsGoneHasNoGroups() {
        assertArrayEquals(new long[0], new ProcFs(root).groups(4242));
    }
}
