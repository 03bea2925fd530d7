package uprocfs.fuse.daemon;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.LagHistogram;
import uprocfs.core.stats.Metric;

/**
 * What {@code /uproc/.status} says: how the daemon is doing, one {@code key: value} per line
 * in a fixed order, so that {@code awk '$1 == "overflows:" {print $2}'} keeps working as keys
 * are added at the end. It names no process, so everyone may read it.
 *
 * <p>After five lines about the daemon itself come the counters, every {@link Metric} in its
 * order: the registry is the list, so a counter cannot be kept without being shown.
 *
 * @param version       the uproc build
 * @param pid           the daemon's pid
 * @param uptimeSeconds seconds since the daemon started
 * @param rules         the configuration in force: its file as given, or what the default is, and when it was read
 * @param counters      the counters, as the event loop last published them
 */
record DaemonStatus(String version, long pid, long uptimeSeconds, RuleSet rules, Counters.Snapshot counters) {

    /** The file's content. */
    byte[] render() {
        StringBuilder text = new StringBuilder(1024);
        line(text, "version", version);
        line(text, "pid", pid);
        line(text, "uptime_seconds", uptimeSeconds);
        line(text, "config_file", escape(rules.source()));
        line(text, "config_loaded", utc(rules.loadedAt()));
        for (Metric m : Metric.values()) {
            switch (m.type()) {
                case COUNTER, GAUGE -> line(text, m.key(), counters.get(m));
                case TIMESTAMP -> {
                    long millis = counters.get(m);
                    line(text, m.key(), millis == 0 ? "never" : utc(Instant.ofEpochMilli(millis)));
                }
                case HISTOGRAM -> {
                    LagHistogram lag = counters.lag();
                    line(text, m.key() + "_p50_us", lag.quantileMicros(0.50));
                    line(text, m.key() + "_p99_us", lag.quantileMicros(0.99));
                    line(text, m.key() + "_max_us", lag.maxNanos() / 1000);
                }
            }
        }
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
