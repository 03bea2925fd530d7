package uprocfs.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds proc connector datagrams in host byte order, as the kernel sends them. */
final class Datagram {
    /** nlmsghdr + cn_msg + sizeof(struct proc_event) on current kernels. */
    static final int EVENT_LENGTH = 76;
    static final int PROC_EVENT_LENGTH = 40;
    static final long TIMESTAMP = 123_456_789_012L;

    private final ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    private int length;

    private Datagram() {
    }

    /** A well-formed proc event of kind {@code what}, union all zero. */
    static Datagram event(int what) {
        Datagram d = new Datagram();
        d.length = EVENT_LENGTH;
        d.buffer.putInt(ProcEventDecoder.NLMSG_LEN_OFFSET, EVENT_LENGTH);
        d.buffer.putShort(ProcEventDecoder.NLMSG_TYPE_OFFSET, (short) ProcEventDecoder.NLMSG_DONE);
        d.buffer.putInt(ProcEventDecoder.CN_IDX_OFFSET, ProcEventDecoder.CN_IDX_PROC);
        d.buffer.putInt(ProcEventDecoder.CN_VAL_OFFSET, ProcEventDecoder.CN_VAL_PROC);
        d.buffer.putInt(ProcEventDecoder.CN_SEQ_OFFSET, 7);
        d.buffer.putShort(ProcEventDecoder.CN_LEN_OFFSET, (short) PROC_EVENT_LENGTH);
        d.buffer.putInt(ProcEventDecoder.WHAT_OFFSET, what);
        d.buffer.putInt(ProcEventDecoder.CPU_OFFSET, 3);
        d.buffer.putLong(ProcEventDecoder.TIMESTAMP_OFFSET, TIMESTAMP);
        return d;
    }

    /** A bare netlink message of {@code type} with {@code payload} bytes after the header. */
    static Datagram netlink(int type, int payload) {
        Datagram d = new Datagram();
        d.length = ProcEventDecoder.NLMSG_HEADER_LENGTH + payload;
        d.buffer.putInt(ProcEventDecoder.NLMSG_LEN_OFFSET, d.length);
        d.buffer.putShort(ProcEventDecoder.NLMSG_TYPE_OFFSET, (short) type);
        return d;
    }

    /** Writes {@code values} into the union, one u32 each, from its start. */
    Datagram union(int... values) {
        for (int i = 0; i < values.length; i++) {
            buffer.putInt(ProcEventDecoder.UNION_OFFSET + 4 * i, values[i]);
        }
        return this;
    }

    Datagram putInt(int offset, int value) {
        buffer.putInt(offset, value);
        return this;
    }

    Datagram putBytes(int offset, byte[] bytes) {
        buffer.put(offset, bytes);
        return this;
    }

    Datagram cnLen(int bytes) {
        buffer.putShort(ProcEventDecoder.CN_LEN_OFFSET, (short) bytes);
        return this;
    }

    Datagram nlmsgLen(int bytes) {
        buffer.putInt(ProcEventDecoder.NLMSG_LEN_OFFSET, bytes);
        return this;
    }

    /** How many bytes recv returned. */
    Datagram received(int bytes) {
        length = bytes;
        return this;
    }

    ByteBuffer buffer() {
        return buffer;
    }

    int length() {
        return length;
    }

    ProcEventDecoder decode(ProcEventDecoder decoder) {
        return decoder.wrap(buffer, 0, length);
    }
}
