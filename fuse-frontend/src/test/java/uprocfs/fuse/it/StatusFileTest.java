package uprocfs.fuse.it;

import uprocfs.testing.ProcessResult;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.testing.Deadline;

/** {@code .status} on a real mount, read as scripts and shells read it, by root and by others. */
@Tag("root")
class StatusFileTest extends MountedDaemonTest {
    @Test
    void statusDescribesTheDaemonAndItsEventCountsFollowProcesses() {
        scratch.config("uid 60131 u60131\n");
        mount();

        StatusFile first = StatusFile.read(scratch.mnt);
        assertEquals(Long.toString(uproc.pid()), first.get("pid"));
        assertEquals(scratch.config.toString(), first.get("config_file"));
        assertEquals("1", first.get("namespaces"));
        assertEquals("60", first.get("audit_interval_seconds"));
        assertEquals("never", first.get("last_audit"));
        assertEquals("0", first.get("reloads"));
        assertTrue(first.number("tasks") > 0 && first.number("receive_buffer_bytes") > 0, first.toString());

        List<Integer> started = sleepers.start(5, 60131, 60131, "sleep");
        Deadline.await("u60131 lists the sleepers", () -> {
            List<Integer> listed = pids(scratch.mnt.resolve("u60131"));
            return listed.containsAll(started) ? null : "u60131: " + listed;
        });
        sleepers.killAll();
        Deadline.await("forks and exits are counted", () -> {
            StatusFile now = StatusFile.read(scratch.mnt);
            boolean counted = now.number("events_fork") >= first.number("events_fork") + started.size()
                    && now.number("events_exit") >= first.number("events_exit") + started.size()
                    && now.number("datagrams") > first.number("datagrams");
            return counted ? null : "before " + first + ", now " + now;
        });
    }

    @Test
    void lsShowsItOnlyWithDashAToEveryoneAndItsSizeIsWhatIsRead() {
        scratch.config("uid 60132 u60132\n");
        mount("-o", "allow_other");

        for (String[] user : new String[][] {{}, {"setpriv", "--reuid=60133", "--regid=60133", "--clear-groups"}}) {
            ProcessResult ls = as(user, "ls", scratch.mnt.toString());
            assertEquals(0, ls.exitCode(), ls.err());
            assertFalse(ls.out().contains(".status"), ls.out());
            ProcessResult lsA = as(user, "ls", "-a", scratch.mnt.toString());
            assertEquals(0, lsA.exitCode(), lsA.err());
            assertTrue(lsA.out().lines().toList().contains(".status"), lsA.out());
            ProcessResult cat = as(user, "cat", scratch.mnt.resolve(".status").toString());
            assertEquals(0, cat.exitCode(), cat.err());
            assertEquals("1", StatusFile.parse(cat.out()).get("namespaces"));
        }

        // The counters move between two opens, so stat, read and stat again until nothing moved.
        Path status = scratch.mnt.resolve(".status");
        Deadline.await("stat -c %s equals the bytes read", () -> {
            ProcessResult r = ProcessResult.of("sh", "-c", "stat -c %s " + status + "; wc -c < " + status
                    + "; stat -c %s " + status);
            List<String> sizes = r.out().lines().map(String::trim).toList();
            return sizes.size() == 3 && sizes.get(0).equals(sizes.get(1)) && sizes.get(1).equals(sizes.get(2))
                    ? null : r.toString();
        });
    }

    @Test
    void theReceiveBufferAskedForWithRcvbufIsGrantedDoubledAsTheKernelCountsIt() {
        scratch.config("uid 60130 u60130\n");
        mount("-o", "rcvbuf=64K");
        assertEquals(Integer.toString(2 * 64 * 1024), StatusFile.read(scratch.mnt).get("receive_buffer_bytes"));
    }

    @Test
    void reloadsAndFailedReloadsAreCounted() throws IOException {
        scratch.config("uid 60134 u60134\n");
        mount();
        Files.writeString(scratch.config, "uid 60134 u60134\nuid 60135 u60135\n");
        uproc.signal("HUP");
        Deadline.await("the reload is counted", () -> {
            StatusFile now = StatusFile.read(scratch.mnt);
            return now.get("reloads").equals("1") && now.get("namespaces").equals("2") ? null : now.toString();
        });
        scratch.config("uid broken\n");
        uproc.signal("HUP");
        Deadline.await("the failed reload is counted", () -> {
            StatusFile now = StatusFile.read(scratch.mnt);
            return now.get("reload_failures").equals("1") && now.get("reloads").equals("1") ? null : now.toString();
        });
    }

    private static ProcessResult as(String[] user, String... command) {
        List<String> all = new ArrayList<>(List.of(user));
        all.addAll(List.of(command));
        return ProcessResult.of(all);
    }

    private static List<Integer> pids(Path file) {
        try {
            List<Integer> pids = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                pids.add(Integer.parseInt(line));
            }
            return pids;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }
}
