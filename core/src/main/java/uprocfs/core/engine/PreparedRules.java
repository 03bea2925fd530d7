package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.NameTemplate;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;

/**
 * A configuration made ready to swap in: its rules checked and its index built. This is the
 * slow part of a reload (100,000 rules take a cold JVM a good fraction of a second), so it is
 * done by whoever asks for the swap, on their thread; the event loop only fills the new sets
 * from the processes it knows and publishes them (docs/ARCHITECTURE.md, "Commands").
 *
 * <p>Beyond the index: the process trees ({@code under NAME}; tree {@code t} is rooted at the
 * fixed rule {@link #treeRoot}, and {@link #treeOf} tells which rules are roots), the rules
 * restricted to each tree, in an order where a tree's root is decided before the rules under
 * it, and the templated rules with their parsed names.
 */
public final class PreparedRules {
    private final RuleSet rules;
    private final RuleIndex index;
    /** For each rule: the tree it is the root of, or -1; {@code null} when there are no trees. */
    private final int[] treeOf;
    /** For each tree: its root rule. */
    private final int[] treeRoot;
    /** For each tree: the fixed rules with {@code under} it, ascending. */
    private final int[][] fixedUnder;
    /** For each rule: the tree it must be in ({@code under}), or -1; {@code null} when there are no trees. */
    private final int[] underTree;
    /** The templated rules, ascending, and for each rule its parsed name (null when fixed). */
    private final int[] templated;
    private final NameTemplate[] names;
    private final ProcFs.Detail detail;

    private PreparedRules(RuleSet rules, RuleIndex index, int[] treeOf, int[] treeRoot, int[][] fixedUnder,
                          int[] underTree, int[] templated, NameTemplate[] names) {
        this.rules = rules;
        this.index = index;
        this.treeOf = treeOf;
        this.treeRoot = treeRoot;
        this.fixedUnder = fixedUnder;
        this.underTree = underTree;
        this.templated = templated;
        this.names = names;
        this.detail = new ProcFs.Detail(index.usesExe(), index.usesArgs());
    }

    /**
     * Checks and indexes {@code rules}.
     *
     * @throws IllegalArgumentException if two rules share a name, a rule is {@code under} a
     *                                  name no fixed rule has, the trees form a cycle, or an
     *                                  args regex does not compile
     */
    public static PreparedRules of(RuleSet rules) {
        List<RuleSpec> specs = rules.rules();
        Object2IntOpenHashMap<String> byName = new Object2IntOpenHashMap<>(specs.size());
        byName.defaultReturnValue(-1);
        for (int id = 0; id < specs.size(); id++) {
            RuleSpec r = specs.get(id);
            if (byName.putIfAbsent(r.name(), id) >= 0) {
                throw new IllegalArgumentException("duplicate namespace name: " + r.name());
            }
        }
        int[] treeOf = new int[specs.size()];
        Arrays.fill(treeOf, -1);
        int[] underTree = new int[specs.size()];
        Arrays.fill(underTree, -1);
        IntArrayList roots = new IntArrayList();
        IntArrayList templated = new IntArrayList();
        NameTemplate[] names = new NameTemplate[specs.size()];
        for (int id = 0; id < specs.size(); id++) {
            RuleSpec r = specs.get(id);
            if (r.templated()) {
                templated.add(id);
                names[id] = NameTemplate.parse(r.name());
            }
            String under = r.more().under();
            if (under == null) {
                continue;
            }
            int root = byName.getInt(under);
            if (root < 0 || specs.get(root).templated()) {
                throw new IllegalArgumentException("rule " + r.name() + ": under " + under
                        + (root < 0 ? ": no rule has that name" : ": a templated rule cannot root a tree"));
            }
            if (treeOf[root] < 0) {
                treeOf[root] = roots.size();
                roots.add(root);
            }
            underTree[id] = treeOf[root];
        }
        checkAcyclic(specs, byName);
        int[][] fixedUnder = new int[roots.size()][];
        IntArrayList[] lists = new IntArrayList[roots.size()];
        for (int t = 0; t < lists.length; t++) {
            lists[t] = new IntArrayList();
        }
        for (int id = 0; id < specs.size(); id++) {
            if (underTree[id] >= 0 && !specs.get(id).templated()) {
                lists[underTree[id]].add(id);
            }
        }
        for (int t = 0; t < lists.length; t++) {
            fixedUnder[t] = lists[t].toIntArray();
        }
        // Without trees or templates their per-rule columns would hold nothing: not kept.
        boolean trees = !roots.isEmpty();
        return new PreparedRules(rules, new RuleIndex(specs), trees ? treeOf : null, roots.toIntArray(), fixedUnder,
                trees ? underTree : null, templated.toIntArray(), templated.isEmpty() ? null : names);
    }

