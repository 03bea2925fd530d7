package uprocfs.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

class McastRequestTest {
    @Test
    void listenRequestIsNetlinkDoneCarryingAConnectorMessageWithTheOp() {
        ByteBuffer buffer = ByteBuffer.allocate(McastRequest.LENGTH).order(ByteOrder.nativeOrder());
        int length = McastRequest.encode(buffer, McastRequest.PROC_CN_MCAST_LISTEN, 41, 41, 777);

        assertEquals(40, length);
        assertEquals(40, buffer.getInt(0), "nlmsg_len");
        assertEquals(3, buffer.getShort(4), "nlmsg_type NLMSG_DONE");
        assertEquals(0, buffer.getShort(6), "nlmsg_flags");
        assertEquals(41, buffer.getInt(8), "nlmsg_seq");
        assertEquals(777, buffer.getInt(12), "nlmsg_pid");
        assertEquals(1, buffer.getInt(16), "cn_msg.id.idx CN_IDX_PROC");
        assertEquals(1, buffer.getInt(20), "cn_msg.id.val CN_VAL_PROC");
        assertEquals(41, buffer.getInt(24), "cn_msg.seq");
        assertEquals(41, buffer.getInt(28), "cn_msg.ack");
        assertEquals(4, buffer.getShort(32), "cn_msg.len");
        assertEquals(0, buffer.getShort(34), "cn_msg.flags");
        assertEquals(1, buffer.getInt(36), "PROC_CN_MCAST_LISTEN");
    }

    @Test
    void ignoreRequestCarriesOpTwo() {
        ByteBuffer buffer = ByteBuffer.allocate(McastRequest.LENGTH).order(ByteOrder.nativeOrder());
        McastRequest.encode(buffer, McastRequest.PROC_CN_MCAST_IGNORE, 1, 1, 0);
        assertEquals(2, buffer.getInt(36));
        assertEquals("PROC_CN_MCAST_IGNORE", McastRequest.name(McastRequest.PROC_CN_MCAST_IGNORE));
    }
}
