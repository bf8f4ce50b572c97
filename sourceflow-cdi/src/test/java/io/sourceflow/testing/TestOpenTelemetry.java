package io.sourceflow.testing;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The OpenTelemetry SDK with in-memory exporters, offered to test deployments as a CDI bean (as an MP
 * Telemetry server offers its {@code OpenTelemetry}). Add this class to a deployment's bean classes after
 * {@link #install()}; every deployment of a test shares the instance, so one trace spans them all.
 */
public class TestOpenTelemetry {

    private static volatile Sdk current;

    /** The SDK and its exporters. */
    public record Sdk(OpenTelemetrySdk openTelemetry, InMemorySpanExporter spans, InMemoryMetricReader metrics) {

        public List<SpanData> finishedSpans() {
            return spans.getFinishedSpanItems();
        }

        public Collection<MetricData> collect() {
            return metrics.collectAllMetrics();
        }

        /** Sum of a counter's (or up-down counter's / gauge's) points whose attributes contain all of {@code match}. */
        public long sum(String metric, Map<String, String> match) {
            return collect().stream().filter(m -> m.getName().equals(metric))
                    .flatMap(m -> switch (m.getType()) {
                        case LONG_SUM -> m.getLongSumData().getPoints().stream();
                        case LONG_GAUGE -> m.getLongGaugeData().getPoints().stream();
                        default -> java.util.stream.Stream.<LongPointData>empty();
                    })
                    .filter(p -> matches(p.getAttributes(), match))
                    .mapToLong(LongPointData::getValue).sum();
        }

        /** Number of recordings of a histogram whose attributes contain all of {@code match}. */
        public long histogramCount(String metric, Map<String, String> match) {
            return collect().stream().filter(m -> m.getName().equals(metric))
                    .flatMap(m -> m.getHistogramData().getPoints().stream())
                    .filter(p -> matches(p.getAttributes(), match))
                    .mapToLong(HistogramPointData::getCount).sum();
        }

        /** The metric's unit, or {@code null} if nothing was recorded. */
        public String unit(String metric) {
            return collect().stream().filter(m -> m.getName().equals(metric)).map(MetricData::getUnit).findFirst().orElse(null);
        }

        public List<SpanData> spans(Predicate<SpanData> filter) {
            return finishedSpans().stream().filter(filter).toList();
        }

        private static boolean matches(Attributes attributes, Map<String, String> match) {
            return match.entrySet().stream().allMatch(e -> e.getValue().equals(attributes.get(AttributeKey.stringKey(e.getKey()))));
        }
    }

    /** A fresh SDK for the next deployments. */
    public static Sdk install() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        InMemoryMetricReader metrics = InMemoryMetricReader.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
                .build();
        current = new Sdk(sdk, spans, metrics);
        return current;
    }

    /** The {@code Meter} an MP Telemetry server offers too (SmallRye Fault Tolerance records its metrics with it). */
    @Produces
    @Singleton
    Meter meter() {
        return openTelemetry().getMeter("io.smallrye.faulttolerance");
    }

    @Produces
    @Singleton
    OpenTelemetry openTelemetry() {
        Sdk sdk = current;
        if (sdk == null) {
            throw new IllegalStateException("call TestOpenTelemetry.install() before starting the deployment");
        }
        return sdk.openTelemetry();
    }
}
