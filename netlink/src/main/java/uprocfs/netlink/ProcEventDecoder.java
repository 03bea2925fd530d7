package uprocfs.netlink;

import java.nio.ByteBuffer;

import uprocfs.core.event.EventBatch;
import uprocfs.core.event.EventKind;

/**
 * A flyweight over one datagram of the proc connector: {@code nlmsghdr} (16 bytes) +
 * {@code cn_msg} (20 bytes) + {@code proc_event} (include/uapi/linux/cn_proc.h), all in host
 * byte order. {@link #wrap} classifies the datagram once; the accessors read fields at fixed
 * offsets straight from the buffer. Nothing allocates, so one decoder serves every datagram.
 *
 * <p>The buffer must be in {@link java.nio.ByteOrder#nativeOrder() native order}. Accessors
 * of a kind's union are meaningful only when {@link #kind()} is {@link DatagramKind#PROC_EVENT}
 * (or {@link DatagramKind#ACK} for {@link #ackError()}) and {@link #what()} is that kind.
 */
public final class ProcEventDecoder {
    /** struct nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid. */
    public static final int NLMSG_LEN_OFFSET = 0;
    public static final int NLMSG_TYPE_OFFSET = 4;
    public static final int NLMSG_FLAGS_OFFSET = 6;
    public static final int NLMSG_SEQ_OFFSET = 8;
    public static final int NLMSG_PID_OFFSET = 12;
    public static final int NLMSG_HEADER_LENGTH = 16;
    /** NLMSG_ERROR carries a negative errno right after the header. */
    public static final int NLMSG_ERROR_CODE_OFFSET = 16;

    /** struct cn_msg: cb_id {u32 idx, u32 val}, u32 seq, u32 ack, u16 len, u16 flags. */
    public static final int CN_IDX_OFFSET = 16;
    public static final int CN_VAL_OFFSET = 20;
    public static final int CN_SEQ_OFFSET = 24;
    public static final int CN_ACK_OFFSET = 28;
    public static final int CN_LEN_OFFSET = 32;
    public static final int CN_FLAGS_OFFSET = 34;
    /** Where cn_msg's payload (the proc_event, or a request's op) starts. */
    public static final int CN_DATA_OFFSET = 36;

    /** struct proc_event: u32 what, u32 cpu, u64 timestamp_ns, then the union. */
    public static final int WHAT_OFFSET = 36;
    public static final int CPU_OFFSET = 40;
    public static final int TIMESTAMP_OFFSET = 44;
    public static final int UNION_OFFSET = 52;
    public static final int PROC_EVENT_HEADER_LENGTH = UNION_OFFSET - CN_DATA_OFFSET;

    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    /** The connector sends every message with this type (cn_netlink_send_mult). */
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    /** proc_event.what values (enum what in include/uapi/linux/cn_proc.h). */
    public static final int WHAT_NONE = 0x0;
    public static final int WHAT_FORK = 0x1;
    public static final int WHAT_EXEC = 0x2;
    public static final int WHAT_UID = 0x4;
    public static final int WHAT_GID = 0x40;
    public static final int WHAT_SID = 0x80;
    public static final int WHAT_PTRACE = 0x100;
    public static final int WHAT_COMM = 0x200;
    public static final int WHAT_NONZERO_EXIT = 0x20000000;
    public static final int WHAT_COREDUMP = 0x40000000;
    public static final int WHAT_EXIT = 0x80000000;

    /** cb_id of the proc connector: CN_IDX_PROC, CN_VAL_PROC. */
    public static final int CN_IDX_PROC = 1;
    public static final int CN_VAL_PROC = 1;

    // Offsets inside the union. Every member but fork and ack starts with pid, tgid.
    private static final int PID = UNION_OFFSET;
    private static final int TGID = UNION_OFFSET + 4;
    private static final int FORK_PARENT_PID = UNION_OFFSET;
    private static final int FORK_PARENT_TGID = UNION_OFFSET + 4;
    private static final int FORK_CHILD_PID = UNION_OFFSET + 8;
    private static final int FORK_CHILD_TGID = UNION_OFFSET + 12;
    private static final int ID_REAL = UNION_OFFSET + 8;
    private static final int ID_EFFECTIVE = UNION_OFFSET + 12;
    private static final int COMM = UNION_OFFSET + 8;
    private static final int EXIT_CODE = UNION_OFFSET + 8;
    private static final int EXIT_SIGNAL = UNION_OFFSET + 12;
    private static final int ACK_ERROR = UNION_OFFSET;
    /** comm[TASK_COMM_LEN] of the comm event: NUL-padded. */
    private static final int COMM_FIELD_BYTES = 16;

