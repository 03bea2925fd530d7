package uprocfs.netlink;

import java.nio.ByteBuffer;

/**
 * Encodes the one request the proc connector understands: {@code nlmsghdr} (type
 * NLMSG_DONE) + {@code cn_msg} (idx CN_IDX_PROC, val CN_VAL_PROC, len 4) + a u32
 * {@code enum proc_cn_mcast_op}. A len of 4 (rather than 8, {@code struct proc_input}) asks
 * for every event kind, which is what kernels before 6.6 understand too.
 */
final class McastRequest {
    /** Start sending events to this socket. */
    static final int PROC_CN_MCAST_LISTEN = 1;
    /** Stop: without it, kernels before 6.6 keep counting this socket as a listener. */
    static final int PROC_CN_MCAST_IGNORE = 2;

    static final int LENGTH = ProcEventDecoder.CN_DATA_OFFSET + Integer.BYTES;

    private McastRequest() {
    }

    /**
     * Writes the request at index 0 of {@code buffer} (native order) and returns its length.
     * The kernel answers with an ack (what = 0) whose cn_msg.ack is {@code ack + 1}.
     */
    static int encode(ByteBuffer buffer, int op, int seq, int ack, int portId) {
        buffer.putInt(ProcEventDecoder.NLMSG_LEN_OFFSET, LENGTH);
        buffer.putShort(ProcEventDecoder.NLMSG_TYPE_OFFSET, (short) ProcEventDecoder.NLMSG_DONE);
        buffer.putShort(ProcEventDecoder.NLMSG_FLAGS_OFFSET, (short) 0);
        buffer.putInt(ProcEventDecoder.NLMSG_SEQ_OFFSET, seq);
        buffer.putInt(ProcEventDecoder.NLMSG_PID_OFFSET, portId);
        buffer.putInt(ProcEventDecoder.CN_IDX_OFFSET, ProcEventDecoder.CN_IDX_PROC);
        buffer.putInt(ProcEventDecoder.CN_VAL_OFFSET, ProcEventDecoder.CN_VAL_PROC);
        buffer.putInt(ProcEventDecoder.CN_SEQ_OFFSET, seq);
        buffer.putInt(ProcEventDecoder.CN_ACK_OFFSET, ack);
        buffer.putShort(ProcEventDecoder.CN_LEN_OFFSET, (short) Integer.BYTES);
        buffer.putShort(ProcEventDecoder.CN_FLAGS_OFFSET, (short) 0);
        buffer.putInt(ProcEventDecoder.CN_DATA_OFFSET, op);
        return LENGTH;
    }

    /** The name of {@code op} for messages. */
    static String name(int op) {
        return op == PROC_CN_MCAST_LISTEN ? "PROC_CN_MCAST_LISTEN" : "PROC_CN_MCAST_IGNORE";
    }
}
