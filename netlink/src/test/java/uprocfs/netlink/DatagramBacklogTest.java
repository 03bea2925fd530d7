package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;


class DatagramBacklogTest {
    private final ProcEventDecoder decoder = new ProcEventDecoder();

    @Test
    void datagramsComeBackInArrivalOrderWhateverTheirLength() {
        DatagramBacklog backlog = new DatagramBacklog(1024);
        Datagram fork = Datagram.event(ProcEventDecoder.WHAT_FORK).union(1, 1, 2, 2);
        Datagram odd = Datagram.event(ProcEventDecoder.WHAT_EXEC).received(37);
        Datagram exit = Datagram.event(ProcEventDecoder.WHAT_EXIT).union(2, 2, 0, 17);
        backlog.keep(fork.buffer(), fork.length());
        backlog.keep(odd.buffer(), odd.length());
        backlog.keep(exit.buffer(), exit.length());

        assertTrue(backlog.next(decoder));
        assertEquals(ProcEventDecoder.WHAT_FORK, decoder.what());
        assertEquals(2, decoder.forkChildPid());
        assertTrue(backlog.next(decoder));
        assertEquals(DatagramKind.TRUNCATED, decoder.kind());
        assertTrue(backlog.next(decoder));
        assertEquals(ProcEventDecoder.WHAT_EXIT, decoder.what());
        assertEquals(17, decoder.exitSignal());
        assertFalse(backlog.next(decoder));
        assertTrue(backlog.isDrained());
    }

    @Test
    void datagramThatDoesNotFitIsReportedLostOnce() {
        Datagram exec = Datagram.event(ProcEventDecoder.WHAT_EXEC).union(5, 5);
        DatagramBacklog backlog = new DatagramBacklog(2 * (Integer.BYTES + Datagram.EVENT_LENGTH));
        backlog.keep(exec.buffer(), exec.length());
        backlog.keep(exec.buffer(), exec.length());
        backlog.keep(exec.buffer(), exec.length());

        assertFalse(backlog.isDrained());
        assertTrue(backlog.takeLost());
        assertFalse(backlog.takeLost());
        assertTrue(backlog.next(decoder));
        assertTrue(backlog.next(decoder));
        assertFalse(backlog.next(decoder));
        assertTrue(backlog.isDrained());
    }
}
