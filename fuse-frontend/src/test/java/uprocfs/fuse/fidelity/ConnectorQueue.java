package uprocfs.fuse.fidelity;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
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
        List<String[]> rows = rows();
        String[] header = rows.get(0);
        int eth = column(header, "Eth");
        int inodeColumn = column(header, "Inode");
        Long found = null;
        for (String[] row : rows.subList(1, rows.size())) {
            long inode = Long.parseLong(row[inodeColumn]);
            if (row[eth].equals(CONNECTOR) && sockets.contains(inode)) {
                if (found != null) {
                    throw new AssertionError("process " + pid + " holds more than one NETLINK_CONNECTOR socket");
                }
                found = inode;
            }
        }
        if (found == null) {
            throw new AssertionError("process " + pid + " holds no NETLINK_CONNECTOR socket (/proc/net/netlink)");
        }
        return new ConnectorQueue(found);
    }

    /** The socket's row now. */
    Reading read() {
        List<String[]> rows = rows();
        String[] header = rows.get(0);
        int inodeColumn = column(header, "Inode");
        for (String[] row : rows.subList(1, rows.size())) {
            if (Long.parseLong(row[inodeColumn]) == inode) {
                return new Reading(Long.parseLong(row[column(header, "Rmem")]),
                        Long.parseLong(row[column(header, "Drops")]));
            }
        }
        throw new AssertionError("socket " + inode + " is gone from /proc/net/netlink");
    }

    private static List<String[]> rows() {
        try {
            return Files.readAllLines(Path.of("/proc/net/netlink")).stream().map(l -> l.trim().split("\\s+")).toList();
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/net/netlink", e);
        }
    }

    private static int column(String[] header, String name) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        throw new AssertionError("/proc/net/netlink has no column " + name + ": " + String.join(" ", header));
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
