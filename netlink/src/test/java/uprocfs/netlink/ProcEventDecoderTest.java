package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import uprocfs.core.event.EventBatch;
import uprocfs.core.event.EventKind;

class ProcEventDecoderTest {
    private final ProcEventDecoder decoder = new ProcEventDecoder();
    private final EventBatch batch = new EventBatch(8);

    private void appendEvent(Datagram datagram) {
        assertEquals(DatagramKind.PROC_EVENT, datagram.decode(decoder).kind());
        decoder.appendTo(batch);
        assertEquals(1, batch.size());
        assertEquals(Datagram.TIMESTAMP, batch.timestampNanos(0));
    }

    @Test
    void headerFieldsAreReadAtTheKernelOffsets() {
        Datagram.event(ProcEventDecoder.WHAT_EXEC).union(42, 42).decode(decoder);
        assertEquals(Datagram.EVENT_LENGTH, decoder.nlmsgLen());
        assertEquals(ProcEventDecoder.NLMSG_DONE, decoder.nlmsgType());
        assertEquals(1, decoder.cnIdx());
        assertEquals(1, decoder.cnVal());
        assertEquals(7, decoder.cnSeq());
        assertEquals(Datagram.PROC_EVENT_LENGTH, decoder.cnLen());
        assertEquals(ProcEventDecoder.WHAT_EXEC, decoder.what());
        assertEquals(3, decoder.cpu());
        assertEquals(Datagram.TIMESTAMP, decoder.timestampNanos());
    }

    @Test
    void forkCarriesParentAndChild() {
        appendEvent(Datagram.event(ProcEventDecoder.WHAT_FORK).union(100, 101, 200, 201));
        assertEquals(EventKind.FORK, batch.kind(0));
        assertEquals(200, batch.pid(0));
        assertEquals(201, batch.tgid(0));
        assertEquals(101, batch.parentTgid(0));
    }

    @Test
    void newThreadIsAForkWhoseChildPidDiffersFromItsTgid() {
        Datagram.event(ProcEventDecoder.WHAT_FORK).union(300, 300, 301, 300).decode(decoder);
        assertEquals(301, decoder.forkChildPid());
        assertEquals(300, decoder.forkChildTgid());
    }

    @Test
    void execCarriesTask() {
        appendEvent(Datagram.event(ProcEventDecoder.WHAT_EXEC).union(55, 50));
        assertEquals(EventKind.EXEC, batch.kind(0));
        assertEquals(55, batch.pid(0));
        assertEquals(50, batch.tgid(0));
    }

    @Test
    void uidChangeCarriesTheEffectiveUid() {
        appendEvent(Datagram.event(ProcEventDecoder.WHAT_UID).union(60, 60, 1000, 0));
        assertEquals(EventKind.UID, batch.kind(0));
        assertEquals(60, batch.pid(0));
        assertEquals(0, batch.euid(0));
    }

    @Test
    void gidChangeCarriesTheEffectiveGid() {
        appendEvent(Datagram.event(ProcEventDecoder.WHAT_GID).union(61, 61, 100, 4242));
        assertEquals(EventKind.GID, batch.kind(0));
        assertEquals(4242, batch.egid(0));
    }

    @Test
    void commIsCopiedUpToItsNul() {
        byte[] name = new byte[16];
        System.arraycopy("nginx".getBytes(StandardCharsets.US_ASCII), 0, name, 0, 5);
        appendEvent(Datagram.event(ProcEventDecoder.WHAT_COMM).union(70, 70).putBytes(ProcEventDecoder.UNION_OFFSET + 8, name));
        assertEquals(EventKind.COMM, batch.kind(0));
        assertEquals(70, batch.pid(0));
        assertEquals("nginx", batch.commKey(0));
    }

    @Test
    void commFillingAllSixteenBytesWithoutNulIsCutAtFifteen() {
        byte[] name = "abcdefghijklmnop".getBytes(StandardCharsets.US_ASCII);
        appendEvent(Datagram.event(ProcEventDecoder.WHAT_COMM).union(71, 71).putBytes(ProcEventDecoder.UNION_OFFSET + 8, name)
            .putInt(ProcEventDecoder.UNION_OFFSET + 24, 0x5A5A5A5A));
        assertEquals("abcdefghijklmno", batch.commKey(0));
        assertEquals(15, batch.commLength(0));
    }

