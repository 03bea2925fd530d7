package uprocfs.fuse.daemon;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import uprocfs.core.EngineStats;

/**
 * What {@code /uproc/.status} says: how the daemon is doing, one {@code key: value} per line
 * in a fixed order, so that {@code awk '$1 == "overflows:" {print $2}'} keeps working as keys
 * are added at the end. It names no process, so everyone may read it.
 *
 * @param version              the uproc build
 * @param pid                  the daemon's pid
 * @param uptimeSeconds        seconds since the daemon started
 * @param configFile           the configuration in force, as given, or what the default is
 * @param configLoaded         when that configuration was read
 * @param engine               the engine's counters
 * @param datagrams            datagrams read from the proc connector
 * @param malformed            datagrams skipped as truncated or foreign
 * @param overflows            times the socket reported lost events (ENOBUFS, NLMSG_OVERRUN)
 * @param receiveBufferBytes   the socket's receive queue, as the kernel granted it
 * @param resyncs              full /proc rescans after an overflow (not the startup scan)
 * @param resyncRepairs        differences those rescans fixed
 * @param auditIntervalSeconds seconds between audits, 0 when auditing is off
 * @param lastAudit            when the last audit ended, or {@code null}
 * @param reloads              configurations swapped in on SIGHUP
 * @param reloadFailures       SIGHUPs whose configuration had errors and was not used
 */
record DaemonStatus(String version, long pid, long uptimeSeconds, String configFile, Instant configLoaded,
                           EngineStats engine, long datagrams, long malformed, long overflows,
                           long receiveBufferBytes, long resyncs, long resyncRepairs, long auditIntervalSeconds,
                           Instant lastAudit, long reloads, long reloadFailures) {

    /** Event kinds with a line of their own; every other kind is summed into events_other. */
    private static final Set<String> OWN_LINES = Set.of("fork", "exec", "uid", "gid", "comm", "exit");

    /** The file's content. */
    byte[] render() {
        Map<String, Long> events = engine.eventsByKind();
        long other = 0;
        for (Map.Entry<String, Long> kind : events.entrySet()) {
            if (!OWN_LINES.contains(kind.getKey())) {
                other += kind.getValue();
            }
        }
        StringBuilder text = new StringBuilder(1024);
        line(text, "version", version);
        line(text, "pid", pid);
        line(text, "uptime_seconds", uptimeSeconds);
        line(text, "config_file", escape(configFile));
        line(text, "config_loaded", utc(configLoaded));
        line(text, "namespaces", engine.namespaces());
        line(text, "tasks", engine.tasks());
        for (String kind : new String[] {"fork", "exec", "uid", "gid", "comm", "exit"}) {
            line(text, "events_" + kind, events.getOrDefault(kind, 0L));
        }
        line(text, "events_other", other);
        line(text, "thread_events", engine.threadEvents());
        line(text, "datagrams", datagrams);
        line(text, "malformed", malformed);
        line(text, "overflows", overflows);
        line(text, "resyncs", resyncs);
        line(text, "resync_repairs", resyncRepairs);
        line(text, "audits", engine.audits());
        line(text, "audit_repairs", engine.auditRepairs());
        line(text, "audit_interval_seconds", auditIntervalSeconds);
        line(text, "last_audit", lastAudit == null ? "never" : utc(lastAudit));
        line(text, "lag_p50_us", engine.lagP50Micros());
        line(text, "lag_p99_us", engine.lagP99Micros());
        line(text, "lag_max_us", engine.lagMaxMicros());
        line(text, "receive_buffer_bytes", receiveBufferBytes);
        line(text, "reloads", reloads);
        line(text, "reload_failures", reloadFailures);
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder text, String key, Object value) {
        text.append(key).append(": ").append(value).append('\n');
    }

    /** ISO-8601 in UTC to the second, e.g. {@code 2026-01-02T03:04:05Z}: one width for scripts. */
    static String utc(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * A file name may hold any byte but NUL and '/'; a newline in it would split its line in
     * two. Control characters are written as mountinfo writes them, {@code \ooo}.
     */
    static String escape(String name) {
        StringBuilder out = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                out.append('\\').append((char) ('0' + (c >> 6))).append((char) ('0' + ((c >> 3) & 7)))
                        .append((char) ('0' + (c & 7)));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