    /** Follows each rule's under chain; a chain that comes back to a rule on it is a cycle. */
    private static void checkAcyclic(List<RuleSpec> specs, Object2IntOpenHashMap<String> byName) {
        byte[] state = new byte[specs.size()];
        IntArrayList path = new IntArrayList();
        for (int start = 0; start < specs.size(); start++) {
            path.clear();
            int id = start;
            while (id >= 0 && state[id] == 0) {
                state[id] = 1;
                path.add(id);
                String under = specs.get(id).more().under();
                id = under == null ? -1 : byName.getInt(under);
            }
            if (id >= 0 && state[id] == 1) {
                throw new IllegalArgumentException("rules under one another in a cycle: " + specs.get(id).name());
            }
            for (int i = 0; i < path.size(); i++) {
                state[path.getInt(i)] = 2;
            }
        }
    }

    public RuleSet rules() {
        return rules;
    }

    RuleIndex index() {
        return index;
    }

    /** What reads of /proc must take for these rules. */
    public ProcFs.Detail detail() {
        return detail;
    }

    int trees() {
        return treeRoot.length;
    }

    int treeOf(int rule) {
        return treeOf == null ? -1 : treeOf[rule];
    }

    int treeRoot(int tree) {
        return treeRoot[tree];
    }

    int[] fixedUnder(int tree) {
        return fixedUnder[tree];
    }

    int underTree(int rule) {
        return underTree == null ? -1 : underTree[rule];
    }

    int[] templated() {
        return templated;
    }

    NameTemplate name(int rule) {
        return names == null ? null : names[rule];
    }

    /**
     * For each tree of {@code previous}, the tree of these rules that is the same one (its
     * root has the same name and the same conditions), or -1: what a process was started in
     * stays true across a reload for the trees the reload did not change.
     */
    int[] sameTrees(PreparedRules previous) {
        int[] map = new int[previous.trees()];
        Arrays.fill(map, -1);
        Map<String, Integer> mine = new HashMap<>();
        for (int t = 0; t < trees(); t++) {
            mine.put(rules.rules().get(treeRoot[t]).name(), t);
        }
        for (int t = 0; t < map.length; t++) {
            RuleSpec before = previous.rules.rules().get(previous.treeRoot[t]);
            Integer now = mine.get(before.name());
            if (now != null && sameConditions(before, rules.rules().get(treeRoot[now]))) {
                map[t] = now;
            }
        }
        return map;
    }

    /** Whether two rules select the same processes (names and lines aside). */
    static boolean sameConditions(RuleSpec a, RuleSpec b) {
        return a.uid() == b.uid() && a.gid() == b.gid() && Objects.equals(a.cmd(), b.cmd())
                && a.more().equals(b.more());
    }

    /** The names of the fixed rules, for the templated ones to keep clear of. */
    Set<String> fixedNames() {
        Set<String> out = new HashSet<>(rules.size() * 2);
        for (RuleSpec r : rules.rules()) {
            if (!r.templated()) {
                out.add(r.name());
            }
        }
        return out;
    }
}