    @Test
    void exitCarriesItsTask() {
        appendEvent(Datagram.event(ProcEventDecoder.WHAT_EXIT).union(80, 79, 256, 17, 1, 1));
        assertEquals(EventKind.EXIT, batch.kind(0));
        assertEquals(80, batch.pid(0));
        assertEquals(79, batch.tgid(0));
    }

    @Test
    void exitFromKernelsWithoutParentFieldsIsAccepted() {
        Datagram old = Datagram.event(ProcEventDecoder.WHAT_EXIT).union(81, 81, 0, 17)
            .cnLen(ProcEventDecoder.PROC_EVENT_HEADER_LENGTH + 16).nlmsgLen(68).received(68);
        appendEvent(old);
        assertEquals(81, batch.pid(0));
    }

    @ParameterizedTest
    @ValueSource(ints = {ProcEventDecoder.WHAT_SID, ProcEventDecoder.WHAT_PTRACE, ProcEventDecoder.WHAT_COREDUMP,
        ProcEventDecoder.WHAT_NONZERO_EXIT})
    void kindsThatChangeNoMembershipAreOtherWithTheirTask(int what) {
        appendEvent(Datagram.event(what).union(90, 91, 5, 5));
        assertEquals(ProcEventDecoder.kindOf(what), batch.kind(0));
        assertTrue(batch.kind(0) != EventKind.OTHER);
        assertEquals(90, batch.pid(0));
        assertEquals(91, batch.tgid(0));
    }

    @Test
    void unknownKindIsOtherWithoutATask() {
        appendEvent(Datagram.event(0x1000).union(92, 92));
        assertEquals(EventKind.OTHER, batch.kind(0));
        assertEquals(0, batch.pid(0));
        assertEquals(0, batch.tgid(0));
    }

    @Test
    void subscriptionAckIsNoEventAndCarriesItsError() {
        Datagram ack = Datagram.event(ProcEventDecoder.WHAT_NONE).union(Errno.EINVAL).putInt(ProcEventDecoder.CN_ACK_OFFSET, 8);
        ack.decode(decoder);
        assertEquals(DatagramKind.ACK, decoder.kind());
        assertEquals(Errno.EINVAL, decoder.ackError());
        assertEquals(8, decoder.cnAck());
        assertThrows(IllegalStateException.class, () -> decoder.appendTo(batch));
        assertEquals(0, batch.size());
    }

