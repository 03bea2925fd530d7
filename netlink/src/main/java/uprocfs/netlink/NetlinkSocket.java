package uprocfs.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.socklen_t;
import jnr.ffi.types.ssize_t;

/**
 * A non-blocking netlink socket, of the proc connector (its multicast group) or of generic
 * netlink (taskstats): the one place where this module calls into libc. Every call above this class speaks Java; every failing
 * call becomes a {@link NetlinkException} that names the call and the errno.
 *
 * <p>Not thread-safe: one thread uses a socket at a time.
 */
final class NetlinkSocket {
    /** {@link #receive} result: nothing queued (EAGAIN on the non-blocking socket). */
    static final int WOULD_BLOCK = -1;
    /**
     * {@link #receive} result: the socket's receive queue overflowed and the kernel dropped
     * datagrams (recv failed with ENOBUFS). The socket stays usable; the next call reads on.
     */
    static final int OVERFLOWED = -2;

    static final int AF_NETLINK = 16;
    static final int NETLINK_CONNECTOR = 11;
    /** The proc connector's multicast group, cn_proc.h CN_IDX_PROC. */
    static final int CN_IDX_PROC = 1;
    static final int NETLINK_GENERIC = 16;

    private static final int SOCK_DGRAM = 2;
    // Flag values of asm-generic/fcntl.h (x86-64, arm64, riscv64, ppc64le, s390x).
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;
    /** Like SO_RCVBUF but may exceed net.core.rmem_max; needs CAP_NET_ADMIN. */
    private static final int SO_RCVBUFFORCE = 33;
    /** Makes recv return the real datagram length even if it did not fit, so truncation shows. */
    private static final int MSG_TRUNC = 0x20;
    private static final short POLLIN = 0x1;
    private static final int SOCKADDR_NL_SIZE = 12;
    private static final int POLLFD_SIZE = 8;
    private static final int POLLFD_REVENTS = 6;
    /** eventfd(2) flags. */
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    /** The libc functions this module needs, bound through JNR-FFI. */
    public interface LibC {
        @SaveError
        int socket(int domain, int type, int protocol);

        @SaveError
        int bind(int fd, @In ByteBuffer addr, @socklen_t int addrlen);

        @SaveError
        int setsockopt(int fd, int level, int optname, @In IntByReference optval, @socklen_t int optlen);

        @SaveError
        int getsockopt(int fd, int level, int optname, @Out IntByReference optval, IntByReference optlen);

        @SaveError
        @ssize_t
        long send(int fd, @In ByteBuffer buf, @size_t long len, int flags);

        @SaveError
        @ssize_t
        long recv(int fd, @Out ByteBuffer buf, @size_t long len, int flags);

        /** The vector of {@code struct mmsghdr} is read and written by the kernel; no timeout. */
        @SaveError
        int recvmmsg(int fd, ByteBuffer msgvec, int vlen, int flags, Pointer timeout);

        /** {@code nfds_t} is {@code unsigned long}, which is {@code size_t}'s width on Linux. */
        @SaveError
        int poll(ByteBuffer fds, @size_t long nfds, int timeout);

        @SaveError
        int close(int fd);

        @SaveError
        int eventfd(int initval, int flags);

        @SaveError
        @ssize_t
        long read(int fd, @Out ByteBuffer buf, @size_t long count);

        @SaveError
        @ssize_t
        long write(int fd, @In ByteBuffer buf, @size_t long count);
    }

    private static final class Native {
        static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
    }

    private final LibC libc;
    private final Runtime runtime;
    private final int fd;
    /** The protocol's name, for messages: NETLINK_CONNECTOR or NETLINK_GENERIC. */
    private final String protocol;
    /**
     * An eventfd polled beside the socket, so that another thread can wake the one waiting
     * in {@link #awaitReadable} ({@link #wakeUp}).
     */
    private final int wakeFd;
    /** Two struct pollfd: the socket's, then the eventfd's. */
    private final ByteBuffer pollFd;
    private final ByteBuffer wakeCount = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
    private final ByteBuffer wakeOne = ByteBuffer.allocateDirect(Long.BYTES).order(ByteOrder.nativeOrder());
    /** Guards the eventfd against a wake-up racing close: a closed number may be reused. */
    private final Object wakeLock = new Object();
    private boolean closed;

