package uprocfs.netlink;

import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import uprocfs.core.event.ExitNames;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;

/**
 * The kernel's taskstats, as a listener on every CPU: each task that exits is reported with
 * its command name (include/uapi/linux/taskstats.h), which this keeps for a few seconds so
 * that {@link #take} can tell what a process that exec'd and ended before /proc could be
 * read was running. The proc connector's EXIT carries no name, and a short command is gone
 * from /proc before its EXEC can be looked at.
 *
 * <p>The report of an exit is sent before the proc connector's EXIT event of that task
 * (kernel/exit.c, do_exit: taskstats_exit, then exit_notify and proc_exit_connector), so
 * {@link #drain draining} this socket after a batch of events was read, and before it is
 * applied, finds the name of every process the batch ends. Names are kept
 * {@link #KEEP_NANOS} after they were drained, in a ring of {@link #RING} entries; a pid
 * reused within that time (the whole pid space cycled) is the newest's.
 *
 * <p>Lost reports (the socket's queue overflowed) are counted
 * ({@link Metric#EXIT_NAMES_LOST}); those exits then count in no set, as without this
 * source. Registering needs CAP_NET_ADMIN in the initial user and pid namespaces, as the
 * proc connector does.
 *
 * <p>The event loop only: it drains, takes, and writes the counters.
 */
public final class TaskExitSource implements ExitNames, AutoCloseable {
    /** The generic netlink controller's family id and its messages (linux/genetlink.h). */
    private static final int GENL_ID_CTRL = 0x10;
    private static final int CTRL_CMD_NEWFAMILY = 1;
    private static final int CTRL_CMD_GETFAMILY = 3;
    private static final int CTRL_ATTR_FAMILY_ID = 1;
    private static final int CTRL_ATTR_FAMILY_NAME = 2;
    /** linux/taskstats.h. */
    private static final int TASKSTATS_CMD_GET = 1;
    private static final int TASKSTATS_CMD_NEW = 2;
    private static final int TASKSTATS_TYPE_PID = 1;
    private static final int TASKSTATS_TYPE_STATS = 3;
    private static final int TASKSTATS_TYPE_AGGR_PID = 4;
    private static final int TASKSTATS_CMD_ATTR_REGISTER_CPUMASK = 3;
    private static final int TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK = 4;
    /** struct taskstats: ac_comm[TS_COMM_LEN = 32] at byte 80, the same in every version. */
    private static final int AC_COMM = 80;
    private static final int TS_COMM_LEN = 32;
    /** The kernel keeps TASK_COMM_LEN = 16 bytes of a name, the last a NUL. */
    private static final int COMM_BYTES = 15;
    /** netlink.h. */
    private static final int NLMSG_HDRLEN = 16;
    private static final int NLMSG_ERROR = 2;
    private static final int NLM_F_REQUEST = 1;
    private static final int NLM_F_ACK = 4;
    private static final int GENL_HDRLEN = 4;
    private static final int NLA_TYPE_MASK = 0x3fff;

    /** One report is 596 bytes (taskstats version 16); the rest is room for later versions. */
    private static final int SLOT_BYTES = 2048;
    private static final int VECTOR_SLOTS = 64;
    /** How long after it was drained a name may still be taken. */
    static final long KEEP_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** Names kept at most: far more than exit between two batches. */
    static final int RING = 4096;
    private static final long REPLY_TIMEOUT_MILLIS = 2_000;

    private final NetlinkSocket socket;
    private final Counters counters;
    private final DatagramVector vector;
    private final ByteBuffer request = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
    private final ByteBuffer reply = ByteBuffer.allocateDirect(8192).order(ByteOrder.nativeOrder());
    private final String cpus;
    private int family;
    private int seq;
    private boolean closed;

    // The ring: pid, name and drain time of the last RING reports, and where each pid is.
    private final int[] ringPid = new int[RING];
    private final byte[] ringComm = new byte[RING * COMM_BYTES];
    private final byte[] ringCommLength = new byte[RING];
    private final long[] ringDrained = new long[RING];
    private int next;
    private final Int2IntOpenHashMap slotOf = new Int2IntOpenHashMap();

    private TaskExitSource(NetlinkSocket socket, String cpus, Counters counters) {
        this.socket = socket;
        this.cpus = cpus;
        this.counters = counters;
        this.vector = socket.newVector(VECTOR_SLOTS, SLOT_BYTES);
        slotOf.defaultReturnValue(-1);
        java.util.Arrays.fill(ringPid, -1);
    }

