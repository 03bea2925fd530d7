package uprocfs.netlink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import uprocfs.core.event.EventBatch;
import uprocfs.core.event.EventKind;

/** One event copied out of a batch, so that tests can look back at what arrived. */
record ReceivedEvent(int kind, int pid, int tgid, int parentTgid, String comm) {

    static ReceivedEvent copy(EventBatch batch, int i) {
        String comm = batch.kind(i) == EventKind.COMM ? batch.commKey(i) : null;
        int parent = batch.kind(i) == EventKind.FORK ? batch.parentTgid(i) : 0;
        return new ReceivedEvent(batch.kind(i), batch.pid(i), batch.tgid(i), parent, comm);
    }

    /**
     * Receives from {@code source} until the events seen so far satisfy {@code done} or
     * {@code timeout} passes; returns everything seen either way.
     */
    static List<ReceivedEvent> receiveUntil(ProcEventSource source, Predicate<List<ReceivedEvent>> done,
                                            Duration timeout) throws NetlinkException {
        List<ReceivedEvent> seen = new ArrayList<>();
        EventBatch batch = new EventBatch(1024);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(seen) && System.nanoTime() < deadline) {
            batch.clear();
            source.receive(batch, 100);
            for (int i = 0; i < batch.size(); i++) {
                seen.add(copy(batch, i));
            }
        }
        return seen;
    }

    static boolean any(List<ReceivedEvent> events, int kind, int pid) {
        return events.stream().anyMatch(e -> e.kind == kind && e.pid == pid);
    }
}
