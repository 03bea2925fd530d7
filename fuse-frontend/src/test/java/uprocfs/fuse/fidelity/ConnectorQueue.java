package uprocfs.fuse.fidelity;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A daemon's proc-connector socket as the kernel sees it, from {@code /proc/net/netlink}:
 * the bytes of events waiting in its queue ({@code Rmem}) and the events dropped because the
 * queue was full ({@code Drops}: sk_drops, which netlink_overrun counts for every event it
 * drops). Readable while the daemon is stopped, so that a test makes as much load as it
 * takes to overflow the queue, however fast the machine makes it, and knows that it did.
 *
 * <p>After the first drop the socket is congested (NETLINK_S_CONGESTED): it drops every
 * event until its queue has been read empty, which a stopped daemon never does.
 */
final class ConnectorQueue {
    /** NETLINK_CONNECTOR, the protocol column of /proc/net/netlink. */
    private static final String CONNECTOR = "11";

    /** One reading of the socket's row. */
    record Reading(long queuedBytes, long drops) {
    }

    private final long inode;

    private ConnectorQueue(long inode) {
        this.inode = inode;
    }

    /** The queue of the proc-connector socket that process {@code pid} holds. */
    static ConnectorQueue of(long pid) {
        Set<Long> sockets = socketInodes(pid);
        List<Long> found = rows().stream()
                .filter(row -> row.get("Eth").equals(CONNECTOR))
                .map(row -> Long.parseLong(row.get("Inode")))
                .filter(sockets::contains)
                .toList();
        if (found.size() != 1) {
            throw new AssertionError("process " + pid + " holds " + found.size() + " NETLINK_CONNECTOR sockets, "
                    + "not one (/proc/net/netlink)");
        }
        return new ConnectorQueue(found.get(0));
    }

    /** The socket's row now. */
    Reading read() {
        for (Map<String, String> row : rows()) {
            if (Long.parseLong(row.get("Inode")) == inode) {
                return new Reading(Long.parseLong(row.get("Rmem")), Long.parseLong(row.get("Drops")));
            }
        }
        throw new AssertionError("socket " + inode + " is gone from /proc/net/netlink");
    }

    /** The rows of /proc/net/netlink, each by its header's column names (sk, Eth, Rmem, Drops, Inode...). */
    private static List<Map<String, String>> rows() {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/net/netlink"));
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/net/netlink", e);
        }
        String[] header = lines.get(0).trim().split("\\s+");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.trim().split("\\s+");
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < header.length && i < fields.length; i++) {
                row.put(header[i], fields[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** The inodes of the sockets among {@code /proc/PID/fd}: links that read {@code socket:[INODE]}. */
    private static Set<Long> socketInodes(long pid) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && target.endsWith("]")) {
                        inodes.add(Long.parseLong(target.substring(8, target.length() - 1)));
                    }
                } catch (IOException e) {
                    // Closed while we listed: not the subscription, which lives as long as the daemon.
                }
            }
        } catch (IOException e) {
            throw new AssertionError("cannot list the descriptors of " + pid, e);
        }
        return inodes;
    }
}
