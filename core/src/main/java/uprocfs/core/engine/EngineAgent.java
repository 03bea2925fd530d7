package uprocfs.core.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;
import uprocfs.core.event.EventBatch;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;
import uprocfs.core.task.TaskInfo;

/**
 * The engine's only writer, in the shape Agrona and Aeron give their agents: one thread, the
 * event loop, owns the state (task table, namespaces, counters) and calls {@link #onBatch}
 * and {@link #doWork}; every other thread asks for a change by posting a command, which the
 * loop runs between batches, and gets its answer through a future (docs/ARCHITECTURE.md).
 *
 * <p>Commands carry what was slow to get, done on the asking thread: a walk of {@code /proc}
 * (startup, resync, audit), a configuration parsed and indexed (reload). What they do on the
 * loop is short: compare, re-read a few processes, swap. A long repair is cut into steps of
 * {@link #REPAIR_STEP} processes, with batches applied between them.
 */
public final class EngineAgent {
    /** What a repair is for, which decides what it counts. */
    public enum Repair {
        /** After lost events: counts resyncs and resync_repairs. */
        RESYNC,
        /** The periodic audit's second look: counts audits, audit_repairs and last_audit. */
        AUDIT
    }

    /** Processes a repair re-reads from /proc in one step, between batches: about 2 ms. */
    static final int REPAIR_STEP = 128;

    private final EngineState state;
    private final EventApplier events;
    /** The loop's reader of /proc: one buffer for every read the loop makes. */
    private final ProcFs.TaskReader proc;
    private final EngineView view;
    private final Queue<Command<?>> commands = new ConcurrentLinkedQueue<>();
    private volatile Runnable waker = () -> { };
    private volatile boolean closed;

    /** An engine for {@code rules} that reads {@code proc}, with counters of its own. */
    public EngineAgent(RuleSet rules, ProcFs proc) {
        this(PreparedRules.of(rules), proc, new Counters());
    }

    public EngineAgent(PreparedRules rules, ProcFs proc, Counters counters) {
        this.state = new EngineState(rules, counters, System.currentTimeMillis());
        this.proc = proc.taskReader();
        this.events = new EventApplier(state, this.proc);
        this.view = new EngineView(state);
        state.updateGauges();
        counters.publish();
    }

    /** The read-only side, for any thread. */
    public EngineView view() {
        return view;
    }

    // ------------------------------------------------------------- the event loop's side

    /** Event loop only: applies a batch of events in order. */
    public void onBatch(EventBatch batch) {
        events.apply(batch);
    }

    /**
     * Event loop only: runs the commands posted so far (a long one for one step), then
     * publishes the counters.
     *
     * @return whether commands are waiting still, so the loop should not sleep
     */
    public boolean doWork() {
        for (int n = commands.size(); n > 0; n--) {
            Command<?> c = commands.poll();
            if (c == null) {
                break;
            }
            if (!c.step()) {
                commands.add(c);
            }
        }
        state.updateGauges();
        state.counters.publish();
        return !commands.isEmpty();
    }

    /**
     * Event loop only, once it has stopped: fails every command waiting and every later one,
     * so that nobody waits for a loop that is gone.
     */
    public void shutDown() {
        closed = true;
        failWaiting();
    }

    // ------------------------------------------------------------- any thread's side

    /** Called, on the posting thread, after each command is posted: wakes the loop. */
    public void setWaker(Runnable waker) {
        this.waker = waker;
    }

    /**
     * Startup: takes a walk of /proc made before any event was applied as the truth. Events
     * that queued meanwhile are applied after it, which is right because applying them is
     * idempotent (docs/ARCHITECTURE.md, "Reconciliation").
     */
    public CompletableFuture<Reconciliation> install(List<TaskInfo> scan) {
        long t0 = System.nanoTime();
        return post(new Command<>(() -> state.apply(Difference.between(scan, state.tasks, null), scan.size(), t0)));
    }

    /**
     * The processes a walk of /proc, made while events were being applied, finds different
     * from the table: each is an event still queued, an event applied after the walk read it,
     * or a real difference. {@link #repair} tells them apart.
     */
    public CompletableFuture<int[]> suspects(List<TaskInfo> scan) {
        return post(new Command<>(() -> Difference.between(scan, state.tasks, null).pids()));
    }

    /**
     * Reads each of {@code suspects} from /proc again, on the loop, and makes the table agree
     * with what it reads. Reading on the loop is what makes this exact: no event is applied
     * between the read and the repair, and events still queued apply after it idempotently.
     *
     * @param scanned how many processes the walk that found the suspects read, for the result
     */
    public CompletableFuture<Reconciliation> repair(int[] suspects, int scanned, Repair purpose) {
        return post(new RepairCommand(suspects.clone(), scanned, purpose));
    }

