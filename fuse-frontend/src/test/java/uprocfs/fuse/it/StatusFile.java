package uprocfs.fuse.fidelity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The daemon's own counters, from the {@code .status} file at the root of the mount:
 * {@code key: value} lines (events_fork, overflows, resyncs, lag_p50_us, ...).
 */
record StatusFile(Map<String, String> values) {

    static StatusFile read(Path mnt) {
        Path file = mnt.resolve(".status");
        Map<String, String> values = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(file)) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    values.put(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file, e);
        }
        return new StatusFile(values);
    }

    /** The value of {@code key} as a number; fails naming the key when there is none. */
    long number(String key) {
        String value = values.get(key);
        if (value == null) {
            throw new AssertionError(".status has no " + key + ": " + values);
        }
        return Long.parseLong(value);
    }
}
