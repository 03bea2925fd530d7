package uprocfs.fuse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import uprocfs.testing.Deadline;

/** {@code .status} on a real mount, read as scripts and shells read it, by root and by others. */
@Tag("root")
class StatusFileTest extends MountedDaemonTest {
    /** Every key, in the order scripts may rely on. */
    static final List<String> KEYS = List.of("version", "pid", "uptime_seconds", "config_file", "config_loaded",
            "namespaces", "tasks", "events_fork", "events_exec", "events_uid", "events_gid", "events_comm",
            "events_exit", "events_other", "thread_events", "datagrams", "malformed", "overflows", "resyncs",
            "resync_repairs", "audits", "audit_repairs", "audit_interval_seconds", "last_audit", "lag_p50_us",
            "lag_p99_us", "lag_max_us", "receive_buffer_bytes", "reloads", "reload_failures");
    private static final String UTC_SECOND = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";


    /** The status of the daemon mounted on {@code mnt}, checking the format on the way. */
    static Map<String, String> status(Path mnt) {
        String text;
        try {
            text = Files.readString(mnt.resolve(".status"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read .status", e);
        }
        return parse(text);
    }

    static Map<String, String> parse(String text) {
        assertTrue(text.endsWith("\n"), "ends with a newline: " + text);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            assertTrue(colon > 0, "key: value: [" + line + "]");
            values.put(line.substring(0, colon), line.substring(colon + 2));
        }
        assertEquals(KEYS, new ArrayList<>(values.keySet()));
        for (String key : KEYS) {
            if (!List.of("version", "config_file", "config_loaded", "last_audit").contains(key)) {
                assertTrue(values.get(key).matches("\\d+"), key + " is a count: " + values.get(key));
            }
        }
        assertTrue(values.get("config_loaded").matches(UTC_SECOND), values.get("config_loaded"));
        assertTrue(values.get("last_audit").equals("never") || values.get("last_audit").matches(UTC_SECOND),
                values.get("last_audit"));
        return values;
    }

    static long number(Map<String, String> status, String key) {
        return Long.parseLong(status.get(key));
    }

    @Test
    void statusDescribesTheDaemonAndItsEventCountsFollowProcesses() {
        scratch.config("uid 60131 u60131\n");
        uproc = Uproc.foreground(scratch);

        Map<String, String> first = status(scratch.mnt);
        assertEquals(Long.toString(uproc.pid()), first.get("pid"));
        assertEquals(scratch.config.toString(), first.get("config_file"));
        assertEquals("1", first.get("namespaces"));
        assertEquals("60", first.get("audit_interval_seconds"));
        assertEquals("never", first.get("last_audit"));
        assertEquals("0", first.get("reloads"));
        assertTrue(number(first, "tasks") > 0 && number(first, "receive_buffer_bytes") > 0, first.toString());

        List<Integer> started = sleepers.start(5, 60131, 60131, "sleep");
        Deadline.await("u60131 lists the sleepers", () -> {
            List<Integer> listed = pids(scratch.mnt.resolve("u60131"));
            return listed.containsAll(started) ? null : "u60131: " + listed;
        });
        sleepers.killAll();
        Deadline.await("forks and exits are counted", () -> {
            Map<String, String> now = status(scratch.mnt);
            boolean counted = number(now, "events_fork") >= number(first, "events_fork") + started.size()
                    && number(now, "events_exit") >= number(first, "events_exit") + started.size()
                    && number(now, "datagrams") > number(first, "datagrams");
            return counted ? null : "before " + first + ", now " + now;
        });
    }

    @Test
    void lsShowsItOnlyWithDashAToEveryoneAndItsSizeIsWhatIsRead() {
        scratch.config("uid 60132 u60132\n");
        uproc = Uproc.foreground(scratch, "-o", "allow_other");

        for (String[] user : new String[][] {{}, {"setpriv", "--reuid=60133", "--regid=60133", "--clear-groups"}}) {
            ProcessResult ls = as(user, "ls", scratch.mnt.toString());
            assertEquals(0, ls.exitCode(), ls.err());
            assertFalse(ls.out().contains(".status"), ls.out());
            ProcessResult lsA = as(user, "ls", "-a", scratch.mnt.toString());
            assertEquals(0, lsA.exitCode(), lsA.err());
            assertTrue(lsA.out().lines().toList().contains(".status"), lsA.out());
            ProcessResult cat = as(user, "cat", scratch.mnt.resolve(".status").toString());
            assertEquals(0, cat.exitCode(), cat.err());
            assertEquals("1", parse(cat.out()).get("namespaces"));
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
        uproc = Uproc.foreground(scratch, "-o", "rcvbuf=64K");
        assertEquals(Integer.toString(2 * 64 * 1024), status(scratch.mnt).get("receive_buffer_bytes"));
    }

    @Test
    void reloadsAndFailedReloadsAreCounted() throws IOException {
        scratch.config("uid 60134 u60134\n");
        uproc = Uproc.foreground(scratch);
        Files.writeString(scratch.config, "uid 60134 u60134\nuid 60135 u60135\n");
        uproc.signal("HUP");
        Deadline.await("the reload is counted", () -> {
            Map<String, String> now = status(scratch.mnt);
            return now.get("reloads").equals("1") && now.get("namespaces").equals("2") ? null : now.toString();
        });
        scratch.config("uid broken\n");
        uproc.signal("HUP");
        Deadline.await("the failed reload is counted", () -> {
            Map<String, String> now = status(scratch.mnt);
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
