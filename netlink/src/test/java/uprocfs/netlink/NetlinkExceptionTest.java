package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetlinkExceptionTest {
    @Test
    void bindWithoutRootNamesCallErrnoAndFix() {
        NetlinkException e = new NetlinkException("bind(AF_NETLINK, CN_IDX_PROC)", Errno.EPERM);
        assertEquals("bind(AF_NETLINK, CN_IDX_PROC): EPERM \u2014 the proc connector needs root"
            + " (CAP_NET_ADMIN) on this kernel; run uproc as root", e.getMessage());
        assertEquals("bind(AF_NETLINK, CN_IDX_PROC)", e.call());
        assertEquals(Errno.EPERM, e.errno());
        assertEquals("EPERM", e.errnoName());
    }

    @Test
    void kernelWithoutConnectorNamesTheConfigOptions() {
        NetlinkException e = new NetlinkException("socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)",
            Errno.EPROTONOSUPPORT);
        assertEquals("socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR): EPROTONOSUPPORT \u2014 this kernel"
            + " has no netlink proc connector; use a kernel built with CONFIG_CONNECTOR=y and"
            + " CONFIG_PROC_EVENTS=y", e.getMessage());
    }

    @Test
    void rejectedSubscriptionSaysTheKernelRefused() {
        NetlinkException e = new NetlinkException("subscribe(PROC_CN_MCAST_LISTEN)", Errno.EINVAL);
        assertTrue(e.getMessage().startsWith("subscribe(PROC_CN_MCAST_LISTEN): EINVAL \u2014 the kernel rejected"),
            e.getMessage());
    }

    @Test
    void tooManyOpenFilesSaysWhichLimitToRaise() {
        NetlinkException e = new NetlinkException("socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR)", Errno.EMFILE);
        assertTrue(e.getMessage().contains("EMFILE \u2014 uproc has too many open files; raise its limit"),
            e.getMessage());
    }

    @Test
    void unknownErrnoIsShownByNumberAndAsksForAReport() {
        NetlinkException e = new NetlinkException("recv(NETLINK_CONNECTOR)", 4095);
        assertEquals("recv(NETLINK_CONNECTOR): errno 4095 \u2014 unexpected failure; please report it with"
            + " this message", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
        "1, EPERM", "4, EINTR", "11, EAGAIN", "13, EACCES", "22, EINVAL", "24, EMFILE",
        "93, EPROTONOSUPPORT", "97, EAFNOSUPPORT", "98, EADDRINUSE", "105, ENOBUFS", "111, ECONNREFUSED",
    })
    void errnoNumbersHaveTheirLinuxNames(int errno, String name) {
        assertEquals(name, Errno.name(errno));
    }
}
