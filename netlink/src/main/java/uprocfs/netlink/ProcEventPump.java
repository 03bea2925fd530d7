package uprocfs.netlink;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

import uprocfs.core.event.EventBatch;

/**
 * The event thread, which is the daemon's event loop (docs/ARCHITECTURE.md): receives from a
 * {@link ProcEventSource} into one reusable {@link EventBatch}, hands every non-empty (or
 * lost) batch to a {@link BatchHandler}, and between receives lets the handler run the work
 * other threads posted to it ({@link BatchHandler#doWork}, {@link #wakeUp}).
 *
 * <p>A daemon that silently stops applying events is the worst outcome, so when receiving or
 * the handler throws, the thread records the failure ({@link #failure()}), reports it to the
 * failure callback and ends. The pump does not close the source: whoever opened it closes it
 * after {@link #stop()}.
 *
 * <p>Events are let gather between reads, so that under a stream of them each wake-up
 * takes all that arrived meanwhile, in one recvmmsg and one lock acquisition: a process that
 * forks, execs and exits is three datagrams, and waking the event thread for each costs the
 * machine far more than applying them (on this project's 2-CPU virtual machine a storm of
 * short commands ran 35% slower with a daemon that woke per datagram; docs/BENCHMARKS.md).
 * While the thread sleeps it is not waiting on the socket, so the kernel's delivery wakes
 * nobody. After a batch the thread sleeps for the first gathering interval. A read that finds
 * events at least as dense as one every 2 ms doubles the interval, up to the longest; a
 * sparser read halves it, down to the first; a read that finds nothing sends the
 * thread back to waiting on the socket. So the first event after a quiet spell is applied at
 * once, events that come a few at a time within a millisecond or two, and only a stream of
 * more than 500 a second (a fork storm, a parallel build) waits up to the longest interval,
 * where it costs the daemon some 15 wake-ups a second however fast it flows.
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
    private final long firstGatherNanos;
    private final long longestGatherNanos;
    private final Thread thread;
    private volatile boolean running;
    private volatile Throwable failure;

    /** The daemon's first gathering interval after a batch. */
    static final Duration FIRST_GATHER = Duration.ofMillis(1);
    /**
     * The daemon's longest gathering interval: how stale, at most, the files are while events
     * stream in without a pause. Chosen by measurement (docs/BENCHMARKS.md, "Overhead").
     */
    static final Duration LONGEST_GATHER = Duration.ofMillis(64);

    /** Events closer together than this, on average over a read, make the next interval longer. */
    private static final long DENSE_SPACING_NANOS = 2_000_000;

    /** A pump that gathers events from {@link #FIRST_GATHER} up to {@link #LONGEST_GATHER}. */
    public ProcEventPump(ProcEventSource source, int batchCapacity, BatchHandler handler,
                         Consumer<Throwable> onFailure) {
        this(source, batchCapacity, handler, onFailure, FIRST_GATHER, LONGEST_GATHER);
    }

    /**
     * @param source the subscription to read; used only by the pump's thread once started
     * @param batchCapacity the most events handed over at once
     * @param handler applies each batch, on the pump's thread
     * @param onFailure told, on the pump's thread, why the pump stopped by itself
     * @param firstGather how long to let events gather after a batch (zero: read again at once)
     * @param longestGather the most that interval grows to while reads find events densely
     */
    public ProcEventPump(ProcEventSource source, int batchCapacity, BatchHandler handler,
                         Consumer<Throwable> onFailure, Duration firstGather, Duration longestGather) {
        this.source = Objects.requireNonNull(source, "source");
        this.batch = new EventBatch(batchCapacity);
        this.handler = Objects.requireNonNull(handler, "handler");
        this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
        if (firstGather.isNegative() || longestGather.compareTo(firstGather) < 0) {
            throw new IllegalArgumentException("gathering intervals must be 0 <= first <= longest: " + firstGather
                + ", " + longestGather);
        }
        this.firstGatherNanos = firstGather.toNanos();
        this.longestGatherNanos = longestGather.toNanos();
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
        // Cuts short a gathering sleep; a receive in progress ends within its poll interval.
        LockSupport.unpark(thread);
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

    /**
     * Makes the thread run {@link BatchHandler#doWork} soon: cuts short its wait on the
     * socket or its gathering sleep. Any thread.
     */
    public void wakeUp() {
        source.wakeUp();
        LockSupport.unpark(thread);
    }

    /** Whether the thread is running: started, not stopped and not failed. */
    public boolean isRunning() {
        return thread.isAlive() && running;
    }

    /** Why the thread stopped by itself, or null. */
    public Throwable failure() {
        return failure;
    }

    /** The interval to sleep after a read that found {@code events} having slept {@code gather}. */
    private long nextGather(long gather, int events) {
        if (gather == 0) {
            return firstGatherNanos;
        }
        if ((long) events * DENSE_SPACING_NANOS >= gather) {
            return Math.min(2 * gather, longestGatherNanos);
        }
        return Math.max(gather / 2, firstGatherNanos);
    }

    private void run() {
        // 0 while the thread waits on the socket; else how long it sleeps after the next batch.
        long gather = 0;
        try {
            boolean moreWork = handler.doWork();
            while (running) {
                batch.clear();
                source.receive(batch, moreWork ? 0 : POLL_MILLIS);
                boolean events = !batch.isEmpty() || batch.lost();
                if (events) {
                    handler.onBatch(batch);
                }
                moreWork = handler.doWork();
                if (!events) {
                    gather = 0;
                    continue;
                }
                if (batch.isFull()) {
                    // More is queued: read on without waiting.
                    continue;
                }
                gather = nextGather(gather, batch.size());
                if (gather > 0 && !moreWork) {
                    LockSupport.parkNanos(gather);
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
