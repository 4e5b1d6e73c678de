package io.kickoff.http;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.prometheus.metrics.core.metrics.Info;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Properties;

/**
 * The meter registry of one service on one node, what its {@code /metrics} exposes: every meter carries a
 * {@code node} label; the JVM (memory, GC, threads, class loading), the process (CPU, uptime, file descriptors) and
 * Netty's default allocator are bound at start, and {@code kickoff_build_info} says which build runs. Close it with
 * the service: the GC binder listens to the JVM until then.
 */
public final class NodeMeters implements AutoCloseable {
    /** The build-info gauge (always 1); its labels say which version, commit (when known) and Java run. */
    public static final String BUILD_INFO = "kickoff_build_info";

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc;

    private NodeMeters(String nodeId) {
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("node", Objects.requireNonNull(nodeId, "nodeId"))
                // Binder meters whose names or help the exposition rules reject: a unit abbreviated (ns), a gauge
                // ending in _count, allocator gauges without unit or help. Replaced or completed here.
                .meterFilter(MeterFilter.deny(id -> id.getName().equals("process.cpu.time")))
                .meterFilter(new MeterFilter() {
                    @Override
                    public Meter.Id map(Meter.Id id) {
                        if (id.getName().equals("system.cpu.count")) {
                            return id.withName("system.cpu.processors");
                        }
                        if (id.getName().startsWith("netty.allocator.") && id.getDescription() == null) {
                            boolean memory = id.getName().contains(".memory.");
                            return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), memory ? "bytes" : id.getBaseUnit(),
                                    "Netty allocator " + id.getName().substring("netty.allocator.".length()).replace('.', ' ')
                                            + " (by allocator id and memory type)", id.getType());
                        }
                        return id;
                    }
                });
        for (MeterBinder binder : new MeterBinder[]{new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics()}) {
            binder.bindTo(registry);
        }
        this.gc = new JvmGcMetrics();
        gc.bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry);
        }
        FunctionCounter.builder("process.cpu", ManagementFactory.getOperatingSystemMXBean(), NodeMeters::cpuSeconds)
                .baseUnit("seconds").description("CPU time this process used").register(registry);
        // An info metric: Micrometer's gauges lose an "_info" suffix in the Prometheus exposition.
        Tags build = buildTags().and("node", nodeId);
        Info.builder().name(BUILD_INFO).help("the build this node runs (value always 1)")
                .labelNames(build.stream().map(Tag::getKey).toArray(String[]::new))
                .register(registry.getPrometheusRegistry())
                .addLabelValues(build.stream().map(Tag::getValue).toArray(String[]::new));
    }

    /** A registry for the service on node {@code nodeId}, its binders bound. */
    public static NodeMeters forNode(String nodeId) {
        return new NodeMeters(nodeId);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * Fixed bucket boundaries for a latency histogram, so that buckets of every node add up and
     * {@code histogram_quantile} works across nodes.
     */
    public static Duration[] buckets(double... seconds) {
        return Arrays.stream(seconds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9))).toArray(Duration[]::new);
    }

    private static double cpuSeconds(OperatingSystemMXBean os) {
        return os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0
                ? sun.getProcessCpuTime() / 1e9 : 0;
    }

    static Tags buildTags() {
        Properties build = new Properties();
        try (InputStream in = NodeMeters.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                build.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String version = filtered(build.getProperty("version"));
        Tags tags = Tags.of("version", version.isEmpty() ? "unknown" : version, "java", System.getProperty("java.version"));
        String commit = filtered(build.getProperty("commit"));
        return commit.isEmpty() ? tags : tags.and("commit", commit);
    }

    // A property the build did not fill in is empty, not "${...}".
    private static String filtered(String value) {
        return value == null || value.startsWith("${") ? "" : value.trim();
    }

    @Override
    public void close() {
        // The registry stays readable (a last scrape, tests); only the JVM listeners go.
        gc.close();
    }
}
