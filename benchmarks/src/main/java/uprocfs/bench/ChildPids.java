package uprocfs.bench;

import uprocfs.core.engine.EngineAgent;
import uprocfs.core.event.EventBatch;

/**
 * The engine benchmarks' short-lived children: a fresh pid for each, from a range no
 * synthetic process uses, wrapping as the kernel's pid_max would.
 */
final class ChildPids {
    static final int FIRST = 1_000_000;
    private static final int LAST = 4_000_000;
    private int next = FIRST;

    /** {@code parent} forks a child that exits at once: two events, applied as one batch. */
    void forkThenExit(EngineAgent engine, EventBatch batch, int parent) {
        int child = next++;
        if (next > LAST) {
            next = FIRST;
        }
        batch.clear();
        batch.fork(parent, child, child, 0);
        batch.exit(child, child, 0);
        engine.onBatch(batch);
    }
}
