package uprocfs.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Raw datagrams kept in arrival order, to be decoded later: events that arrive while
 * {@link ProcEventSource#open} waits for the kernel's ack must not be lost, and there is no
 * batch to put them in yet. Records are [int length][bytes], 4-byte aligned, in one direct
 * buffer. When a datagram does not fit, the backlog remembers that events were lost.
 */
final class DatagramBacklog {
    private final ByteBuffer records;
    private int read;
    private int write;
    private boolean lost;

    DatagramBacklog(int capacityBytes) {
        this.records = ByteBuffer.allocateDirect(capacityBytes).order(ByteOrder.nativeOrder());
    }

    /** Copies {@code length} bytes from index 0 of {@code datagram}; marks the backlog lost if they do not fit. */
    void keep(ByteBuffer datagram, int length) {
        int record = Integer.BYTES + align4(length);
        if (write + record > records.capacity()) {
            lost = true;
            return;
        }
        records.putInt(write, length);
        records.put(write + Integer.BYTES, datagram, 0, length);
        write += record;
    }

    /** Records that events were lost while keeping (the socket overflowed). */
    void markLost() {
        lost = true;
    }

    /** Whether events were lost since the last call; clears the mark. */
    boolean takeLost() {
        boolean was = lost;
        lost = false;
        return was;
    }

    /** Points {@code decoder} at the next kept datagram; false when none is left. */
    boolean next(ProcEventDecoder decoder) {
        if (read == write) {
            return false;
        }
        int length = records.getInt(read);
        decoder.wrap(records, read + Integer.BYTES, length);
        read += Integer.BYTES + align4(length);
        return true;
    }

    /** Whether nothing is left to decode and no loss is left to report. */
    boolean isDrained() {
        return read == write && !lost;
    }

    private static int align4(int n) {
        return (n + 3) & ~3;
    }
}