    /**
     * Swaps in a configuration without touching the task table: every namespace of the new
     * rules is filled from the processes already known, then the whole set replaces the old
     * one at once. Counts a reload.
     *
     * @return the number of namespaces now in force
     */
    public CompletableFuture<Integer> swapRules(PreparedRules rules) {
        return post(new Command<>(() -> swap(rules)));
    }

    /** Counts a reload whose configuration was refused. */
    public CompletableFuture<Long> countReloadFailure() {
        return post(new Command<>(() -> {
            state.counters.increment(Metric.RELOAD_FAILURES);
            return state.counters.get(Metric.RELOAD_FAILURES);
        }));
    }

    private <T> CompletableFuture<T> post(Command<T> c) {
        commands.add(c);
        if (closed) {
            failWaiting();
        } else {
            waker.run();
        }
        return c.result;
    }

    private void failWaiting() {
        for (Command<?> c = commands.poll(); c != null; c = commands.poll()) {
            c.result.completeExceptionally(new CancellationException("the event loop has stopped"));
        }
    }

    // ------------------------------------------------------------- commands, on the loop

    private int swap(PreparedRules rules) {
        long now = System.currentTimeMillis();
        Generation old = state.current;
        Generation next = Generation.of(rules, state.lock.readLock(), now);
        TaskTable tasks = state.tasks;
        int[] pids = tasks.pids();
        int[][] matched = new int[pids.length][];
        // The new namespaces are not published yet, and the loop is the table's only writer:
        // no lock is needed to fill them.
        for (int i = 0; i < pids.length; i++) {
            int s = tasks.slot(pids[i]);
            matched[i] = next.index().match(tasks.euid(s), tasks.egid(s), tasks.comm(s));
            for (int id : matched[i]) {
                next.byId()[id].add(pids[i], now);
            }
        }
        next.keepModificationTimes(old, now);
        state.lock.writeLock().lock();
        try {
            for (int i = 0; i < pids.length; i++) {
                tasks.setNamespaces(tasks.slot(pids[i]), matched[i]);
            }
            state.current = next;
        } finally {
            state.lock.writeLock().unlock();
        }
        state.counters.increment(Metric.RELOADS);
        return next.list().size();
    }

    /** A posted request; {@link #step} runs on the loop and is true once the result is complete. */
    private static class Command<T> {
        final CompletableFuture<T> result = new CompletableFuture<>();
        private final Supplier<T> body;

        Command(Supplier<T> body) {
            this.body = body;
        }

        /** Runs (a step of) the command; a failure completes it with that failure. */
        final boolean step() {
            try {
                return runStep();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                return true;
            }
        }

        boolean runStep() {
            result.complete(body.get());
            return true;
        }
    }

    /** {@link #repair}, {@link #REPAIR_STEP} processes at a time. */
    private final class RepairCommand extends Command<Reconciliation> {
        private final int[] suspects;
        private final int scanned;
        private final Repair purpose;
        private final long startedNanos = System.nanoTime();
        private int next;
        private int added;
        private int removed;
        private int changed;

        RepairCommand(int[] suspects, int scanned, Repair purpose) {
            super(null);
            this.suspects = suspects;
            this.scanned = scanned;
            this.purpose = purpose;
        }

        @Override
        boolean runStep() {
            int end = Math.min(suspects.length, next + REPAIR_STEP);
            int[] step = Arrays.copyOfRange(suspects, next, end);
            List<TaskInfo> read = new ArrayList<>(step.length);
            for (int pid : step) {
                TaskInfo t = proc.read(pid);
                if (t != null) {
                    read.add(t);
                }
            }
            Reconciliation r = state.apply(Difference.between(read, state.tasks, step), read.size(), startedNanos);
            added += r.added();
            removed += r.removed();
            changed += r.changed();
            next = end;
            if (next < suspects.length) {
                return false;
            }
            int repairs = added + removed + changed;
            Counters counters = state.counters;
            if (purpose == Repair.RESYNC) {
                counters.increment(Metric.RESYNCS);
                counters.add(Metric.RESYNC_REPAIRS, repairs);
            } else {
                counters.increment(Metric.AUDITS);
                counters.add(Metric.AUDIT_REPAIRS, repairs);
                counters.set(Metric.LAST_AUDIT, System.currentTimeMillis());
            }
            result.complete(new Reconciliation(scanned, added, removed, changed, System.nanoTime() - startedNanos));
            return true;
        }
    }
}