    private ByteBuffer buffer;
    private int offset;
    private DatagramKind kind = DatagramKind.TRUNCATED;

    /**
     * Points the decoder at the datagram of {@code length} bytes at {@code offset} in
     * {@code buffer} and classifies it; see {@link #kind()}.
     */
    public ProcEventDecoder wrap(ByteBuffer buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        this.kind = classify(length);
        return this;
    }

    /** What the wrapped datagram is; anything {@link DatagramKind#isMalformed() malformed} is to be skipped. */
    public DatagramKind kind() {
        return kind;
    }

    private DatagramKind classify(int length) {
        if (length < NLMSG_HEADER_LENGTH) {
            return DatagramKind.TRUNCATED;
        }
        long messageLength = Integer.toUnsignedLong(nlmsgLen());
        if (messageLength < NLMSG_HEADER_LENGTH || messageLength > length) {
            return DatagramKind.TRUNCATED;
        }
        switch (nlmsgType()) {
            case NLMSG_DONE:
                break;
            case NLMSG_ERROR:
                return messageLength < NLMSG_ERROR_CODE_OFFSET + Integer.BYTES
                    ? DatagramKind.TRUNCATED : DatagramKind.NETLINK_ERROR;
            case NLMSG_OVERRUN:
                return DatagramKind.NETLINK_OVERRUN;
            case NLMSG_NOOP:
                return DatagramKind.NETLINK_NOOP;
            default:
                return DatagramKind.FOREIGN;
        }
        if (messageLength < CN_DATA_OFFSET) {
            return DatagramKind.TRUNCATED;
        }
        if (cnIdx() != CN_IDX_PROC || cnVal() != CN_VAL_PROC) {
            return DatagramKind.FOREIGN;
        }
        int payload = cnLen();
        if (CN_DATA_OFFSET + payload > messageLength || payload < PROC_EVENT_HEADER_LENGTH) {
            return DatagramKind.TRUNCATED;
        }
        int what = what();
        if (payload - PROC_EVENT_HEADER_LENGTH < unionBytesRead(what)) {
            return DatagramKind.TRUNCATED;
        }
        return what == WHAT_NONE ? DatagramKind.ACK : DatagramKind.PROC_EVENT;
    }

    /**
     * The bytes of the union this decoder reads for {@code what}. Kernels send the whole
     * union (cn_msg.len = sizeof(struct proc_event)), but members grew over time: exit gained
     * parent_pid/parent_tgid and coredump its parent fields in 4.x, which are not read here.
     */
    private static int unionBytesRead(int what) {
        return switch (what) {
            case WHAT_NONE -> 4;
            case WHAT_FORK, WHAT_UID, WHAT_GID, WHAT_EXIT -> 16;
            case WHAT_COMM -> 8 + COMM_FIELD_BYTES;
            case WHAT_EXEC, WHAT_SID, WHAT_PTRACE, WHAT_COREDUMP, WHAT_NONZERO_EXIT -> 8;
            default -> 0;
        };
    }

    /**
     * Appends the wrapped event to {@code batch} as plain values: the engine's
     * {@link EventKind}, and for COMM the name without the kernel's NUL padding. Kinds that
     * change no set go in as {@link EventBatch#other}: with pid and tgid for the kinds
     * cn_proc.h defines, 0 and 0 for a {@code what} this decoder does not know.
     *
     * @throws IllegalStateException if the datagram is not a {@link DatagramKind#PROC_EVENT}
     *     or the batch is full
     */
    public void appendTo(EventBatch batch) {
        if (kind != DatagramKind.PROC_EVENT) {
            throw new IllegalStateException("not a proc event: " + kind);
        }
        int what = what();
        long ts = timestampNanos();
        switch (what) {
            case WHAT_FORK -> batch.fork(forkParentTgid(), forkChildPid(), forkChildTgid(), ts);
            case WHAT_EXEC -> batch.exec(pid(), tgid(), ts);
            case WHAT_UID -> batch.uid(pid(), tgid(), effectiveId(), ts);
            case WHAT_GID -> batch.gid(pid(), tgid(), effectiveId(), ts);
            case WHAT_COMM -> batch.comm(pid(), tgid(), buffer, commIndex(), commLength(), ts);
            case WHAT_EXIT -> batch.exit(pid(), tgid(), exitCode(), ts);
            case WHAT_SID, WHAT_PTRACE, WHAT_COREDUMP, WHAT_NONZERO_EXIT -> batch.other(kindOf(what), pid(), tgid(), ts);
            default -> batch.other(EventKind.OTHER, 0, 0, ts);
        }
    }

