package uprocfs.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import uprocfs.core.event.EventBatch;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;

/**
 * A subscription to the kernel's proc connector: every fork, exec, id change, rename and exit
 * on the machine arrives here as one datagram, which {@link #receive} decodes in place into an
 * {@link EventBatch}.
 *
 * <p>Lost events are reported, never hidden: when the socket's receive queue overflowed
 * (recv fails with ENOBUFS, netlink(7)) the batch is {@linkplain EventBatch#markLost() marked
 * lost} and {@link Metric#OVERFLOWS} counts it; whoever applies the batch must then resync with
 * /proc. A malformed datagram is counted ({@link Metric#MALFORMED}) and skipped.
 *
 * <p>One thread, the event loop, receives and closes, and writes the counters, which are
 * the daemon's {@link Counters} (read by others through its published snapshot);
 * {@link #wakeUp} may be called from any thread.
 */
public final class ProcEventSource implements AutoCloseable {
    /** How long {@link #open} waits for the kernel to acknowledge the subscription. */
    static final long ACK_TIMEOUT_MILLIS = 2_000;
    /**
     * One proc event datagram is 76 bytes (16 + 20 + sizeof(struct proc_event) = 40); the
     * rest leaves room for future kernels' larger unions, and recv's MSG_TRUNC shows anything
     * that still does not fit.
     */
    private static final int DATAGRAM_BUFFER_BYTES = 8 * 1024;
    /**
     * Datagrams one recvmmsg may read: a batch gathered over a millisecond of a fork storm
     * is tens of events, and more than this costs only another call.
     */
    private static final int VECTOR_SLOTS = 128;
    /** Room for one datagram read by recvmmsg: 76 bytes today, 13 times that for future unions. */
    private static final int SLOT_BYTES = 1024;
    /** Room for the ~800 datagrams that may precede the ack on a busy machine. */
    private static final int BACKLOG_BYTES = 64 * 1024;

    private final NetlinkSocket socket;
    private final int receiveBufferBytes;
    private final int portId;
    private final ProcEventDecoder decoder = new ProcEventDecoder();
    private final ByteBuffer datagram =
        ByteBuffer.allocateDirect(DATAGRAM_BUFFER_BYTES).order(ByteOrder.nativeOrder());
    private final DatagramVector vector;
    private final ByteBuffer request =
        ByteBuffer.allocateDirect(McastRequest.LENGTH).order(ByteOrder.nativeOrder());
    private int requestSeq;
    private boolean acknowledged;
    private boolean closed;

    /** Datagrams that arrived while {@link #open} waited for the ack; null once drained. */
    private DatagramBacklog backlog;

    private final Counters counters;

    private ProcEventSource(NetlinkSocket socket, int receiveBufferBytes, int portId, Counters counters) {
        this.socket = socket;
        this.counters = counters;
        counters.set(Metric.RECEIVE_BUFFER_BYTES, receiveBufferBytes);
        this.receiveBufferBytes = receiveBufferBytes;
        this.portId = portId;
        this.vector = socket.newVector(VECTOR_SLOTS, SLOT_BYTES);
        this.requestSeq = ThreadLocalRandom.current().nextInt();
    }

    /**
     * Opens a netlink connector socket, asks for a receive queue of
     * {@code receiveBufferBytes} (beyond net.core.rmem_max if running as root), joins the
     * proc connector's group and subscribes. Waits up to 2 s for the kernel's
     * acknowledgement; a kernel that sends none is tolerated (see {@link #acknowledged()}).
     * Events that arrive before the acknowledgement are kept for the first
     * {@link #receive}.
     *
     * @throws NetlinkException naming the call and errno, e.g. EPERM when not root
     */
    public static ProcEventSource open(int receiveBufferBytes) throws NetlinkException {
        return open(receiveBufferBytes, new Counters());
    }

