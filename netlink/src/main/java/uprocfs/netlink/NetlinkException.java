package uprocfs.netlink;

import java.io.IOException;

/**
 * A failed system call on the proc connector socket, or a refusal from the kernel. The
 * message names the call, the errno and what to do, e.g. {@code bind(AF_NETLINK,
 * CN_IDX_PROC): EPERM — the proc connector needs root (CAP_NET_ADMIN); run uproc as root}.
 */
public final class NetlinkException extends IOException {
    private final String call;
    private final int errno;

    NetlinkException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " \u2014 " + Errno.remedy(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call that failed as the message shows it, e.g. {@code bind(AF_NETLINK, CN_IDX_PROC)}. */
    public String call() {
        return call;
    }

    /** The errno the call failed with (or the error the kernel's acknowledgement carried). */
    public int errno() {
        return errno;
    }

    /** The symbolic name of {@link #errno()}, e.g. {@code EPERM}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