    /**
     * Opens a generic netlink socket with a receive queue of {@code receiveBufferBytes},
     * finds the TASKSTATS family and registers as a listener on every possible CPU
     * ({@code /sys/devices/system/cpu/possible}).
     *
     * @throws NetlinkException naming the step that failed: ENOENT for a kernel without
     *                          CONFIG_TASKSTATS, EINVAL outside the initial pid or user namespace
     */
    public static TaskExitSource open(int receiveBufferBytes, Counters counters) throws NetlinkException {
        String cpus;
        try {
            cpus = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
        } catch (IOException e) {
            throw new NetlinkException("read /sys/devices/system/cpu/possible", Errno.ENOENT);
        }
        if (!cpus.matches("[0-9,-]{1,200}")) {
            throw new NetlinkException("read /sys/devices/system/cpu/possible (\"" + cpus + "\")", Errno.EINVAL);
        }
        NetlinkSocket socket = NetlinkSocket.open(NetlinkSocket.NETLINK_GENERIC);
        TaskExitSource source = new TaskExitSource(socket, cpus, counters);
        try {
            socket.requestReceiveBuffer(receiveBufferBytes);
            socket.bindUnicast();
            source.family = source.resolveFamily();
            source.send(source.family, TASKSTATS_CMD_GET, TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, cpus, true);
            source.awaitAck("register taskstats listener (cpus " + cpus + ")");
            return source;
        } catch (NetlinkException | RuntimeException e) {
            try {
                socket.close();
            } catch (NetlinkException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** CTRL_CMD_GETFAMILY "TASKSTATS": its id, which the kernel assigned at boot. */
    private int resolveFamily() throws NetlinkException {
        int asked = send(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME, "TASKSTATS", false);
        String what = "resolve generic netlink family TASKSTATS";
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
        while (true) {
            int length = awaitReply(deadline, what);
            int type = reply.getShort(4) & 0xffff;
            if (reply.getInt(8) != asked) {
                continue;
            }
            if (type == NLMSG_ERROR) {
                throw new NetlinkException(what, -reply.getInt(NLMSG_HDRLEN));
            }
            if (type != GENL_ID_CTRL || (reply.get(NLMSG_HDRLEN) & 0xff) != CTRL_CMD_NEWFAMILY) {
                continue;
            }
            int end = Math.min(length, reply.getInt(0));
            for (int a = NLMSG_HDRLEN + GENL_HDRLEN; a + 4 <= end; ) {
                int alen = reply.getShort(a) & 0xffff;
                if (alen < 4 || a + alen > end) {
                    break;
                }
                if ((reply.getShort(a + 2) & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID && alen >= 6) {
                    return reply.getShort(a + 4) & 0xffff;
                }
                a += (alen + 3) & ~3;
            }
            throw new NetlinkException(what + ": the reply has no family id", Errno.EINVAL);
        }
    }

    /** Waits for the ack of the last request; reports that come meanwhile are kept. */
    private void awaitAck(String what) throws NetlinkException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
        while (true) {
            int length = awaitReply(deadline, what);
            int type = reply.getShort(4) & 0xffff;
            if (type == NLMSG_ERROR && reply.getInt(8) == seq) {
                int error = -reply.getInt(NLMSG_HDRLEN);
                if (error != 0) {
                    throw new NetlinkException(what, error);
                }
                return;
            }
            keep(reply, 0, length, System.nanoTime());
        }
    }

    private int awaitReply(long deadline, String what) throws NetlinkException {
        while (true) {
            int length = socket.receive(reply);
            if (length >= NLMSG_HDRLEN + GENL_HDRLEN) {
                return Math.min(length, reply.capacity());
            }
            if (length == NetlinkSocket.OVERFLOWED) {
                counters.increment(Metric.EXIT_NAMES_LOST);
                continue;
            }
            if (length >= 0) {
                continue;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new NetlinkException(what + ": no reply within " + REPLY_TIMEOUT_MILLIS + " ms", Errno.ETIMEDOUT);
            }
            socket.awaitReadable((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
        }
    }

    /** Sends a generic netlink request with one string attribute; returns its sequence number. */
    private int send(int type, int cmd, int attr, String value, boolean ack) throws NetlinkException {
        byte[] text = (value + "\0").getBytes(StandardCharsets.US_ASCII);
        int attrLength = 4 + text.length;
        int length = NLMSG_HDRLEN + GENL_HDRLEN + ((attrLength + 3) & ~3);
        request.clear();
        for (int i = 0; i < length; i++) {
            request.put(i, (byte) 0);
        }
        request.putInt(0, length);
        request.putShort(4, (short) type);
        request.putShort(6, (short) (NLM_F_REQUEST | (ack ? NLM_F_ACK : 0)));
        request.putInt(8, ++seq);
        request.putInt(12, 0);
        request.put(NLMSG_HDRLEN, (byte) cmd);
        request.put(NLMSG_HDRLEN + 1, (byte) 1); // version
        request.putShort(NLMSG_HDRLEN + GENL_HDRLEN, (short) attrLength);
        request.putShort(NLMSG_HDRLEN + GENL_HDRLEN + 2, (short) attr);
        request.put(NLMSG_HDRLEN + GENL_HDRLEN + 4, text);
        socket.send(request, length, "generic netlink request " + cmd + " to family " + type);
        return seq;
    }

    /**
     * Reads every report queued, keeping each exited task's name. Call after a batch of
     * events was read and before it is applied.
     */
    public void drain() throws NetlinkException {
        long now = System.nanoTime();
        while (true) {
            int n = socket.receiveMany(vector, vector.slots());
            if (n == NetlinkSocket.WOULD_BLOCK) {
                return;
            }
            if (n == NetlinkSocket.OVERFLOWED) {
                counters.increment(Metric.EXIT_NAMES_LOST);
                continue;
            }
            for (int k = 0; k < n; k++) {
                keep(vector.data(), vector.offset(k), vector.received(k), now);
            }
            if (n < vector.slots()) {
                return;
            }
        }
    }

    /**
     * Keeps the pid and name of the report at {@code at}: a TASKSTATS_CMD_NEW whose
     * TASKSTATS_TYPE_AGGR_PID nests the task's TASKSTATS_TYPE_PID and its struct taskstats.
     * Anything else, or anything cut short, is skipped.
     */
    private void keep(ByteBuffer data, int at, int received, long now) {
        if (received < NLMSG_HDRLEN + GENL_HDRLEN) {
            return;
        }
        int length = Math.min(received, data.getInt(at));
        if ((data.getShort(at + 4) & 0xffff) != family || (data.get(at + NLMSG_HDRLEN) & 0xff) != TASKSTATS_CMD_NEW
                || length < NLMSG_HDRLEN + GENL_HDRLEN) {
            return;
        }
        int end = at + length;
        for (int a = at + NLMSG_HDRLEN + GENL_HDRLEN; a + 4 <= end; ) {
            int alen = data.getShort(a) & 0xffff;
            if (alen < 4 || a + alen > end) {
                return;
            }
            if ((data.getShort(a + 2) & NLA_TYPE_MASK) == TASKSTATS_TYPE_AGGR_PID) {
                keepTask(data, a + 4, a + alen, now);
            }
            a += (alen + 3) & ~3;
        }
    }

    private void keepTask(ByteBuffer data, int from, int end, long now) {
        int pid = -1;
        int stats = -1;
        for (int a = from; a + 4 <= end; ) {
            int alen = data.getShort(a) & 0xffff;
            if (alen < 4 || a + alen > end) {
                return;
            }
            int type = data.getShort(a + 2) & NLA_TYPE_MASK;
            if (type == TASKSTATS_TYPE_PID && alen >= 8) {
                pid = data.getInt(a + 4);
            } else if (type == TASKSTATS_TYPE_STATS && alen >= 4 + AC_COMM + TS_COMM_LEN) {
                stats = a + 4;
            }
            a += (alen + 3) & ~3;
        }
        if (pid <= 0 || stats < 0) {
            return;
        }
        counters.increment(Metric.EXIT_NAMES);
        int slot = next;
        next = (next + 1) % RING;
        int old = ringPid[slot];
        if (old >= 0 && slotOf.get(old) == slot) {
            slotOf.remove(old);
        }
        int n = 0;
        while (n < COMM_BYTES && data.get(stats + AC_COMM + n) != 0) {
            ringComm[slot * COMM_BYTES + n] = data.get(stats + AC_COMM + n);
            n++;
        }
        ringPid[slot] = pid;
        ringCommLength[slot] = (byte) n;
        ringDrained[slot] = now;
        slotOf.put(pid, slot);
    }

    @Override
    public String take(int tgid) {
        int slot = slotOf.remove(tgid);
        if (slot < 0 || System.nanoTime() - ringDrained[slot] > KEEP_NANOS) {
            return null;
        }
        return new String(ringComm, slot * COMM_BYTES, ringCommLength[slot], StandardCharsets.ISO_8859_1);
    }

    /** Deregisters (so the kernel stops building reports for this socket) and closes. Idempotent. */
    @Override
    public void close() throws NetlinkException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            send(family, TASKSTATS_CMD_GET, TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, cpus, false);
        } finally {
            socket.close();
        }
    }
}
