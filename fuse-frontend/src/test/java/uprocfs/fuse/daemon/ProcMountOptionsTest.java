package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import uprocfs.core.proc.ProcFs;
import uprocfs.fuse.fs.HidePid;

/** /proc's hidepid options from captured mountinfo, re-read every few seconds and no more often. */
class ProcMountOptionsTest {
    private static final String ROOT = "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n";
    private static final String PROC_PLAIN = "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n";
    private static final String PROC_HIDDEN =
            "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=invisible,gid=27\n";
    /** A container's /proc, with something mounted over one of its files: the mount at /proc itself counts. */
    private static final String PROC_WITH_SUBMOUNT = "23 22 0:21 / /proc rw,relatime - proc proc rw,hidepid=2\n"
            + "24 23 0:22 /null /proc/kcore rw,nosuid - tmpfs tmpfs rw,mode=755\n";

    @TempDir
    Path dir;

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final DaemonLog log = DaemonLog.forCommand(new PrintStream(logged, true, StandardCharsets.UTF_8));
    private long now = 1_000_000_000L;

    /** A /proc at {@code dir} whose self/mountinfo is {@code text}. */
    private Path mountinfo(String text) throws IOException {
        Files.writeString(Files.createDirectories(dir.resolve("self")).resolve("mountinfo"), text);
        return dir;
    }

    private ProcMountOptions options(Path procRoot) {
        return new ProcMountOptions(new ProcFs(procRoot), log, () -> now);
    }

    private String log() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheOptionsOfTheMountAtProc() throws IOException {
        assertEquals(HidePid.NONE, options(mountinfo(ROOT + PROC_PLAIN)).get());
        assertEquals(new HidePid(HidePid.INVISIBLE, 27), options(mountinfo(ROOT + PROC_HIDDEN)).get());
        assertEquals(new HidePid(HidePid.INVISIBLE, HidePid.NO_GID), options(mountinfo(ROOT + PROC_WITH_SUBMOUNT)).get());
    }

    @Test
    void aRemountIsSeenAfterTheRefreshIntervalAndNotBefore() throws IOException {
        Path proc = mountinfo(ROOT + PROC_PLAIN);
        ProcMountOptions options = options(proc);
        assertEquals(HidePid.NONE, options.get());
        assertEquals("", log(), "nothing hidden at startup, nothing to say");

        mountinfo(ROOT + PROC_HIDDEN);
        now += ProcMountOptions.REFRESH.toNanos() - 1;
        assertEquals(HidePid.NONE, options.get(), "still the options read less than the refresh interval ago");
        now += 1;
        assertEquals(new HidePid(HidePid.INVISIBLE, 27), options.get());
        assertTrue(log().contains("/proc is mounted with hidepid=2,gid=27: users other than root, except members of "
                + "group 27, see only their own processes in the files"), log());

        mountinfo(ROOT + PROC_PLAIN);
        now += ProcMountOptions.REFRESH.toNanos();
        assertEquals(HidePid.NONE, options.get());
        assertTrue(log().contains("/proc is mounted with hidepid=0: every user sees every process"), log());
    }

    @Test
    void optionsThatCannotBeReadHideOtherUsersAndAreLoggedOnce() throws IOException {
        ProcMountOptions options = options(dir.resolve("missing"));
        assertEquals(HidePid.INVISIBLE, options.get().level());
        now += ProcMountOptions.REFRESH.toNanos();
        assertEquals(HidePid.INVISIBLE, options.get().level());
        assertEquals(1, log().split("\n").length, log());
        assertTrue(log().startsWith("uproc: error: cannot read " + dir.resolve("missing/self/mountinfo") + ": No such file or "
                + "directory; until /proc's hidepid option can be read, users other than root see only their own "
                + "processes in the files"), log());

        ProcMountOptions noProc = options(mountinfo(ROOT));
        assertEquals(HidePid.INVISIBLE, noProc.get().level());
        assertTrue(log().contains("nothing is mounted at /proc in "), log());
    }
}
