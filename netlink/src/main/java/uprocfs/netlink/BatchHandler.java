package uprocfs.netlink;

import uprocfs.core.event.EventBatch;

/**
 * Receives each batch the {@link ProcEventPump} filled, on the pump's thread. The batch is
 * reused for the next receive as soon as this returns, so keep nothing that points into it.
 */
@FunctionalInterface
public interface BatchHandler {
    /**
     * Applies {@code batch}. If {@link EventBatch#lost()} is set, events were lost before or
     * among these and the handler must reconcile with /proc; the batch may then be empty.
     */
    void onBatch(EventBatch batch);
}
