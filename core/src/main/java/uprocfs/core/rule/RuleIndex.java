package uprocfs.core.rule;

import it.unimi.dsi.fastutil.ints.Int2LongMap;
import it.unimi.dsi.fastutil.ints.Int2LongMaps;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;
import com.google.re2j.Pattern;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the rules a process matches without looking at every rule: with 100,000 rules a
 * process is checked against the handful filed under its own uid, gid and comm.
 *
 * <p>Each rule is filed under exactly one of its keys, the most selective it has: uid if
 * given, else gid, else cmd. A lookup gathers the candidates filed under the process's
 * euid, egid and comm and checks each candidate's remaining keys. Rule ids are positions in
 * the rule list and double as namespace ids.
 *
 * <p>Rules with {@code exe} or {@code args} are filed the same way (under exe when they have
 * none of uid, gid and cmd; those with args alone are checked for every process). Templated
 * rules and rules with {@code under} are not filed here: their sets depend on more than the
 * process itself, and the engine's matcher handles them; {@link #match} never returns them.
 */
public final class RuleIndex {
    /** The shared answer for "no rule matches": most processes in most configurations. */
    public static final int[] NONE = new int[0];

    private final int size;
    private final int[] ruleUid;
    private final int[] ruleGid;
    private final boolean[] hasUid;
    private final boolean[] hasGid;
    /** Per rule: its cmd, exe and args conditions; {@code null} where no rule has one. */
    private final String[] ruleCmd;
    private final String[] ruleExe;
    private final Pattern[] ruleArgs;
    private final Object2ObjectOpenHashMap<String, int[]> byExe = new Object2ObjectOpenHashMap<>();
    private final int[] argsOnly;
    private final IntBuckets byUid;
    private final IntBuckets byGid;
    private final Object2ObjectOpenHashMap<String, int[]> byCmd = new Object2ObjectOpenHashMap<>();

    public RuleIndex(List<RuleSpec> rules) {
        size = rules.size();
        ruleUid = new int[size];
        ruleGid = new int[size];
        hasUid = new boolean[size];
        hasGid = new boolean[size];
        String[] cmdOf = new String[size];
        String[] exeOf = new String[size];
        Pattern[] argsOf = new Pattern[size];
        boolean anyCmd = false;
        boolean anyExe = false;
        boolean anyArgs = false;
        Object2ObjectOpenHashMap<String, IntArrayList> exes = new Object2ObjectOpenHashMap<>();
        IntArrayList loose = new IntArrayList();
        IntArrayList uids = new IntArrayList();
        IntArrayList gids = new IntArrayList();
        Object2ObjectOpenHashMap<String, IntArrayList> cmds = new Object2ObjectOpenHashMap<>();
        for (int id = 0; id < size; id++) {
            RuleSpec r = rules.get(id);
            hasUid[id] = r.hasUid();
            hasGid[id] = r.hasGid();
            ruleUid[id] = (int) r.uid();
            ruleGid[id] = (int) r.gid();
            cmdOf[id] = r.cmdKey();
            exeOf[id] = r.more().exe();
            argsOf[id] = r.more().args() == null ? null : compile(r);
            anyCmd |= cmdOf[id] != null;
            anyExe |= exeOf[id] != null;
            anyArgs |= argsOf[id] != null;
            if (r.templated() || r.more().under() != null) {
                continue;
            }
            if (r.hasUid()) {
                uids.add(id);
            } else if (r.hasGid()) {
                gids.add(id);
            } else if (r.hasCmd()) {
                cmds.computeIfAbsent(cmdOf[id], k -> new IntArrayList(1)).add(id);
            } else if (exeOf[id] != null) {
                exes.computeIfAbsent(exeOf[id], k -> new IntArrayList(1)).add(id);
            } else {
                loose.add(id);
            }
        }
        // Columns no rule uses are not kept: with 100,000 uid rules, 1.2 MB of nulls.
        ruleCmd = anyCmd ? cmdOf : null;
        ruleExe = anyExe ? exeOf : null;
        ruleArgs = anyArgs ? argsOf : null;
        argsOnly = loose.toIntArray();
        exes.object2ObjectEntrySet().fastForEach(e -> byExe.put(e.getKey(), e.getValue().toIntArray()));
        byExe.trim();
        byUid = new IntBuckets(uids, ruleUid);
        byGid = new IntBuckets(gids, ruleGid);
        cmds.object2ObjectEntrySet().fastForEach(e -> byCmd.put(e.getKey(), e.getValue().toIntArray()));
        byCmd.trim();
    }

    public int size() {
        return size;
    }

    /**
     * The ids of every rule a process with this identity matches, ascending; {@link #NONE}
     * when there are none. For a process whose executable and command line are not known.
     */
    public int[] match(int euid, int egid, String comm) {
        return match(euid, egid, comm, null, null);
    }

