package uprocfs.core.rule;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;
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
 */
public final class RuleIndex {
    /** The shared answer for "no rule matches": most processes in most configurations. */
    public static final int[] NONE = new int[0];

    private final int size;
    private final int[] ruleUid;
    private final int[] ruleGid;
    private final boolean[] hasUid;
    private final boolean[] hasGid;
    private final String[] ruleCmd;
    private final Int2ObjectOpenHashMap<int[]> byUid = new Int2ObjectOpenHashMap<>();
    private final Int2ObjectOpenHashMap<int[]> byGid = new Int2ObjectOpenHashMap<>();
    private final Object2ObjectOpenHashMap<String, int[]> byCmd = new Object2ObjectOpenHashMap<>();

    public RuleIndex(List<RuleSpec> rules) {
        size = rules.size();
        ruleUid = new int[size];
        ruleGid = new int[size];
        hasUid = new boolean[size];
        hasGid = new boolean[size];
        ruleCmd = new String[size];
        Int2ObjectOpenHashMap<IntArrayList> uids = new Int2ObjectOpenHashMap<>();
        Int2ObjectOpenHashMap<IntArrayList> gids = new Int2ObjectOpenHashMap<>();
        Object2ObjectOpenHashMap<String, IntArrayList> cmds = new Object2ObjectOpenHashMap<>();
        for (int id = 0; id < size; id++) {
            RuleSpec r = rules.get(id);
            hasUid[id] = r.hasUid();
            hasGid[id] = r.hasGid();
            ruleUid[id] = (int) r.uid();
            ruleGid[id] = (int) r.gid();
            ruleCmd[id] = r.cmdKey();
            if (r.hasUid()) {
                uids.computeIfAbsent(ruleUid[id], k -> new IntArrayList(1)).add(id);
            } else if (r.hasGid()) {
                gids.computeIfAbsent(ruleGid[id], k -> new IntArrayList(1)).add(id);
            } else {
                cmds.computeIfAbsent(ruleCmd[id], k -> new IntArrayList(1)).add(id);
            }
        }
        uids.int2ObjectEntrySet().fastForEach(e -> byUid.put(e.getIntKey(), e.getValue().toIntArray()));
        gids.int2ObjectEntrySet().fastForEach(e -> byGid.put(e.getIntKey(), e.getValue().toIntArray()));
        cmds.object2ObjectEntrySet().fastForEach(e -> byCmd.put(e.getKey(), e.getValue().toIntArray()));
        byUid.trim();
        byGid.trim();
        byCmd.trim();
    }

    public int size() {
        return size;
    }

    /**
     * The ids of every rule a process with this identity matches, ascending; {@link #NONE}
     * when there are none.
     */
    public int[] match(int euid, int egid, String comm) {
        int[] u = byUid.get(euid);
        int[] g = byGid.get(egid);
        int[] c = byCmd.get(comm);
        if (u == null && g == null && c == null) {
            return NONE;
        }
        int[] out = new int[len(u) + len(g) + len(c)];
        int n = 0;
        n = collect(u, euid, egid, comm, out, n);
        n = collect(g, euid, egid, comm, out, n);
        n = collect(c, euid, egid, comm, out, n);
        if (n == 0) {
            return NONE;
        }
        if (n < out.length) {
            out = Arrays.copyOf(out, n);
        }
        Arrays.sort(out);
        return out;
    }

    private int collect(int[] candidates, int euid, int egid, String comm, int[] out, int n) {
        if (candidates == null) {
            return n;
        }
        for (int id : candidates) {
            if ((!hasUid[id] || ruleUid[id] == euid)
                    && (!hasGid[id] || ruleGid[id] == egid)
                    && (ruleCmd[id] == null || ruleCmd[id].equals(comm))) {
                out[n++] = id;
            }
        }
        return n;
    }

    private static int len(int[] a) {
        return a == null ? 0 : a.length;
    }
}
