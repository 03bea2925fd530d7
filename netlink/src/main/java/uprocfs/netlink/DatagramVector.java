package uprocfs.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Room for the datagrams one {@code recvmmsg(2)} receives: a vector of {@code struct mmsghdr},
 * each with one {@code iovec} over its own slot of a data buffer, all in direct memory and set
 * up once. The kernel writes each received datagram's length into its header's
 * {@code msg_len}; the decoder then reads the slot in place.
 *
 * <p>Layout (linux/socket.h, bits/socket.h, with pointers and {@code size_t} of the
 * platform's address size P): {@code struct msghdr} is msg_name (P), msg_namelen (u32, padded
 * to P), msg_iov (P), msg_iovlen (size_t), msg_control (P), msg_controllen (size_t),
 * msg_flags (int, padded to P); {@code struct mmsghdr} appends msg_len (u32) and pads to P.
 * So 64 bytes on LP64, 32 on ILP32. {@code struct iovec} is iov_base (P), iov_len (size_t).
 */
final class DatagramVector {
    private final int slots;
    private final int slotBytes;
    private final int headerBytes;
    private final int msgLenOffset;
    private final ByteBuffer headers;
    private final ByteBuffer data;

    /**
     * @param slots     how many datagrams one call may receive
     * @param slotBytes room for each; a longer datagram is cut, and its length still shows
     *                  (the socket is read with MSG_TRUNC)
     */
    DatagramVector(Runtime runtime, int slots, int slotBytes) {
        if (slots <= 0 || slotBytes <= 0) {
            throw new IllegalArgumentException("slots and slot size must be positive: " + slots + ", " + slotBytes);
        }
        int p = runtime.addressSize();
        this.slots = slots;
        this.slotBytes = slotBytes;
        int msghdrBytes = 7 * p;
        this.msgLenOffset = msghdrBytes;
        this.headerBytes = align(msghdrBytes + Integer.BYTES, p);
        int iovecBytes = 2 * p;
        this.headers = ByteBuffer.allocateDirect(slots * (headerBytes + iovecBytes)).order(ByteOrder.nativeOrder());
        this.data = ByteBuffer.allocateDirect(slots * slotBytes).order(ByteOrder.nativeOrder());
        long headersAddress = address(runtime, headers);
        long dataAddress = address(runtime, data);
        int iovecs = slots * headerBytes;
        for (int k = 0; k < slots; k++) {
            int header = k * headerBytes;
            int iovec = iovecs + k * iovecBytes;
            putWord(p, iovec, dataAddress + (long) k * slotBytes);
            putWord(p, iovec + p, slotBytes);
            // msg_name, msg_namelen, msg_control, msg_controllen and msg_flags stay 0.
            putWord(p, header + 2 * p, headersAddress + iovec);
            putWord(p, header + 3 * p, 1);
        }
    }

    private static long address(Runtime runtime, ByteBuffer direct) {
        long address = Pointer.wrap(runtime, direct).address();
        if (address == 0) {
            throw new IllegalStateException("JNR gave no native address for a direct buffer");
        }
        return address;
    }

    private void putWord(int p, int index, long value) {
        if (p == Long.BYTES) {
            headers.putLong(index, value);
        } else {
            headers.putInt(index, (int) value);
        }
    }

    private static int align(int n, int to) {
        return (n + to - 1) / to * to;
    }

    /** How many datagrams one call may receive. */
    int slots() {
        return slots;
    }

    /** The vector to hand to recvmmsg. */
    ByteBuffer headers() {
        return headers;
    }

    /** The buffer that holds every slot; slot {@code k} starts at {@link #offset}. */
    ByteBuffer data() {
        return data;
    }

    int offset(int k) {
        return k * slotBytes;
    }

    /**
     * How many bytes of slot {@code k} hold its datagram: its length as the kernel wrote it
     * into msg_len, cut to the slot (the datagram was then truncated, which the decoder sees
     * from its own length fields).
     */
    int received(int k) {
        return (int) Math.min(Integer.toUnsignedLong(headers.getInt(k * headerBytes + msgLenOffset)), slotBytes);
    }
}