    /**
     * {@link #open(int)}, counting into {@code counters}; the thread that calls this and
     * then receives must be their owner (or start it).
     */
    public static ProcEventSource open(int receiveBufferBytes, Counters counters) throws NetlinkException {
        if (receiveBufferBytes <= 0) {
            throw new IllegalArgumentException("receive buffer must be positive: " + receiveBufferBytes);
        }
        NetlinkSocket socket = NetlinkSocket.open();
        ProcEventSource source = null;
        try {
            // Size the queue before joining the group, so no event meets the small default.
            int effective = socket.requestReceiveBuffer(receiveBufferBytes);
            socket.bindProcGroup();
            source = new ProcEventSource(socket, effective, (int) ProcessHandle.current().pid(), counters);
            source.subscribe();
            return source;
        } catch (NetlinkException | RuntimeException e) {
            try {
                if (source != null) {
                    source.close();
                } else {
                    socket.close();
                }
            } catch (NetlinkException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private void subscribe() throws NetlinkException {
        int ack = sendRequest(McastRequest.PROC_CN_MCAST_LISTEN);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ACK_TIMEOUT_MILLIS);
        while (true) {
            int length = socket.receive(datagram);
            if (length == NetlinkSocket.WOULD_BLOCK) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    // Requesters outside the initial pid/user namespace, and kernels without
                    // CONFIG_PROC_EVENTS, get no ack (cn_proc_mcast_ctl returns early).
                    return;
                }
                socket.awaitReadable((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
                continue;
            }
            if (length == NetlinkSocket.OVERFLOWED) {
                backlog().markLost();
                continue;
            }
            decoder.wrap(datagram, 0, Math.min(length, datagram.capacity()));
            // The kernel multicasts every ack to the whole group. Ours carries our ack + 1; its
            // seq is not ours, send_msg() overwrites it with the per-cpu event counter.
            if (decoder.kind() == DatagramKind.ACK && decoder.cnAck() == ack + 1) {
                counters.increment(Metric.DATAGRAMS);
                if (decoder.ackError() != 0) {
                    throw new NetlinkException("subscribe(PROC_CN_MCAST_LISTEN)", decoder.ackError());
                }
                acknowledged = true;
                return;
            }
            backlog().keep(datagram, Math.min(length, datagram.capacity()));
        }
    }

    /**
     * Sends an mcast op whose seq and ack are a fresh number (random at first, so that this
     * socket's ack is told apart from other listeners') and returns that number.
     */
    private int sendRequest(int op) throws NetlinkException {
        int seq = ++requestSeq;
        int length = McastRequest.encode(request, op, seq, seq, portId);
        socket.send(request, length, McastRequest.name(op));
        return seq;
    }

    private DatagramBacklog backlog() {
        if (backlog == null) {
            backlog = new DatagramBacklog(BACKLOG_BYTES);
        }
        return backlog;
    }

    /**
     * Adds the events that are ready to {@code batch}: waits up to {@code timeoutMillis}
     * (0: not at all, negative: indefinitely) for the socket to become readable, then reads
     * datagrams until none is queued or the batch is full. An overflow marks the batch lost,
     * empties the queue (its datagrams are older than what was lost, see
     * {@link #overflowed}) and returns; check {@link EventBatch#lost()} even when this
     * returns 0, and resync before applying anything received later.
     *
     * @return the number of events added
     * @throws NetlinkException if recv or poll fails with anything but EAGAIN, EINTR or ENOBUFS
     */
    public int receive(EventBatch batch, int timeoutMillis) throws NetlinkException {
        if (closed) {
            throw new IllegalStateException("the proc event source is closed");
        }
        int before = batch.size();
        long overflowsBefore = count(Metric.OVERFLOWS);
        if (backlog != null) {
            drainBacklog(batch);
        }
        drainSocket(batch);
        if (batch.size() == before && count(Metric.OVERFLOWS) == overflowsBefore && !batch.isFull()
            && timeoutMillis != 0 && socket.awaitReadable(timeoutMillis)) {
            drainSocket(batch);
        }
        return batch.size() - before;
    }

    private void drainBacklog(EventBatch batch) {
        if (backlog.takeLost()) {
            counters.increment(Metric.OVERFLOWS);
            batch.markLost();
        }
        while (!batch.isFull() && backlog.next(decoder)) {
            if (consume(batch)) {
                counters.increment(Metric.OVERFLOWS);
                batch.markLost();
            }
        }
        if (backlog.isDrained()) {
            backlog = null;
        }
    }

    private void drainSocket(EventBatch batch) throws NetlinkException {
        // Each datagram yields at most one event, so a batch takes as many as it has room for.
        while (!batch.isFull()) {
            int room = batch.capacity() - batch.size();
            int n = socket.receiveMany(vector, room);
            if (n == NetlinkSocket.WOULD_BLOCK) {
                return;
            }
            if (n == NetlinkSocket.OVERFLOWED) {
                overflowed(batch);
                return;
            }
            for (int k = 0; k < n; k++) {
                decoder.wrap(vector.data(), vector.offset(k), vector.received(k));
                if (consume(batch)) {
                    // What came after the overrun in this vector is as stale as what is queued.
                    counters.add(Metric.DISCARDED, n - 1 - k);
                    counters.add(Metric.DATAGRAMS, n - 1 - k);
                    overflowed(batch);
                    return;
                }
            }
            if (n < Math.min(room, vector.slots())) {
                // recvmmsg stopped at EAGAIN: the queue is empty, no need to ask again.
                return;
            }
        }
    }

    /**
     * Events were lost. The datagrams still queued are older than the ones the kernel
     * dropped, and the socket stays congested, dropping every new event without a further
     * ENOBUFS, until its queue is read empty (af_netlink.c: netlink_overrun,
     * netlink_rcv_wake). Applied after the resync that follows, those old events would undo
     * it: a FORK would reset the identity of a process that has exec'd since, an EXIT would
     * remove a live process that reuses the pid. So they are read and thrown away here, and
     * the batch returns marked lost with the queue empty: the resync sees everything that
     * happened before it, and the events after it arrive in order.
     */
    private void overflowed(EventBatch batch) throws NetlinkException {
        counters.increment(Metric.OVERFLOWS);
        batch.markLost();
        while (true) {
            int n = socket.receiveMany(vector, vector.slots());
            if (n == NetlinkSocket.WOULD_BLOCK) {
                return;
            }
            if (n > 0) {
                counters.add(Metric.DATAGRAMS, n);
                counters.add(Metric.DISCARDED, n);
            }
        }
    }

    /** Adds the decoded datagram's event to the batch; true when it reports an overrun. */
    private boolean consume(EventBatch batch) {
        counters.increment(Metric.DATAGRAMS);
        switch (decoder.kind()) {
            case PROC_EVENT -> {
                decoder.appendTo(batch);
                counters.increment(Metric.EVENTS);
            }
            case NETLINK_OVERRUN -> {
                return true;
            }
            case NETLINK_ERROR -> {
                if (decoder.netlinkErrorCode() != 0) {
                    counters.increment(Metric.NETLINK_ERRORS);
                }
            }
            case TRUNCATED, FOREIGN -> counters.increment(Metric.MALFORMED);
            // Acks of other listeners' requests and no-ops carry no event.
            case ACK, NETLINK_NOOP -> { }
        }
        return false;
    }

    /**
     * Unsubscribes (PROC_CN_MCAST_IGNORE) and closes the socket. Idempotent. The socket is
     * closed even if the unsubscribe fails; the first failure is thrown.
     */
    @Override
    public void close() throws NetlinkException {
        if (closed) {
            return;
        }
        closed = true;
        NetlinkException failure = null;
        try {
            sendRequest(McastRequest.PROC_CN_MCAST_IGNORE);
        } catch (NetlinkException e) {
            failure = e;
        }
        try {
            socket.close();
        } catch (NetlinkException e) {
            if (failure == null) {
                failure = e;
            } else {
                failure.addSuppressed(e);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** The receive queue size the kernel granted, as getsockopt(SO_RCVBUF) reports it. */
    public int receiveBufferBytes() {
        return receiveBufferBytes;
    }

    /**
     * Whether the kernel acknowledged the subscription. False means no ack came within 2 s:
     * the kernel lacks CONFIG_PROC_EVENTS or this process is outside the initial pid or user
     * namespace, and probably no event will arrive.
     */
    public boolean acknowledged() {
        return acknowledged;
    }

    /**
     * Wakes the thread waiting in {@link #receive} (which then returns, perhaps with no
     * event), so that it can run work posted to it. Any thread; harmless once closed.
     */
    public void wakeUp() {
        socket.wakeUp();
    }

    /**
     * What the source has counted so far: {@link Metric#DATAGRAMS}, {@link Metric#EVENTS},
     * {@link Metric#MALFORMED}, {@link Metric#OVERFLOWS} (recv failed with ENOBUFS, the
     * kernel sent NLMSG_OVERRUN, or more arrived during {@link #open} than it could keep),
     * {@link Metric#DISCARDED} (read and thrown away after an overflow, see
     * {@link #receive}), {@link Metric#NETLINK_ERRORS}. The receiving thread's view; others
     * read the published {@link Counters#snapshot()}.
     */
    public long count(Metric m) {
        return counters.get(m);
    }
}