    /** The engine's {@link EventKind} for a proc_event {@code what}. */
    public static int kindOf(int what) {
        return switch (what) {
            case WHAT_FORK -> EventKind.FORK;
            case WHAT_EXEC -> EventKind.EXEC;
            case WHAT_UID -> EventKind.UID;
            case WHAT_GID -> EventKind.GID;
            case WHAT_COMM -> EventKind.COMM;
            case WHAT_EXIT -> EventKind.EXIT;
            case WHAT_SID -> EventKind.SID;
            case WHAT_PTRACE -> EventKind.PTRACE;
            case WHAT_COREDUMP -> EventKind.COREDUMP;
            case WHAT_NONZERO_EXIT -> EventKind.NONZERO_EXIT;
            default -> EventKind.OTHER;
        };
    }

    /**
     * COMM: the length of the new name, up to the first NUL of the 16-byte field and at most
     * 15 bytes, whatever the kernel (or a corrupt datagram) sent.
     */
    public int commLength() {
        int at = commIndex();
        int limit = Math.min(COMM_FIELD_BYTES - 1, Math.max(0, buffer.limit() - at));
        int len = 0;
        while (len < limit && buffer.get(at + len) != 0) {
            len++;
        }
        return len;
    }

    public int nlmsgLen() {
        return buffer.getInt(offset + NLMSG_LEN_OFFSET);
    }

    public int nlmsgType() {
        return buffer.getShort(offset + NLMSG_TYPE_OFFSET) & 0xFFFF;
    }

    /** The (negative) errno of an NLMSG_ERROR message; 0 is a plain acknowledgement. */
    public int netlinkErrorCode() {
        return buffer.getInt(offset + NLMSG_ERROR_CODE_OFFSET);
    }

    public int cnIdx() {
        return buffer.getInt(offset + CN_IDX_OFFSET);
    }

    public int cnVal() {
        return buffer.getInt(offset + CN_VAL_OFFSET);
    }

    public int cnSeq() {
        return buffer.getInt(offset + CN_SEQ_OFFSET);
    }

    public int cnAck() {
        return buffer.getInt(offset + CN_ACK_OFFSET);
    }

    /** cn_msg.len: the bytes of payload after the cn_msg header. */
    public int cnLen() {
        return buffer.getShort(offset + CN_LEN_OFFSET) & 0xFFFF;
    }

    /** The event's kind on the wire, a {@code WHAT_} value. */
    public int what() {
        return buffer.getInt(offset + WHAT_OFFSET);
    }

    public int cpu() {
        return buffer.getInt(offset + CPU_OFFSET);
    }

    /** When the kernel made the event, in ns since boot (ktime_get_ns, CLOCK_MONOTONIC). */
    public long timestampNanos() {
        return buffer.getLong(offset + TIMESTAMP_OFFSET);
    }

    /** The positive errno of an {@link DatagramKind#ACK}; 0 means the request was accepted. */
    public int ackError() {
        return buffer.getInt(offset + ACK_ERROR);
    }

    public int forkParentPid() {
        return buffer.getInt(offset + FORK_PARENT_PID);
    }

    public int forkParentTgid() {
        return buffer.getInt(offset + FORK_PARENT_TGID);
    }

    /** The new task's id; differs from {@link #forkChildTgid()} when the new task is a thread. */
    public int forkChildPid() {
        return buffer.getInt(offset + FORK_CHILD_PID);
    }

    public int forkChildTgid() {
        return buffer.getInt(offset + FORK_CHILD_TGID);
    }

    /** The task (thread id) of every kind but FORK and the ack. */
    public int pid() {
        return buffer.getInt(offset + PID);
    }

    /** The thread group (process id) of every kind but FORK and the ack. */
    public int tgid() {
        return buffer.getInt(offset + TGID);
    }

    /** UID: the new real uid; GID: the new real gid. */
    public int realId() {
        return buffer.getInt(offset + ID_REAL);
    }

    /** UID: the new effective uid; GID: the new effective gid. */
    public int effectiveId() {
        return buffer.getInt(offset + ID_EFFECTIVE);
    }

    /** COMM: where the 16-byte name field starts, as an absolute index into the buffer. */
    public int commIndex() {
        return offset + COMM;
    }

    public int exitCode() {
        return buffer.getInt(offset + EXIT_CODE);
    }

    public int exitSignal() {
        return buffer.getInt(offset + EXIT_SIGNAL);
    }
}
