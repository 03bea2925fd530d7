package uprocfs.fuse.daemon;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import uprocfs.core.event.EventBatch;
import uprocfs.core.proc.ProcFs;
import uprocfs.core.rule.RuleSet;
import uprocfs.core.rule.RuleSpec;
import uprocfs.testing.EngineDriver;
import uprocfs.testing.FakeProcTree;
import uprocfs.testing.FakeProcess;

/** What a scrape of {@code /metrics} says, in the text format Prometheus reads. */
class MetricsExportTest {
    private static String text(MetricsExport export, java.util.function.Predicate<String> names) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        export.scrape(out, names);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyNamespaceHasItsSeriesAndEveryRegistryMetricIsThere() throws IOException {
        try (FakeProcTree tree = new FakeProcTree()) {
            tree.add(FakeProcess.pid(1).ppid(0).name("init")).add(FakeProcess.pid(100).euid(1000).name("bash"));
            ProcFs proc = new ProcFs(tree.root());
            EngineDriver engine = new EngineDriver(new RuleSet("test", Instant.now(), List.of(
                    new RuleSpec("u", 1000, RuleSpec.ANY, null, 1),
                    new RuleSpec("nobody \"here\"", 4242, RuleSpec.ANY, null, 2))), proc).started();
            EventBatch batch = new EventBatch(4);
            batch.fork(100, 101, 101, 0);
            batch.exit(101, 101, 9, 0);
            engine.apply(batch);
            String text = text(new MetricsExport(engine.agent.view(), null), n -> true);
            for (String line : List.of(
                    "# TYPE uproc_namespace_processes gauge",
                    "uproc_namespace_processes{namespace=\"u\"} 1",
                    "uproc_namespace_processes{namespace=\"nobody \\\"here\\\"\"} 0",
                    "# TYPE uproc_namespace_exits_total counter",
                    "uproc_namespace_exits_total{how=\"signal\",namespace=\"u\"} 1",
                    "uproc_namespace_exits_total{how=\"ok\",namespace=\"u\"} 0",
                    "uproc_namespace_joins_total{namespace=\"u\"} 2",
                    "uproc_events_fork_total 1.0",
                    "uproc_tasks 2.0",
                    "uproc_last_audit_timestamp_seconds 0.0",
                    "uproc_event_lag_seconds_bucket{le=\"+Inf\"} 0",
                    "# TYPE uproc_scrape_duration_seconds gauge")) {
                assertTrue(text.contains(line + "\n") || text.contains(line), line + " in\n" + text);
            }
            for (String line : text.split("\n")) {
                assertFalse(line.contains("pid="), line);
            }
        }
    }

    @Test
    void aScrapeOfTheKeptMetricsReadsNoProcFile() throws IOException {
        try (FakeProcTree tree = new FakeProcTree()) {
            tree.add(FakeProcess.pid(1).ppid(0).name("init"));
            EngineDriver engine = new EngineDriver(new RuleSet("test", Instant.now(), List.of(
                    new RuleSpec("root", 0, RuleSpec.ANY, null, 1))), new ProcFs(tree.root())).started();
            int[] reads = {0};
            MemberUsage counting = namespaces -> {
                reads[0]++;
                return List.of();
            };
            MetricsExport export = new MetricsExport(engine.agent.view(), counting);
            text(export, n -> n.startsWith("uproc_namespace_processes"));
            assertTrue(reads[0] == 0, "a scrape of uproc_namespace_processes read /proc");
            text(export, n -> true);
            assertTrue(reads[0] == 1);
        }
    }

    @Test
    void namesAreWrittenAsUtf8LabelValuesWithTheTextFormatsEscapes() throws IOException {
        try (FakeProcTree tree = new FakeProcTree()) {
            tree.add(FakeProcess.pid(1).ppid(0).name("init"));
            EngineDriver engine = new EngineDriver(new RuleSet("test", Instant.now(), List.of(
                    new RuleSpec("caf\u00e9.\u65e5\u672c", 0, RuleSpec.ANY, null, 1),
                    new RuleSpec("back\\slash", 4242, RuleSpec.ANY, null, 2))), new ProcFs(tree.root())).started();
            String text = text(new MetricsExport(engine.agent.view(), null), n -> true);
            assertTrue(text.contains("uproc_namespace_processes{namespace=\"caf\u00e9.\u65e5\u672c\"} 1\n"), text);
            assertTrue(text.contains("uproc_namespace_processes{namespace=\"back\\\\slash\"} 0\n"), text);
            assertTrue(text.contains("uproc_namespace_joins_total{namespace=\"caf\u00e9.\u65e5\u672c\"} 1\n"), text);
            assertFalse(text.contains("how=\"ok\",namespace=\"back\\\\slash\"}"), "never had a member: no counters");
        }
    }
}
