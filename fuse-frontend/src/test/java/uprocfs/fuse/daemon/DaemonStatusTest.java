package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;

/** The text of .status, which scripts parse: every key, in order, in one format. */
class DaemonStatusTest {
    private static final Instant LOADED = Instant.parse("2026-01-02T03:04:05.678Z");

    /** Counters as the event loop would have written and published them. */
    private static Counters.Snapshot counters(Instant lastAudit) {
        Counters c = new Counters();
        long[][] values = {
            {Metric.NAMESPACES.ordinal(), 12}, {Metric.TASKS.ordinal(), 250}, {Metric.EVENTS_FORK.ordinal(), 100},
            {Metric.EVENTS_EXEC.ordinal(), 90}, {Metric.EVENTS_UID.ordinal(), 3}, {Metric.EVENTS_GID.ordinal(), 4},
            {Metric.EVENTS_COMM.ordinal(), 7}, {Metric.EVENTS_EXIT.ordinal(), 95},
            {Metric.EVENTS_OTHER.ordinal(), 38}, {Metric.THREAD_EVENTS.ordinal(), 40},
            {Metric.DATAGRAMS.ordinal(), 400}, {Metric.MALFORMED.ordinal(), 1}, {Metric.OVERFLOWS.ordinal(), 2},
            {Metric.RESYNCS.ordinal(), 2}, {Metric.RESYNC_REPAIRS.ordinal(), 5}, {Metric.AUDITS.ordinal(), 17},
            {Metric.AUDIT_INTERVAL_SECONDS.ordinal(), 60}, {Metric.RECEIVE_BUFFER_BYTES.ordinal(), 33554432},
            {Metric.RELOADS.ordinal(), 3}, {Metric.RELOAD_FAILURES.ordinal(), 1}, {Metric.EVENTS.ordinal(), 337},
            {Metric.DISCARDED.ordinal(), 6}, {Metric.NETLINK_ERRORS.ordinal(), 0},
        };
        for (long[] v : values) {
            c.set(Metric.values()[(int) v[0]], v[1]);
        }
        c.set(Metric.LAST_AUDIT, lastAudit == null ? 0 : lastAudit.toEpochMilli());
        // 98 events within 16 µs, one within 512 µs, the slowest 1234 µs.
        for (int i = 0; i < 98; i++) {
            c.recordLag(10_000);
        }
        c.recordLag(300_000);
        c.recordLag(1_234_000);
        c.publish();
        return c.snapshot();
    }

    private static DaemonStatus status(String configFile, Instant lastAudit) {
        return new DaemonStatus("0.1.0", 4242, 3600, new RuleSet(configFile, LOADED, List.of()), counters(lastAudit));
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
                events: 337
                discarded: 6
                netlink_errors: 0
                templated_files: 0
                templated_names_refused: 0
                templated_over_limit: 0
                exit_names: 0
                exit_names_lost: 0
                exits_unnamed: 0
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
        assertEquals(39, text.split("\n").length);
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
