package uprocfs.netlink;

import uprocfs.core.event.EventBatch;

/**
 * The work of the {@link ProcEventPump}'s thread, the event loop: each batch the pump filled,
 * and between receives whatever else the loop owns ({@link #doWork}). The batch is reused
 * for the next receive as soon as {@link #onBatch} returns, so keep nothing that points into
 * it.
 */
@FunctionalInterface
public interface BatchHandler {
    /**
     * Applies {@code batch}. If {@link EventBatch#lost()} is set, events were lost before or
     * among these and the handler must reconcile with /proc; the batch may then be empty.
     */
    void onBatch(EventBatch batch);

    /**
     * Called after every receive, events or not, and before the first: runs work posted to
     * the loop by other threads ({@link ProcEventPump#wakeUp} cuts a wait short for it).
     *
     * @return whether more work waits, in which case the pump does not sleep before the next
     *         receive
     */
    default boolean doWork() {
        return false;
    }
}
