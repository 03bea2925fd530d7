package uprocfs.core.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MountTableTest {
    private static final String MOUNTINFO = String.join("\n",
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro",
            "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
            "42 22 0:39 / /uproc rw,nosuid,nodev,relatime shared:30 master:2 - fuse.uproc uprocfs rw,user_id=0",
            "43 22 0:40 / /mnt/with\\040space rw,relatime - fuse sshfs#host: rw",
            "44 22 0:41 / /uproc rw,relatime - tmpfs tmpfs rw",
            "",
            "garbage line");

    @Test
    void findsTheMountAtAPathWithItsTypeAndSource() {
        MountTable.Mount m = MountTable.parse(MOUNTINFO).at(Path.of("/proc"));
        assertEquals("proc", m.fsType());
        assertEquals("proc", m.source());
        assertEquals("rw", m.superOptions());
        assertFalse(m.isFuse());
    }

    @Test
    void optionalFieldsOfAnyNumberAreSkipped() {
        MountTable.Mount m = MountTable.parse(MOUNTINFO.replace("44 22", "#")).at(Path.of("/uproc"));
        assertEquals("fuse.uproc", m.fsType());
        assertEquals("uprocfs", m.source());
        assertEquals("rw,user_id=0", m.superOptions());
        assertTrue(m.isFuse());
    }

    @Test
    void theLastMountAtAPathIsTheOneOnTop() {
        assertEquals("tmpfs", MountTable.parse(MOUNTINFO).at(Path.of("/uproc")).fsType());
    }

    @Test
    void octalEscapesInPathsAreUndone() {
        MountTable.Mount m = MountTable.parse(MOUNTINFO).at(Path.of("/mnt/with space"));
        assertEquals("fuse", m.fsType());
        assertTrue(m.isFuse());
        assertEquals("a\\b\tc", MountTable.unescape("a\\134b\\011c"));
        assertEquals("trailing\\04", MountTable.unescape("trailing\\04"));
    }

    @Test
    void aPathWithNothingMountedHasNoMount() {
        assertNull(MountTable.parse(MOUNTINFO).at(Path.of("/home")));
    }

    @Test
    void readsThisProcesssMountTable() throws Exception {
        assertEquals("proc", ProcFs.system().mountTable().at(ProcFs.MOUNT_POINT).fsType());
    }
}
