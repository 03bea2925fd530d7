package uprocfs.testing;

import java.util.concurrent.locks.LockSupport;
import uprocfs.core.engine.EngineAgent;

/**
 * A thread that plays the daemon's event loop for an {@link EngineAgent} in tests without a
 * netlink socket: it runs the posted commands (every millisecond, or at once when woken) until
 * closed.
 */
public final class EventLoopThread implements AutoCloseable {
    private final Thread thread;
    private volatile boolean running = true;

    public EventLoopThread(EngineAgent agent) {
        thread = new Thread(() -> {
            while (running) {
                if (!agent.doWork()) {
                    LockSupport.parkNanos(1_000_000);
                }
            }
        }, "test-event-loop");
        agent.setWaker(() -> LockSupport.unpark(thread));
        thread.start();
    }

    /** Stops the thread and waits for it. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