    @Test
    void datagramShorterThanTheNetlinkHeaderIsTruncated() {
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_EXEC).received(15).decode(decoder).kind());
    }

    @Test
    void nlmsgLenBeyondTheDatagramIsTruncated() {
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_EXEC).received(75).decode(decoder).kind());
    }

    @Test
    void nlmsgLenBelowTheHeaderIsTruncated() {
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_EXEC).nlmsgLen(8).decode(decoder).kind());
    }

    @Test
    void nlmsgLenWithTheSignBitSetIsTruncated() {
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_EXEC).nlmsgLen(-4).decode(decoder).kind());
    }

    @Test
    void messageEndingInsideTheConnectorHeaderIsTruncated() {
        Datagram d = Datagram.event(ProcEventDecoder.WHAT_EXEC).nlmsgLen(30).received(30);
        assertEquals(DatagramKind.TRUNCATED, d.decode(decoder).kind());
    }

    @Test
    void cnLenBeyondTheMessageIsTruncated() {
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_EXEC).cnLen(41).decode(decoder).kind());
    }

    @Test
    void payloadShorterThanAProcEventHeaderIsTruncated() {
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_EXEC).cnLen(12).decode(decoder).kind());
    }

    @Test
    void unionShorterThanItsKindNeedsIsTruncated() {
        int header = ProcEventDecoder.PROC_EVENT_HEADER_LENGTH;
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_FORK).cnLen(header + 12).decode(decoder).kind());
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_COMM).cnLen(header + 23).decode(decoder).kind());
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_EXEC).cnLen(header + 7).decode(decoder).kind());
        assertEquals(DatagramKind.TRUNCATED, Datagram.event(ProcEventDecoder.WHAT_NONE).cnLen(header + 3).decode(decoder).kind());
    }

    @Test
    void messageFromAnotherConnectorIsForeign() {
        Datagram otherIdx = Datagram.event(ProcEventDecoder.WHAT_EXEC).putInt(ProcEventDecoder.CN_IDX_OFFSET, 2);
        Datagram otherVal = Datagram.event(ProcEventDecoder.WHAT_EXEC).putInt(ProcEventDecoder.CN_VAL_OFFSET, 2);
        assertEquals(DatagramKind.FOREIGN, otherIdx.decode(decoder).kind());
        assertTrue(decoder.kind().isMalformed());
        assertEquals(DatagramKind.FOREIGN, otherVal.decode(decoder).kind());
    }

    @Test
    void unexpectedNetlinkTypeIsForeign() {
        Datagram d = Datagram.event(ProcEventDecoder.WHAT_EXEC).union(1, 1);
        d.buffer().putShort(ProcEventDecoder.NLMSG_TYPE_OFFSET, (short) 16);
        assertEquals(DatagramKind.FOREIGN, d.decode(decoder).kind());
    }

    @Test
    void netlinkErrorCarriesItsNegativeErrno() {
        Datagram error = Datagram.netlink(ProcEventDecoder.NLMSG_ERROR, 20).putInt(16, -Errno.EPERM);
        assertEquals(DatagramKind.NETLINK_ERROR, error.decode(decoder).kind());
        assertEquals(-Errno.EPERM, decoder.netlinkErrorCode());
        assertEquals(DatagramKind.TRUNCATED,
            Datagram.netlink(ProcEventDecoder.NLMSG_ERROR, 2).decode(decoder).kind());
    }

    @Test
    void netlinkOverrunAndNoopAreRecognised() {
        assertEquals(DatagramKind.NETLINK_OVERRUN,
            Datagram.netlink(ProcEventDecoder.NLMSG_OVERRUN, 0).decode(decoder).kind());
        assertEquals(DatagramKind.NETLINK_NOOP,
            Datagram.netlink(ProcEventDecoder.NLMSG_NOOP, 0).decode(decoder).kind());
    }

    @Test
    void malformedDatagramIsNeverAppended() {
        Datagram.event(ProcEventDecoder.WHAT_FORK).received(40).decode(decoder);
        assertThrows(IllegalStateException.class, () -> decoder.appendTo(batch));
        assertEquals(0, batch.size());
    }

    @Test
    void datagramIsDecodedWhereverItSitsInTheBuffer() {
        Datagram exit = Datagram.event(ProcEventDecoder.WHAT_EXIT).union(1234, 1234, 0, 17);
        ByteBuffer shared = ByteBuffer.allocateDirect(512).order(ByteOrder.nativeOrder());
        shared.put(100, exit.buffer(), 0, exit.length());
        decoder.wrap(shared, 100, exit.length());
        assertEquals(DatagramKind.PROC_EVENT, decoder.kind());
        decoder.appendTo(batch);
        assertEquals(1234, batch.pid(0));
        assertEquals(EventKind.EXIT, batch.kind(0));
    }

    @Test
    void decodingIntoABatchAllocatesNothing() {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] name = "abcdefghijklmnop".getBytes(StandardCharsets.US_ASCII);
        ByteBuffer fork = Datagram.event(ProcEventDecoder.WHAT_FORK).union(1, 1, 2, 2).buffer();
        ByteBuffer comm = Datagram.event(ProcEventDecoder.WHAT_COMM).union(2, 2)
            .putBytes(ProcEventDecoder.UNION_OFFSET + 8, name).buffer();
        EventBatch big = new EventBatch(2);
        decodeRepeatedly(fork, comm, big, 20_000);
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        decodeRepeatedly(fork, comm, big, 20_000);
        long allocated = threads.getThreadAllocatedBytes(thread) - before;
        assertEquals(0, allocated, "bytes allocated while decoding 40000 datagrams");
    }

    private void decodeRepeatedly(ByteBuffer fork, ByteBuffer comm, EventBatch into, int rounds) {
        for (int i = 0; i < rounds; i++) {
            into.clear();
            decoder.wrap(fork, 0, Datagram.EVENT_LENGTH).appendTo(into);
            decoder.wrap(comm, 0, Datagram.EVENT_LENGTH).appendTo(into);
        }
    }
}
