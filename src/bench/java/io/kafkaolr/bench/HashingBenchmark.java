package io.kafkaolr.bench;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Features;
import io.kafkaolr.core.SparseVector;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.codec.digest.MurmurHash3;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hashing the 32 named features of one record (20 numeric, 12 categorical, names of the length
 * found in real feature sets, a few values outside ASCII), two ways: encoding each name to a
 * {@code byte[]} (and building {@code name=value}) before MurmurHash3, as the hasher did; and
 * encoding on the fly inside the hash, as {@link FeatureHasher} does now. {@code names*} hashes
 * the names alone; {@code record*} is the whole of {@link FeatureHasher#hash}, validation and
 * {@code SparseVector} included. Run with {@code -prof gc} for the bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HashingBenchmark {
    private static final String[] NUMERIC = {
        "age", "account_age_days", "sessions_last_7d", "sessions_last_30d", "avg_session_duration_sec",
        "page_views", "cart_value_eur", "items_in_cart", "days_since_last_purchase", "purchases_last_90d",
        "refunds_last_year", "support_tickets_open", "email_open_rate", "push_click_rate", "discount_used_ratio",
        "mean_basket_size", "time_on_checkout_ms", "scroll_depth_pct", "ad_impressions_24h", "hour_of_day",
    };
    private static final String[][] CATEGORICAL = {
        {"country", "FR"}, {"device_type", "mobile"}, {"os", "Android 14"}, {"browser", "Chrome Mobile 131"},
        {"language", "fr-FR"}, {"city", "München"}, {"referrer_domain", "news.example.com"},
        {"campaign_id", "spring_sale_2025_retargeting"}, {"payment_method", "card"},
        {"customer_segment", "returning_high_value"}, {"store", "Ålesund sentrum"}, {"plan", "premium"},
    };

    private final FeatureHasher hasher = new FeatureHasher(FeatureHasher.DEFAULT_BITS);
    private final int mask = (1 << FeatureHasher.DEFAULT_BITS) - 1;
    private Features features;

    @Setup
    public void setUp() {
        final Map<String, Double> numeric = new LinkedHashMap<>();
        for (int i = 0; i < NUMERIC.length; i++) {
            numeric.put(NUMERIC[i], 0.5 + i);
        }
        final Map<String, String> categorical = new LinkedHashMap<>();
        for (final String[] nameValue : CATEGORICAL) {
            categorical.put(nameValue[0], nameValue[1]);
        }
        features = new Features(numeric, categorical);
        // comparing two ways only makes sense while they agree
        if (namesThroughBytes() != namesOnTheFly()
                || !Arrays.equals(recordThroughBytes().nameIndices(), recordOnTheFly().nameIndices())) {
            throw new IllegalStateException("the two ways of hashing give different indices");
        }
    }

    /** The index as the hasher computed it before: a byte[] per name. */
    private int bytesIndex(final String name) {
        final byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return MurmurHash3.hash32x86(bytes, 0, bytes.length, FeatureHasher.SEED) & mask;
    }

    @Benchmark
    public int namesThroughBytes() {
        int acc = 0;
        for (final String name : NUMERIC) {
            acc += bytesIndex(name);
        }
        for (final String[] nameValue : CATEGORICAL) {
            acc += bytesIndex(FeatureHasher.categoricalName(nameValue[0], nameValue[1]));
        }
        return acc;
    }

    @Benchmark
    public int namesOnTheFly() {
        int acc = 0;
        for (final String name : NUMERIC) {
            acc += hasher.index(name);
        }
        for (final String[] nameValue : CATEGORICAL) {
            acc += hasher.categoricalIndex(nameValue[0], nameValue[1]);
        }
        return acc;
    }

    /** {@link FeatureHasher#hash} as it was before, name hashing through byte[] included. */
    @Benchmark
    public FeatureHasher.Hashed recordThroughBytes() {
        final int count = features.count();
        final int[] indices = new int[count];
        final double[] values = new double[count];
        int k = 0;
        for (final Map.Entry<String, Double> e : features.numeric().entrySet()) {
            final Double value = e.getValue();
            if (value == null || !Double.isFinite(value)) {
                throw new IllegalStateException(e.getKey());
            }
            indices[k] = bytesIndex(e.getKey());
            values[k] = value;
            k++;
        }
        for (final Map.Entry<String, String> e : features.categorical().entrySet()) {
            if (e.getValue() == null) {
                throw new IllegalStateException(e.getKey());
            }
            indices[k] = bytesIndex(FeatureHasher.categoricalName(e.getKey(), e.getValue()));
            values[k] = 1.0;
            k++;
        }
        return new FeatureHasher.Hashed(SparseVector.of(indices, values), indices);
    }

    @Benchmark
    public FeatureHasher.Hashed recordOnTheFly() {
        return hasher.hash(features, 1000);
    }
}
