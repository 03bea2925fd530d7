package uprocfs.fuse.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The daemon's own counters, from the {@code .status} file at the root of the mount, read
 * the way scripts read it: {@code key: value} lines, every key always there and in its
 * order. Every read checks that format on the way, so any test that reads a counter also
 * pins it.
 */
public record StatusFile(Map<String, String> values) {
    /** Every key, in the order scripts may rely on. */
    public static final List<String> KEYS = List.of("version", "pid", "uptime_seconds", "config_file",
            "config_loaded", "namespaces", "tasks", "events_fork", "events_exec", "events_uid", "events_gid",
            "events_comm", "events_exit", "events_other", "thread_events", "datagrams", "malformed", "overflows",
            "resyncs", "resync_repairs", "audits", "audit_repairs", "audit_interval_seconds", "last_audit",
            "lag_p50_us", "lag_p99_us", "lag_max_us", "receive_buffer_bytes", "reloads", "reload_failures",
            "events", "discarded", "netlink_errors", "templated_files", "templated_names_refused",
            "templated_over_limit", "exit_names", "exit_names_lost", "exits_unnamed");
    private static final List<String> NOT_COUNTS = List.of("version", "config_file", "config_loaded", "last_audit");
    private static final String UTC_SECOND = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    /** The status of the daemon mounted on {@code mnt}. */
    public static StatusFile read(Path mnt) {
        Path file = mnt.resolve(".status");
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
    }

    /** The status in {@code text}, as {@code cat .status} prints it. */
    public static StatusFile parse(String text) {
        assertTrue(text.endsWith("\n"), "ends with a newline: " + text);
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(": ");
            assertTrue(colon > 0, "key: value: [" + line + "]");
            values.put(line.substring(0, colon), line.substring(colon + 2));
        }
        assertEquals(KEYS, new ArrayList<>(values.keySet()));
        for (String key : KEYS) {
            if (!NOT_COUNTS.contains(key)) {
                assertTrue(values.get(key).matches("\\d+"), key + " is a count: " + values.get(key));
            }
        }
        assertTrue(values.get("config_loaded").matches(UTC_SECOND), values.get("config_loaded"));
        assertTrue(values.get("last_audit").equals("never") || values.get("last_audit").matches(UTC_SECOND),
                values.get("last_audit"));
        return new StatusFile(values);
    }

    public String get(String key) {
        return values.get(key);
    }

    /** The value of {@code key} as a number. */
    public long number(String key) {
        return Long.parseLong(values.get(key));
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
