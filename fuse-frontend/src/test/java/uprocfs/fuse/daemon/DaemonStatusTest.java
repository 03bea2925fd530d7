package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import uprocfs.core.EngineStats;

/** The text of .status, which scripts parse: every key, in order, in one format. */
class DaemonStatusTest {
    private static final Instant LOADED = Instant.parse("2026-01-02T03:04:05.678Z");

    private static EngineStats engine() {
        Map<String, Long> events = new LinkedHashMap<>();
        events.put("fork", 100L);
        events.put("exec", 90L);
        events.put("uid", 3L);
        events.put("gid", 4L);
        events.put("sid", 5L);
        events.put("ptrace", 6L);
        events.put("comm", 7L);
        events.put("nonzero_exit", 8L);
        events.put("coredump", 9L);
        events.put("exit", 95L);
        events.put("other", 10L);
        return new EngineStats(250, 12, events, 40, 3, 1999, 17, 0, 300, 16, 512, 1234);
    }

    private static DaemonStatus status(String configFile, Instant lastAudit) {
        return new DaemonStatus("0.1.0", 4242, 3600, configFile, LOADED, engine(), 400, 1, 2, 33554432, 2, 5, 60,
                lastAudit, 3, 1);
    }

    @Test
    void everyKeyInItsPlaceWithItsValue() {
        assertEquals("""
                version: 0.1.0
                pid: 4242
                uptime_seconds: 3600
                config_file: /etc/uproc.conf
                config_loaded: 2026-01-02T03:04:05Z
                namespaces: 12
                tasks: 250
                events_fork: 100
                events_exec: 90
                events_uid: 3
                events_gid: 4
                events_comm: 7
                events_exit: 95
                events_other: 38
                thread_events: 40
                datagrams: 400
                malformed: 1
                overflows: 2
                resyncs: 2
                resync_repairs: 5
                audits: 17
                audit_repairs: 0
                audit_interval_seconds: 60
                last_audit: 2026-01-02T04:00:00Z
                lag_p50_us: 16
                lag_p99_us: 512
                lag_max_us: 1234
                receive_buffer_bytes: 33554432
                reloads: 3
                reload_failures: 1
                """, text(status("/etc/uproc.conf", Instant.parse("2026-01-02T04:00:00.999Z"))));
    }

    @Test
    void noAuditYetIsNever() {
        assertEquals("last_audit: never", line(text(status("/etc/uproc.conf", null)), "last_audit"));
    }

    @Test
    void aConfigNameWithANewlineStaysOnItsLine() {
        String text = text(status("/tmp/odd\nname\t.conf", null));
        assertEquals("config_file: /tmp/odd\\012name\\011.conf", line(text, "config_file"));
        assertEquals(30, text.split("\n").length);
        assertEquals("config_file: default (users and groups)", line(text(status("default (users and groups)",
                null)), "config_file"));
    }

    private static String text(DaemonStatus status) {
        return new String(status.render(), StandardCharsets.UTF_8);
    }

    private static String line(String text, String key) {
        for (String line : text.split("\n")) {
            if (line.startsWith(key + ": ")) {
                return line;
            }
        }
        throw new AssertionError("no " + key + " in " + text);
    }
}
