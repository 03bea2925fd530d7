package uprocfs.core.engine;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import uprocfs.core.rule.NameTemplate;
import uprocfs.core.rule.RuleSpec;
import uprocfs.core.stats.Counters;
import uprocfs.core.stats.Metric;

/**
 * The sets of one generation's templated rules: one per rule and distinct value of its
 * {@code *} keys, made when a first process has that value and dropped when its last member
 * leaves. Ids follow the fixed rules' ids and are reused once free.
 *
 * <p>A set is shown (in {@link #shown}, which readers use without a lock) once its name is
 * known: at once when it needs no account name or the name is cached, else when the lookup
 * answers ({@link #answered}). A name that a fixed rule or another shown set already has,
 * or that is longer than a file name may be, is refused: the set is kept, so its members
 * stay exact, but never shown, and {@code templated_names_refused} counts it. Past
 * {@code max_templated} sets no new one is made, and {@code templated_over_limit} counts the
 * processes left out.
 *
 * <p>Event loop only, but for {@link #shown}.
 */
final class TemplateSets {
    /** A set's identity: its rule and the values of the rule's {@code *} keys (0 or null otherwise). */
    private record Key(int rule, int uid, int gid, String comm) {
    }

    /** NAME_MAX: the longest file name the kernel and FUSE pass through. */
    private static final int MAX_NAME_BYTES = 255;

    private final PreparedRules prepared;
    private final Lock readLock;
    private final int base;
    private final int limit;
    private final Set<String> fixedNames;
    private final AccountNames accounts;
    private final Counters counters;
    private Namespace[] byId = new Namespace[16];
    private final IntArrayList free = new IntArrayList();
    private int highWater;
    private final Map<Key, Namespace> byKey = new HashMap<>();
    private final List<Namespace> unnamed = new ArrayList<>();
    /**
     * The counters of shown sets that have gone, by name, given back when a set of that name
     * is shown again: a command that runs now and then keeps counting its exits. Bounded by
     * the limit on sets (past it, it starts again empty).
     */
    private final Map<String, long[]> retired = new HashMap<>();
    /** What readers see: the shown sets by name. */
    final ConcurrentHashMap<String, Namespace> shown = new ConcurrentHashMap<>();

    TemplateSets(PreparedRules prepared, Lock readLock, int limit, AccountNames accounts, Counters counters) {
        this.prepared = prepared;
        this.readLock = readLock;
        this.base = prepared.rules().size();
        this.limit = limit;
        this.fixedNames = prepared.templated().length == 0 ? Set.of() : prepared.fixedNames();
        this.accounts = accounts;
        this.counters = counters;
    }

    Namespace get(int id) {
        return byId[id - base];
    }

    /**
     * The id of {@code rule}'s set for these values, made now if there is none; -1 when none
     * may be made (the limit).
     */
    int idFor(int rule, int euid, int egid, String comm, long nowMillis) {
        RuleSpec.More more = prepared.rules().rules().get(rule).more();
        Key key = new Key(rule, more.anyUid() ? euid : 0, more.anyGid() ? egid : 0, more.anyCmd() ? comm : null);
        Namespace ns = byKey.get(key);
        if (ns != null) {
            return ns.id();
        }
        if (byKey.size() >= limit) {
            counters.increment(Metric.TEMPLATED_OVER_LIMIT);
            return -1;
        }
        int id;
        if (!free.isEmpty()) {
            id = free.popInt();
        } else {
            id = base + highWater++;
            if (id - base == byId.length) {
                byId = Arrays.copyOf(byId, byId.length * 2);
            }
        }
        ns = new Namespace(id, key, readLock, nowMillis);
        byId[id - base] = ns;
        byKey.put(key, ns);
        if (!name(ns, nowMillis)) {
            unnamed.add(ns);
        }
        return id;
    }

    /** The set has lost its last member: it goes, and its file with it. */
    void emptied(Namespace ns) {
        Key key = (Key) ns.key();
        if (byKey.remove(key) == null) {
            return;
        }
        if (ns.name() != null) {
            if (shown.remove(ns.name(), ns)) {
                if (retired.size() >= limit) {
                    retired.clear();
                }
                retired.put(ns.name(), ns.counters());
            }
        } else {
            unnamed.remove(ns);
        }
        byId[ns.id() - base] = null;
        free.push(ns.id());
    }

    /** An account name has come: the sets that waited for it get theirs. */
    void answered(long nowMillis) {
        for (Iterator<Namespace> it = unnamed.iterator(); it.hasNext(); ) {
            if (name(it.next(), nowMillis)) {
                it.remove();
            }
        }
    }

    /**
     * Names {@code ns} and shows it, unless an account name is still being looked up.
     *
     * @return whether it has its name (shown, or refused) now
     */
    private boolean name(Namespace ns, long nowMillis) {
        Key key = (Key) ns.key();
        NameTemplate template = prepared.name(key.rule());
        String user = null;
        String group = null;
        if (template.has(NameTemplate.Placeholder.USER)) {
            user = accounts.name(false, key.uid(), nowMillis);
            if (user == null) {
                return false;
            }
        }
        if (template.has(NameTemplate.Placeholder.GROUP)) {
            group = accounts.name(true, key.gid(), nowMillis);
            if (group == null) {
                return false;
            }
        }
        RuleSpec rule = prepared.rules().rules().get(key.rule());
        String uid = Integer.toUnsignedString(key.uid());
        String gid = Integer.toUnsignedString(key.gid());
        String name = template.render(uid, user, gid, group, key.comm());
        RuleSpec.More more = rule.more();
        long ruleUid = more.anyUid() ? Integer.toUnsignedLong(key.uid()) : rule.uid();
        long ruleGid = more.anyGid() ? Integer.toUnsignedLong(key.gid()) : rule.gid();
        String cmd = more.anyCmd() ? new String(key.comm().getBytes(StandardCharsets.ISO_8859_1),
                StandardCharsets.UTF_8) : rule.cmd();
        RuleSpec concrete = new RuleSpec(name, ruleUid, ruleGid, cmd, rule.line(),
                new RuleSpec.More(false, false, false, more.under(), more.exe(), more.args()));
        ns.name(name, concrete);
        if (fixedNames.contains(name) || name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES
                || shown.containsKey(name)) {
            counters.increment(Metric.TEMPLATED_NAMES_REFUSED);
            return true;
        }
        long[] before = retired.remove(name);
        if (before != null) {
            long[] now = ns.counters();
            for (int i = 0; i < now.length; i++) {
                before[i] += now[i];
            }
            ns.restoreCounters(before);
        }
        shown.put(name, ns);
        return true;
    }

    /** The shown sets, by name. */
    List<Namespace> shownSorted() {
        List<Namespace> out = new ArrayList<>(shown.values());
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }
}
