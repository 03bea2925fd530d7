package uprocfs.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import uprocfs.core.engine.AccountLookup;
import uprocfs.core.engine.EngineAgent;
import uprocfs.core.engine.Namespace;
import uprocfs.core.engine.PreparedRules;
import uprocfs.core.engine.Reconciliation;
import uprocfs.core.event.EventBatch;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.stats.Counters;
import uprocfs.core.task.TaskInfo;

/**
 * An {@link EngineAgent} driven by the test's own thread, which plays the event loop: each
 * command is posted as another thread would post it, and run by {@link EngineAgent#doWork}
 * until its answer is there.
 */
public final class EngineDriver {
    public final EngineAgent agent;
    private final ProcFs proc;

    public EngineDriver(RuleSet rules, ProcFs proc) {
        this(rules, proc, EngineAgent.DEFAULT_MAX_TEMPLATED, AccountLookup.NUMBERS);
    }

    public EngineDriver(RuleSet rules, ProcFs proc, int maxTemplated, AccountLookup accounts) {
        this.agent = new EngineAgent(PreparedRules.of(rules), proc, new Counters(), maxTemplated, accounts);
        this.proc = proc;
    }

    /** A walk of /proc taking what the rules in force need, as the daemon's walks do. */
    private List<TaskInfo> scan() {
        return proc.scan(agent.view().procDetail());
    }

    /** Startup: the scan installed, as the daemon does before it applies any event. */
    public EngineDriver started() {
        run(agent.install(scan()));
        agent.doWork();
        return this;
    }

    public void apply(EventBatch batch) {
        agent.onBatch(batch);
        agent.doWork();
    }

    /** A resync, as after lost events: walk, suspects, repair. */
    public Reconciliation rescan() {
        List<TaskInfo> scan = scan();
        return run(agent.repair(run(agent.suspects(scan)), scan.size(), EngineAgent.Repair.RESYNC));
    }

    public int[] auditScan() {
        return run(agent.suspects(scan()));
    }

    public Reconciliation auditConfirm(int[] suspects) {
        return run(agent.repair(suspects, 0, EngineAgent.Repair.AUDIT));
    }

    public int replaceRules(RuleSet rules) {
        int n = run(agent.swapRules(PreparedRules.of(rules)));
        agent.doWork();
        return n;
    }

    public <T> T run(CompletableFuture<T> result) {
        while (!result.isDone()) {
            agent.doWork();
        }
        return result.join();
    }

    public Namespace namespace(String name) {
        return agent.view().namespace(name);
    }

    public List<Namespace> namespaces() {
        return agent.view().namespaces();
    }

    public int taskCount() {
        return agent.view().taskCount();
    }

    public TaskInfo task(int pid) {
        return agent.view().task(pid);
    }

    public int[] ownedBy(int[] pids, int euid) {
        return agent.view().ownedBy(pids, euid);
    }

    public Counters.Snapshot stats() {
        agent.doWork();
        return agent.view().counters();
    }
}
