package uprocfs.core.engine;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import uprocfs.core.rule.RuleIndex;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;

/**
 * The rules in force and the namespaces they define; immutable as a whole (the namespaces'
 * membership aside), replaced whole on reload.
 */
record Generation(RuleSet rules, RuleIndex index, Namespace[] byId, Map<String, Namespace> byName,
                  List<Namespace> list) {

    /** Empty namespaces for {@code prepared}, made now. */
    static Generation of(PreparedRules prepared, Lock readLock, long nowMillis) {
        List<RuleSpec> specs = prepared.rules().rules();
        Namespace[] byId = new Namespace[specs.size()];
        Map<String, Namespace> byName = new HashMap<>(specs.size() * 2);
        for (int i = 0; i < byId.length; i++) {
            RuleSpec r = specs.get(i);
            byId[i] = new Namespace(r.name(), r, readLock, nowMillis);
            byName.put(r.name(), byId[i]);
        }
        return new Generation(prepared.rules(), prepared.index(), byId, Collections.unmodifiableMap(byName),
                List.of(byId));
    }

    /**
     * Once filled, before it is published: a namespace whose rule is unchanged from the one
     * of that name in {@code previous} keeps its modification time, so that a reload that
     * changes nothing for it does not make every reader think its file changed.
     */
    void keepModificationTimes(Generation previous, long nowMillis) {
        for (Namespace ns : list) {
            Namespace before = previous.byName.get(ns.name());
            ns.setMtimeMillis(before != null && sameConditions(before.rule(), ns.rule()) ? before.mtimeMillis()
                    : nowMillis);
        }
    }

    private static boolean sameConditions(RuleSpec a, RuleSpec b) {
        return a.uid() == b.uid() && a.gid() == b.gid() && Objects.equals(a.cmd(), b.cmd());
    }
}
