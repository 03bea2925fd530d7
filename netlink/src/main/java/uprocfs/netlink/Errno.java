package uprocfs.netlink;

/**
 * The errno values the netlink connector can produce, with their symbolic names and what a
 * user can do about each. The numbers are those of asm-generic/errno-base.h and errno.h,
 * which x86-64, arm64, riscv64, ppc64le and s390x share (jnr-constants is not on the
 * classpath, and this module needs only these).
 */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int ENOMEM = 12;
    static final int EACCES = 13;
    static final int EFAULT = 14;
    static final int EINVAL = 22;
    static final int ENFILE = 23;
    static final int EMFILE = 24;
    static final int ENOTSOCK = 88;
    static final int EMSGSIZE = 90;
    static final int ENOPROTOOPT = 92;
    static final int EPROTONOSUPPORT = 93;
    static final int ESOCKTNOSUPPORT = 94;
    static final int EOPNOTSUPP = 95;
    static final int EAFNOSUPPORT = 97;
    static final int EADDRINUSE = 98;
    static final int ECONNREFUSED = 111;
    static final int ENOBUFS = 105;
    static final int ETIMEDOUT = 110;

    private Errno() {
    }

    /** The symbolic name, e.g. {@code EPERM}; {@code errno 1234} for numbers not listed here. */
    static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case ENOENT -> "ENOENT";
            case EINTR -> "EINTR";
            case EBADF -> "EBADF";
            case EAGAIN -> "EAGAIN";
            case ENOMEM -> "ENOMEM";
            case EACCES -> "EACCES";
            case EFAULT -> "EFAULT";
            case EINVAL -> "EINVAL";
            case ENFILE -> "ENFILE";
            case EMFILE -> "EMFILE";
            case ENOTSOCK -> "ENOTSOCK";
            case EMSGSIZE -> "EMSGSIZE";
            case ENOPROTOOPT -> "ENOPROTOOPT";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT";
            case ESOCKTNOSUPPORT -> "ESOCKTNOSUPPORT";
            case EOPNOTSUPP -> "EOPNOTSUPP";
            case EAFNOSUPPORT -> "EAFNOSUPPORT";
            case EADDRINUSE -> "EADDRINUSE";
            case ECONNREFUSED -> "ECONNREFUSED";
            case ENOBUFS -> "ENOBUFS";
            case ETIMEDOUT -> "ETIMEDOUT";
            default -> "errno " + errno;
        };
    }

    /** What the user can do about a call failing with {@code errno}. */
    static String remedy(int errno) {
        return switch (errno) {
            case EPERM, EACCES ->
                "the proc connector needs root (CAP_NET_ADMIN) on this kernel; run uproc as root";
            case EPROTONOSUPPORT, EAFNOSUPPORT, ESOCKTNOSUPPORT, ENOPROTOOPT, EOPNOTSUPP ->
                "this kernel has no netlink proc connector; use a kernel built with"
                    + " CONFIG_CONNECTOR=y and CONFIG_PROC_EVENTS=y";
            case EMFILE ->
                "uproc has too many open files; raise its limit (ulimit -n, or LimitNOFILE= in the unit)";
            case ENFILE -> "the system has too many open files; raise fs.file-max or close some";
            case ENOMEM, ENOBUFS ->
                "the kernel is short of memory for socket buffers; free memory or ask for a"
                    + " smaller receive buffer";
            case EADDRINUSE ->
                "another netlink socket already holds this port id; stop the other uproc instance";
            case EINVAL ->
                "the kernel rejected the request; this kernel does not speak the proc connector"
                    + " protocol uproc expects";
            case ENOENT ->
                "this kernel lacks what was asked for; for the names of ended tasks (taskstats) use a"
                    + " kernel built with CONFIG_TASKSTATS=y";
            case ETIMEDOUT -> "the kernel did not answer; this kernel does not speak the protocol uproc expects";
            case EBADF, ENOTSOCK, EFAULT ->
                "the socket was used after close; this is a bug in uproc, please report it";
            default -> "unexpected failure; please report it with this message";
        };
    }
}
