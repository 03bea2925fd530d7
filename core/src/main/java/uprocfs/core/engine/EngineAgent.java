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
import uprocfs.core.event.ExitNames;
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

    /** The default of {@code -o max_templated}: the most templated files one configuration makes. */
    public static final int DEFAULT_MAX_TEMPLATED = 100_000;

    public EngineAgent(PreparedRules rules, ProcFs proc, Counters counters) {
        this(rules, proc, counters, DEFAULT_MAX_TEMPLATED, AccountLookup.NUMBERS);
    }

    /**
     * @param maxTemplated the most templated sets a configuration may make
     * @param accounts     finds user and group names for templated rules, off the loop
     */
    public EngineAgent(PreparedRules rules, ProcFs proc, Counters counters, int maxTemplated,
                       AccountLookup accounts) {
        this.state = new EngineState(rules, counters, System.currentTimeMillis(), maxTemplated, accounts,
                this::accountNamed);
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

    /**
     * Where the names of ended processes come from, for the exits of processes whose exec
     * could not be read (else they count in no set). Before the loop starts, or on it.
     */
    public void exitNames(ExitNames names) {
        events.exitNames(names);
    }

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
        Generation next = state.generation(rules, now);
        TaskTable tasks = state.tasks;
        // Parents first, so that a process can be started in the new trees its parent is in.
        int[] order = tasks.slotsParentFirst();
        int n = order.length;
        int[][] matched = new int[n][];
        int[][] started = new int[n][];
        int[][] inTrees = new int[n][];
        TreeCarry carry = new TreeCarry(old.prepared(), rules, n);
        // Rules that need what the old ones did not read (an executable, a command line)
        // have it read now, on the loop: a reload is rare, and a process's exe or cmdline
        // changes only at exec, whose event comes after this read if it comes at all.
        ProcFs.Detail had = old.detail();
        ProcFs.Detail need = rules.detail();
        boolean readExe = need.exe() && !had.exe();
        boolean readArgs = need.args() && !had.args();
        String[] exes = new String[n];
        String[] argv = new String[n];
        // The new namespaces are not published yet, and the loop is the table's only writer:
        // no lock is needed to fill them.
        for (int i = 0; i < n; i++) {
            int s = order[i];
            started[i] = carry.started(tasks.startedIn(s), inTrees, tasks.slot(tasks.ppid(s)));
            exes[i] = tasks.exe(s);
            argv[i] = tasks.args(s);
            if (readExe || readArgs) {
                TaskInfo t = proc.read(tasks.pid(s), need);
                if (t != null) {
                    exes[i] = readExe ? t.exe() : exes[i];
                    argv[i] = readArgs ? t.args() : argv[i];
                }
            }
            matched[i] = next.match(tasks.euid(s), tasks.egid(s), tasks.comm(s), exes[i], argv[i], started[i], now);
            inTrees[i] = next.childTrees();
            carry.placed(s, i);
            for (int id : matched[i]) {
                next.ns(id).add(tasks.pid(s), now);
            }
        }
        next.keepModificationTimes(old, now);
        state.lock.writeLock().lock();
        try {
            for (int i = 0; i < n; i++) {
                tasks.setNamespaces(order[i], matched[i]);
                tasks.setTrees(order[i], started[i], inTrees[i]);
                tasks.setDetail(order[i], exes[i], argv[i]);
            }
            state.current = next;
        } finally {
            state.lock.writeLock().unlock();
        }
        state.counters.increment(Metric.RELOADS);
        return next.shownCount();
    }

    /**
     * What a process was started in, across a reload: the trees the reload kept (same root,
     * same conditions) stay as they were; a tree the new rules bring is rebuilt from parent
     * links, as at startup.
     */
    private static final class TreeCarry {
        private final int[] same;
        private final boolean[] fresh;
        private final it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap indexOfSlot;

        TreeCarry(PreparedRules before, PreparedRules after, int tasks) {
            same = after.sameTrees(before);
            fresh = new boolean[after.trees()];
            Arrays.fill(fresh, true);
            for (int t : same) {
                if (t >= 0) {
                    fresh[t] = false;
                }
            }
            indexOfSlot = new it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap(after.trees() == 0 ? 0 : tasks);
            indexOfSlot.defaultReturnValue(-1);
        }

        /** The new trees a process is started in. */
        int[] started(int[] before, int[][] inTrees, int parentSlot) {
            if (fresh.length == 0) {
                return uprocfs.core.rule.RuleIndex.NONE;
            }
            it.unimi.dsi.fastutil.ints.IntAVLTreeSet out = new it.unimi.dsi.fastutil.ints.IntAVLTreeSet();
            for (int t : before) {
                if (same[t] >= 0) {
                    out.add(same[t]);
                }
            }
            int parent = parentSlot < 0 ? -1 : indexOfSlot.get(parentSlot);
            if (parent >= 0) {
                for (int t : inTrees[parent]) {
                    if (fresh[t]) {
                        out.add(t);
                    }
                }
            }
            return out.isEmpty() ? uprocfs.core.rule.RuleIndex.NONE : out.toIntArray();
        }

        void placed(int slot, int index) {
            if (fresh.length > 0) {
                indexOfSlot.put(slot, index);
            }
        }
    }

    /** A user or group name has come from the lookup, on its thread: the loop takes it. */
    private void accountNamed(boolean group, int id, String name) {
        post(new Command<>(() -> {
            long now = System.currentTimeMillis();
            state.accounts.answered(group, id, name, now);
            state.current.templates().answered(now);
            return null;
        }));
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
            ProcFs.Detail detail = state.current.detail();
            for (int pid : step) {
                TaskInfo t = proc.read(pid, detail);
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
