package uprocfs.netlink;

import java.util.Objects;
import java.util.function.Consumer;

import uprocfs.core.event.EventBatch;

/**
 * The event thread: receives from a {@link ProcEventSource} into one reusable
 * {@link EventBatch} and hands every non-empty (or lost) batch to a {@link BatchHandler}.
 *
 * <p>A daemon that silently stops applying events is the worst outcome, so when receiving or
 * the handler throws, the thread records the failure ({@link #failure()}), reports it to the
 * failure callback and ends. The pump does not close the source: whoever opened it closes it
 * after {@link #stop()}.
 */
public final class ProcEventPump {
    /** The thread's name, as it shows in thread dumps and /proc/PID/task/TID/comm. */
    public static final String THREAD_NAME = "uproc-events";
    /** How long one receive waits, which bounds how long {@link #stop()} takes to be noticed. */
    static final int POLL_MILLIS = 200;

    private final ProcEventSource source;
    private final EventBatch batch;
    private final BatchHandler handler;
    private final Consumer<Throwable> onFailure;
    private final Thread thread;
    private volatile boolean running;
    private volatile Throwable failure;

    /**
     * @param source the subscription to read; used only by the pump's thread once started
     * @param batchCapacity the most events handed over at once
     * @param handler applies each batch, on the pump's thread
     * @param onFailure told, on the pump's thread, why the pump stopped by itself
     */
    public ProcEventPump(ProcEventSource source, int batchCapacity, BatchHandler handler,
                         Consumer<Throwable> onFailure) {
        this.source = Objects.requireNonNull(source, "source");
        this.batch = new EventBatch(batchCapacity);
        this.handler = Objects.requireNonNull(handler, "handler");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        this.thread = new Thread(this::run, THREAD_NAME);
    }

    /** Starts the thread. A pump starts once. */
    public void start() {
        if (thread.getState() != Thread.State.NEW) {
            throw new IllegalStateException("the event pump was already started");
        }
        running = true;
        thread.start();
    }

    /**
     * Asks the thread to end and waits until it has, which takes at most one poll interval
     * (200 ms) plus the handler's current batch. Safe to call more than once, before start,
     * and from the handler itself (then it does not wait). Keeps the caller's interrupt
     * status but does not return early on interrupt: after stop() the source is free.
     */
    public void stop() {
        running = false;
        if (Thread.currentThread() == thread || thread.getState() == Thread.State.NEW) {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether the thread is running: started, not stopped and not failed. */
    public boolean isRunning() {
        return thread.isAlive() && running;
    }

    /** Why the thread stopped by itself, or null. */
    public Throwable failure() {
        return failure;
    }

    private void run() {
        try {
            while (running) {
                batch.clear();
                source.receive(batch, POLL_MILLIS);
                if (!batch.isEmpty() || batch.lost()) {
                    handler.onBatch(batch);
                }
            }
        } catch (Throwable t) {
            failure = t;
            running = false;
            try {
                onFailure.accept(t);
            } catch (Throwable reporting) {
                t.addSuppressed(reporting);
            }
        }
    }
}
