package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.Lock;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.stats.Counters;

/**
 * The rules in force and the namespaces they define; replaced whole on reload. The fixed
 * rules' namespaces are made with it; the templated rules' come and go with their members
 * ({@link TemplateSets}).
 *
 * <p>{@link #match} decides a process's namespaces: the fixed rules the index finds; then
 * the trees it is in (those it was started in, and those whose root it is a member of), and
 * the rules under them, tree by tree (a rule under a tree may root another); then the
 * templated rules. Only the event loop calls it.
 */
final class Generation {
    private final PreparedRules prepared;
    private final Namespace[] byId;
    /** Never changed once made (the generation is published whole): readers need no lock. */
    private final Object2ObjectOpenHashMap<String, Namespace> byName;
    private final List<Namespace> list;
    private final TemplateSets templates;
    // Scratch for match, reused: the loop is its only caller.
    private final IntArrayList matched = new IntArrayList();
    private final IntArrayList treeQueue = new IntArrayList();
    private final boolean[] inTree;
    /** The trees the process last matched is in: what a child it starts is started in. */
    private int[] childTrees = RuleIndex.NONE;

    private Generation(PreparedRules prepared, Namespace[] byId, Object2ObjectOpenHashMap<String, Namespace> byName,
                       List<Namespace> list, TemplateSets templates) {
        this.prepared = prepared;
        this.byId = byId;
        this.byName = byName;
        this.list = list;
        this.templates = templates;
        this.inTree = new boolean[prepared.trees()];
    }

    /** Empty namespaces for {@code prepared}, made now. */
    static Generation of(PreparedRules prepared, Lock readLock, long nowMillis, int maxTemplated,
                         AccountNames accounts, Counters counters) {
        List<RuleSpec> specs = prepared.rules().rules();
        Namespace[] byId = new Namespace[specs.size()];
        // Open addressing and one shared list: a HashMap's node per rule, and a copy of the
        // array for List.of, were 4.5 MB of 100,000 rules' 37 MB of heap.
        Object2ObjectOpenHashMap<String, Namespace> byName = new Object2ObjectOpenHashMap<>(specs.size());
        for (int i = 0; i < byId.length; i++) {
            RuleSpec r = specs.get(i);
            if (!r.templated()) {
                byId[i] = new Namespace(i, r.name(), r, readLock, nowMillis);
                byName.put(r.name(), byId[i]);
            }
        }
        Namespace[] fixed = prepared.templated().length == 0 ? byId
                : Arrays.stream(byId).filter(ns -> ns != null).toArray(Namespace[]::new);
        return new Generation(prepared, byId, byName, Collections.unmodifiableList(Arrays.asList(fixed)),
                new TemplateSets(prepared, readLock, maxTemplated, accounts, counters));
    }

    RuleSet rules() {
        return prepared.rules();
    }

    PreparedRules prepared() {
        return prepared;
    }

    RuleIndex index() {
        return prepared.index();
    }

    ProcFs.Detail detail() {
        return prepared.detail();
    }

    TemplateSets templates() {
        return templates;
    }

    /** The namespace with id {@code id}: a fixed rule's, or a templated set. */
    Namespace ns(int id) {
        return id < byId.length ? byId[id] : templates.get(id);
    }

    /** The fixed rules' namespaces, in file order. */
    List<Namespace> fixed() {
        return list;
    }

    /** Every namespace shown now: the fixed rules' in file order, then the templated sets by name. */
    List<Namespace> shown() {
        if (prepared.templated().length == 0) {
            return list;
        }
        List<Namespace> out = new ArrayList<>(list.size() + templates.shown.size());
        out.addAll(list);
        out.addAll(templates.shownSorted());
        return out;
    }

    /** The namespace shown as {@code name}, or {@code null}. */
    Namespace byName(String name) {
        Namespace ns = byName.get(name);
        return ns != null ? ns : templates.shown.get(name);
    }

    int shownCount() {
        return byName.size() + templates.shown.size();
    }

    /**
     * The ids of the namespaces of a process with this identity, started in the trees
     * {@code startedIn}, ascending; {@link #childTrees()} then holds the trees it is in.
     * May make templated sets.
     */
    int[] match(int euid, int egid, String comm, String exe, String args, int[] startedIn, long nowMillis) {
        RuleIndex index = prepared.index();
        int[] fixed = index.match(euid, egid, comm, exe, args);
        int trees = inTree.length;
        int[] templated = prepared.templated();
        if (trees == 0 && templated.length == 0) {
            childTrees = startedIn;
            return fixed;
        }
        matched.clear();
        matched.addElements(0, fixed);
        treeQueue.clear();
        for (int t : startedIn) {
            enter(t);
        }
        for (int id : fixed) {
            int t = prepared.treeOf(id);
            if (t >= 0) {
                enter(t);
            }
        }
        for (int q = 0; q < treeQueue.size(); q++) {
            for (int id : prepared.fixedUnder(treeQueue.getInt(q))) {
                if (index.matches(id, euid, egid, comm, exe, args)) {
                    matched.add(id);
                    int t = prepared.treeOf(id);
                    if (t >= 0) {
                        enter(t);
                    }
                }
            }
        }
        for (int rule : templated) {
            int t = prepared.underTree(rule);
            if ((t < 0 || inTree[t]) && index.matches(rule, euid, egid, comm, exe, args)) {
                int id = templates.idFor(rule, euid, egid, comm, nowMillis);
                if (id >= 0) {
                    matched.add(id);
                }
            }
        }
        childTrees = treesEntered(startedIn);
        if (matched.size() == fixed.length) {
            return fixed;
        }
        int[] out = matched.toIntArray();
        Arrays.sort(out);
        return out;
    }

    /** The trees of the last {@link #match}. */
    int[] childTrees() {
        return childTrees;
    }

    private void enter(int tree) {
        if (!inTree[tree]) {
            inTree[tree] = true;
            treeQueue.add(tree);
        }
    }

    /** The trees entered, ascending, as {@code startedIn} when they are the same; clears the marks. */
    private int[] treesEntered(int[] startedIn) {
        int n = treeQueue.size();
        for (int i = 0; i < n; i++) {
            inTree[treeQueue.getInt(i)] = false;
        }
        if (n == startedIn.length) {
            return startedIn;
        }
        int[] out = treeQueue.toIntArray();
        Arrays.sort(out);
        return out;
    }

    /**
     * Once filled, before it is published: a namespace whose rule is unchanged from the one
     * of that name in {@code previous} keeps its modification time, so that a reload that
     * changes nothing for it does not make every reader think its file changed; it keeps its
     * counters (joins, exits) too.
     */
    void keepModificationTimes(Generation previous, long nowMillis) {
        for (Namespace ns : list) {
            Namespace before = previous.byName.get(ns.name());
            boolean same = before != null && PreparedRules.sameConditions(before.rule(), ns.rule());
            ns.setMtimeMillis(same ? before.mtimeMillis() : nowMillis);
            if (same) {
                // Its counters go on: a scrape sees no reset for a rule the reload left alone.
                ns.restoreCounters(before.counters());
            }
        }
    }
}
