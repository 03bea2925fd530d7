package uprocfs.core.proc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uprocfs.core.task.TaskInfo;

/** Reads through a /proc of captured files: every status read to its end, the self files. */
class ProcFsTest {
    /**
     * Captured on Linux 6.18 (Debian 12) from a program run by {@code setpriv --reuid=60401
     * --regid=60401 --groups=62000,...,63999} that started two threads and called pthread_exit
     * in main: State Z, Threads 3, and a Groups line of 12 KiB before Threads.
     */
    private static final String ZOMBIE_LEADER_2000_GROUPS = "zombie-leader-2000-groups.status";
    private static final int ZOMBIE_LEADER_PID = 4363;

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

    private String captured(String name) throws IOException {
        try (InputStream in = ProcFsTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    private void status(Object pid, String text) throws IOException {
        Path dir = Files.createDirectories(root.resolve(pid.toString()));
        Files.writeString(dir.resolve("status"), text, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aZombieLeaderWhoseGroupsFillMoreThan4KiBIsReadToItsThreadCount() throws IOException {
        String text = captured(ZOMBIE_LEADER_2000_GROUPS);
        assertTrue(text.indexOf("Threads:") > 12_000, "Threads: comes after the 12 KiB Groups: line");
        status(ZOMBIE_LEADER_PID, text);
        ProcFs proc = new ProcFs(root);

        TaskInfo t = proc.readTask(ZOMBIE_LEADER_PID);
        assertEquals(new TaskInfo(ZOMBIE_LEADER_PID, 1, 60401, 60401, "uprocleader", 3, true), t);
        assertEquals(List.of(t), proc.scan());
        assertEquals(2000, proc.groups(ZOMBIE_LEADER_PID).length);
        assertEquals(63999, proc.groups(ZOMBIE_LEADER_PID)[1999]);
    }

    @Test
    void aScanReadsSmallAndLongFilesWithOneBufferThatGrowsOnlyForTheLongOnes() throws IOException {
        status(100, SMALL.formatted(100));
        status(200, captured(ZOMBIE_LEADER_2000_GROUPS).replace("\t" + ZOMBIE_LEADER_PID + "\n", "\t200\n"));
        status(300, SMALL.formatted(300));
        assertEquals(List.of(100, 200, 300), new ProcFs(root).scan().stream().map(TaskInfo::pid).sorted().toList());

        StatusBuffer buf = new StatusBuffer();
        assertEquals(SMALL.formatted(100), buf.read(root.resolve("100/status")).toString());
        assertEquals(StatusBuffer.INITIAL_BYTES, buf.capacity(), "a common status file fits the first buffer");
        assertTrue(buf.read(root.resolve("200/status")).toString().endsWith("nonvoluntary_ctxt_switches:\t11\n"));
        assertEquals(16 * 1024, buf.capacity());
        assertEquals(SMALL.formatted(300), buf.read(root.resolve("300/status")).toString());
        assertNull(buf.read(root.resolve("400/status")), "gone");
    }

    @Test
    void aStatusFileIsReadUpTo1MiB() throws IOException {
        String longest = "Groups:\t" + "4294967294 ".repeat(65_536) + "\n";
        status(100, SMALL.formatted(100).replace("Groups:\t27 1000 \n", longest).replace("Threads:\t1", "Threads:\t7"));
        assertEquals(7, new ProcFs(root).readTask(100).threads(), "NGROUPS_MAX gids of 10 digits fit");
        assertEquals(65_536, new ProcFs(root).groups(100).length);

        status(200, "x".repeat(3 * StatusBuffer.MAX_BYTES));
        assertEquals(StatusBuffer.MAX_BYTES, new StatusBuffer().read(root.resolve("200/status")).length());
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
