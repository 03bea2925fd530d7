package uprocfs.netlink;

/**
 * What a datagram read from the proc connector socket turned out to be, as
 * {@link ProcEventDecoder} classifies it.
 */
public enum DatagramKind {
    /** A proc event ({@code what} != 0) with all the bytes its kind needs. */
    PROC_EVENT,
    /**
     * {@code what} == 0: the kernel's answer to a PROC_CN_MCAST_LISTEN or _IGNORE request.
     * The kernel multicasts it to the whole group, so other listeners' acks arrive too.
     */
    ACK,
    /** NLMSG_ERROR: the kernel reports an error code for a request. */
    NETLINK_ERROR,
    /** NLMSG_OVERRUN: the kernel says data was lost. */
    NETLINK_OVERRUN,
    /** NLMSG_NOOP: nothing to do. */
    NETLINK_NOOP,
    /** Shorter than its headers, its nlmsg_len, its cn_msg len or the union of its kind. */
    TRUNCATED,
    /** A well-formed netlink message that is not a proc connector message. */
    FOREIGN;

    /** Whether the datagram is counted as malformed and skipped. */
    public boolean isMalformed() {
        return this == TRUNCATED || this == FOREIGN;
    }
}