    private NetlinkSocket(LibC libc, Runtime runtime, int fd, int wakeFd, String protocol) {
        this.libc = libc;
        this.protocol = protocol;
        this.runtime = runtime;
        this.fd = fd;
        this.wakeFd = wakeFd;
        this.pollFd = ByteBuffer.allocateDirect(2 * POLLFD_SIZE).order(ByteOrder.nativeOrder());
        pollFd.putInt(0, fd);
        pollFd.putShort(4, POLLIN);
        pollFd.putInt(POLLFD_SIZE, wakeFd);
        pollFd.putShort(POLLFD_SIZE + 4, POLLIN);
        wakeOne.putLong(0, 1);
    }

    /** {@link #open(int)} of the proc connector. */
    static NetlinkSocket open() throws NetlinkException {
        return open(NETLINK_CONNECTOR);
    }

    /**
     * socket(AF_NETLINK, SOCK_DGRAM, protocol), non-blocking so that a receive loop can drain
     * the queue until EAGAIN, close-on-exec so that children do not inherit it.
     */
    static NetlinkSocket open(int netlinkProtocol) throws NetlinkException {
        LibC libc = Native.LIBC;
        String protocol = netlinkProtocol == NETLINK_CONNECTOR ? "NETLINK_CONNECTOR"
            : netlinkProtocol == NETLINK_GENERIC ? "NETLINK_GENERIC" : "netlink protocol " + netlinkProtocol;
        int fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, netlinkProtocol);
        if (fd < 0) {
            throw new NetlinkException("socket(AF_NETLINK, SOCK_DGRAM, " + protocol + ")",
                Native.RUNTIME.getLastError());
        }
        int wakeFd = libc.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (wakeFd < 0) {
            int errno = Native.RUNTIME.getLastError();
            libc.close(fd);
            throw new NetlinkException("eventfd", errno);
        }
        return new NetlinkSocket(libc, Native.RUNTIME, fd, wakeFd, protocol);
    }

    /**
     * Makes a thread waiting in {@link #awaitReadable}, or the next one to wait, return at
     * once. Any thread; does nothing once closed.
     */
    void wakeUp() {
        synchronized (wakeLock) {
            if (!closed) {
                // A full counter (EAGAIN) already wakes the waiter: nothing to do then.
                libc.write(wakeFd, wakeOne, Long.BYTES);
            }
        }
    }

    /**
     * Asks for a receive queue of {@code bytes}: SO_RCVBUFFORCE first, which root may set
     * beyond net.core.rmem_max, then SO_RCVBUF, which the kernel silently caps at rmem_max.
     * Returns the size the kernel settled on as getsockopt reports it (the kernel doubles the
     * request to account for its bookkeeping, socket(7)).
     */
    int requestReceiveBuffer(int bytes) throws NetlinkException {
        IntByReference value = new IntByReference(bytes);
        if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, value, Integer.BYTES) < 0) {
            int errno = runtime.getLastError();
            if (errno != Errno.EPERM) {
                throw new NetlinkException("setsockopt(SO_RCVBUFFORCE, " + bytes + ")", errno);
            }
            if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, Integer.BYTES) < 0) {
                throw new NetlinkException("setsockopt(SO_RCVBUF, " + bytes + ")", runtime.getLastError());
            }
        }
        IntByReference effective = new IntByReference();
        IntByReference length = new IntByReference(Integer.BYTES);
        if (libc.getsockopt(fd, SOL_SOCKET, SO_RCVBUF, effective, length) < 0) {
            throw new NetlinkException("getsockopt(SO_RCVBUF)", runtime.getLastError());
        }
        return effective.intValue();
    }

    /**
     * Binds to the proc connector's multicast group. nl_pid 0 lets the kernel pick a unique
     * port id, so several sockets in one process (tests, a restart in place) do not collide.
     */
    void bindProcGroup() throws NetlinkException {
        bind(CN_IDX_PROC, "bind(AF_NETLINK, CN_IDX_PROC)");
    }

    /**
     * Binds to no group, with a port id the kernel picks: a socket that only talks to the
     * kernel and gets its unicast replies (generic netlink).
     */
    void bindUnicast() throws NetlinkException {
        bind(0, "bind(AF_NETLINK)");
    }

    private void bind(int groups, String what) throws NetlinkException {
        ByteBuffer address = ByteBuffer.allocateDirect(SOCKADDR_NL_SIZE).order(ByteOrder.nativeOrder());
        address.putShort(0, (short) AF_NETLINK); // nl_family; nl_pad and nl_pid stay 0
        address.putInt(8, groups);               // nl_groups
        if (libc.bind(fd, address, SOCKADDR_NL_SIZE) < 0) {
            throw new NetlinkException(what, runtime.getLastError());
        }
    }

    /** Sends {@code length} bytes from the start of the direct buffer {@code message} to the kernel. */
    void send(ByteBuffer message, int length, String what) throws NetlinkException {
        while (true) {
            long sent = libc.send(fd, message, length, 0);
            if (sent >= 0) {
                return;
            }
            int errno = runtime.getLastError();
            if (errno != Errno.EINTR) {
                throw new NetlinkException("send(" + what + ")", errno);
            }
        }
    }

    /**
     * Reads one datagram into the start of the direct buffer {@code into}. Returns its length
     * (which exceeds the buffer's capacity if it was truncated), {@link #WOULD_BLOCK} or
     * {@link #OVERFLOWED}. EINTR is retried.
     */
    int receive(ByteBuffer into) throws NetlinkException {
        while (true) {
            long length = libc.recv(fd, into, into.capacity(), MSG_TRUNC);
            if (length >= 0) {
                return (int) Math.min(length, Integer.MAX_VALUE);
            }
            int outcome = failedReceive("recv(" + protocol + ")");
            if (outcome != RETRY) {
                return outcome;
            }
        }
    }

    /** {@link #failedReceive}: EINTR, call again. */
    private static final int RETRY = -3;

    /**
     * What the errno of a failed recv or recvmmsg means: {@link #RETRY} (EINTR),
     * {@link #WOULD_BLOCK} (EAGAIN) or {@link #OVERFLOWED} (ENOBUFS: netlink_overrun() set
     * sk_err, the queue was full and datagrams were dropped); anything else is thrown.
     */
    private int failedReceive(String call) throws NetlinkException {
        int errno = runtime.getLastError();
        return switch (errno) {
            case Errno.EINTR -> RETRY;
            case Errno.EAGAIN -> WOULD_BLOCK;
            case Errno.ENOBUFS -> OVERFLOWED;
            default -> throw new NetlinkException(call, errno);
        };
    }

    /** A vector of {@code slots} datagrams of up to {@code slotBytes} each, for {@link #receiveMany}. */
    DatagramVector newVector(int slots, int slotBytes) {
        return new DatagramVector(runtime, slots, slotBytes);
    }

    /**
     * Reads up to {@code max} queued datagrams (at most the vector's slots) with one
     * recvmmsg(2), without waiting: the call stops at the first EAGAIN, so a result below
     * {@code max} means the queue was empty. Returns how many were read (their lengths are in
     * the vector), {@link #WOULD_BLOCK} or {@link #OVERFLOWED}. An ENOBUFS met after some
     * datagrams were read is kept by the kernel (sk_err) for the next call. EINTR is retried.
     */
    int receiveMany(DatagramVector vector, int max) throws NetlinkException {
        int vlen = Math.min(max, vector.slots());
        while (true) {
            int n = libc.recvmmsg(fd, vector.headers(), vlen, MSG_TRUNC, null);
            if (n > 0) {
                return n;
            }
            if (n == 0) {
                return WOULD_BLOCK;
            }
            int outcome = failedReceive("recvmmsg(" + protocol + ")");
            if (outcome != RETRY) {
                return outcome;
            }
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (negative: indefinitely) until the socket is readable
     * or has an error pending (an overflow shows as POLLERR). Returns false on timeout, and
     * when {@link #wakeUp} cut the wait short.
     */
    boolean awaitReadable(int timeoutMillis) throws NetlinkException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        int wait = timeoutMillis;
        while (true) {
            pollFd.putShort(POLLFD_REVENTS, (short) 0);
            pollFd.putShort(POLLFD_SIZE + POLLFD_REVENTS, (short) 0);
            int ready = libc.poll(pollFd, 2, wait);
            if (ready >= 0) {
                if (pollFd.getShort(POLLFD_SIZE + POLLFD_REVENTS) != 0) {
                    // Woken: reset the counter (a read of an eventfd returns and zeroes it).
                    libc.read(wakeFd, wakeCount, Long.BYTES);
                }
                return ready > 0 && pollFd.getShort(POLLFD_REVENTS) != 0;
            }
            int errno = runtime.getLastError();
            if (errno != Errno.EINTR) {
                throw new NetlinkException("poll(" + protocol + ")", errno);
            }
            if (timeoutMillis >= 0) {
                wait = (int) Math.max(0, (deadline - System.nanoTime()) / 1_000_000L);
            }
        }
    }

    /** Closes the descriptor; later calls do nothing. */
    void close() throws NetlinkException {
        if (closed) {
            return;
        }
        synchronized (wakeLock) {
            closed = true;
            libc.close(wakeFd);
        }
        // close(2) releases the descriptor even when it reports an error: never retry it.
        if (libc.close(fd) < 0) {
            throw new NetlinkException("close(" + protocol + ")", runtime.getLastError());
        }
    }
}