    /**
     * As {@link #match(int, int, String)}, with the executable and the command line
     * ({@code null}: unknown, and then no rule with exe or args matches).
     */
    public int[] match(int euid, int egid, String comm, String exe, String args) {
        long u = byUid.run(euid);
        long g = byGid.run(egid);
        int[] c = byCmd.get(comm);
        int[] e = exe == null ? null : byExe.get(exe);
        if (u == IntBuckets.NO_RUN && g == IntBuckets.NO_RUN && c == null && e == null && argsOnly.length == 0) {
            return NONE;
        }
        int[] out = new int[IntBuckets.length(u) + IntBuckets.length(g) + len(c) + len(e) + argsOnly.length];
        int n = 0;
        n = collect(byUid.ids, IntBuckets.start(u), IntBuckets.length(u), euid, egid, comm, exe, args, out, n);
        n = collect(byGid.ids, IntBuckets.start(g), IntBuckets.length(g), euid, egid, comm, exe, args, out, n);
        n = collect(c, 0, len(c), euid, egid, comm, exe, args, out, n);
        n = collect(e, 0, len(e), euid, egid, comm, exe, args, out, n);
        n = collect(argsOnly, 0, argsOnly.length, euid, egid, comm, exe, args, out, n);
        if (n == 0) {
            return NONE;
        }
        if (n < out.length) {
            out = Arrays.copyOf(out, n);
        }
        Arrays.sort(out);
        return out;
    }

    /** Whether rule {@code id}'s uid, gid, cmd, exe and args conditions hold (not its under). */
    public boolean matches(int id, int euid, int egid, String comm, String exe, String args) {
        return (!hasUid[id] || ruleUid[id] == euid)
                && (!hasGid[id] || ruleGid[id] == egid)
                && (ruleCmd == null || ruleCmd[id] == null || ruleCmd[id].equals(comm))
                && (ruleExe == null || ruleExe[id] == null || ruleExe[id].equals(exe))
                && (ruleArgs == null || ruleArgs[id] == null || (args != null && ruleArgs[id].matcher(args).find()));
    }

    /** Whether any rule needs the executable, or the command line: what /proc reads must include. */
    public boolean usesExe() {
        return ruleExe != null;
    }

    public boolean usesArgs() {
        return ruleArgs != null;
    }

    private static Pattern compile(RuleSpec r) {
        try {
            return Pattern.compile(r.more().args());
        } catch (com.google.re2j.PatternSyntaxException e) {
            throw new IllegalArgumentException("rule " + r.name() + ": args regex does not compile: "
                    + e.getMessage(), e);
        }
    }

    private int collect(int[] candidates, int from, int count, int euid, int egid, String comm, String exe,
                        String args, int[] out, int n) {
        for (int i = from; i < from + count; i++) {
            int id = candidates[i];
            if (matches(id, euid, egid, comm, exe, args)) {
                out[n++] = id;
            }
        }
        return n;
    }

    /**
     * Rules filed under an int key (a uid, a gid): every rule's id in one array, those of a
     * key in a run of it, ascending, and per key where its run starts and how long it is.
     * With 100,000 uid rules an array per key was 2.4 MB of small objects that every young
     * collection of the startup copied.
     */
    private static final class IntBuckets {
        /** {@link #run} of a key with no rules. */
        static final long NO_RUN = 0;

        final int[] ids;
        /** Key to its run: start in the high half, length in the low half. */
        private final Int2LongOpenHashMap runs;

        /** Files the rules {@code filed} (ascending) under {@code keyOf[id]}. */
        IntBuckets(IntArrayList filed, int[] keyOf) {
            ids = new int[filed.size()];
            runs = new Int2LongOpenHashMap(filed.size());
            runs.defaultReturnValue(NO_RUN);
            for (int i = 0; i < filed.size(); i++) {
                runs.addTo(keyOf[filed.getInt(i)], 1);
            }
            // Each key's count becomes its run's start, the run still empty.
            int start = 0;
            for (Int2LongMap.Entry entry : Int2LongMaps.fastIterable(runs)) {
                int length = (int) entry.getLongValue();
                entry.setValue((long) start << 32);
                start += length;
            }
            for (int i = 0; i < filed.size(); i++) {
                int id = filed.getInt(i);
                long run = runs.get(keyOf[id]);
                ids[start(run) + length(run)] = id;
                runs.put(keyOf[id], run + 1);
            }
            runs.trim();
        }

        /** The run of {@code key}, or {@link #NO_RUN}. */
        long run(int key) {
            return runs.get(key);
        }

        static int start(long run) {
            return (int) (run >>> 32);
        }

        static int length(long run) {
            return (int) run;
        }
    }

    private static int len(int[] a) {
        return a == null ? 0 : a.length;
    }
}
