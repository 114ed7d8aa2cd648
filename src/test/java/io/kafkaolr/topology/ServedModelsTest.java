package io.kafkaolr.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kafkaolr.core.LearningRateSchedule;
import io.kafkaolr.core.ModelOutput;
import io.kafkaolr.core.ModelRows;
import io.kafkaolr.core.ModelSettings;
import io.kafkaolr.core.ModelState;
import io.kafkaolr.core.OnlineLogisticRegression;
import io.kafkaolr.core.RejectReason;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import io.kafkaolr.serde.ModelStateCodec;
import io.kafkaolr.serde.ModelTopicFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

/**
 * The in-memory models scoring reads: each prediction uses exactly one committed version of
 * its model, whatever the global thread is applying meanwhile.
 */
class ServedModelsTest {
    private static final int BITS = 18;
    private static final String MODEL = "m";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    /** A model-topic record: key and value (null for a tombstone). */
    private record Entry(byte[] key, byte[] value) {
    }

    /**
     * One commit of the model as the training side writes it (its changed rows, then its
     * header), with the exact output of the fixed event once the commit is applied.
     */
    private record Commit(List<Entry> entries, ModelOutput expected) {
        List<Entry> rows() {
            return entries.subList(0, entries.size() - 1);
        }

        Entry header() {
            return entries.get(entries.size() - 1);
        }
    }

    /**
     * Versions 1..{@code versions} of a binary model, each a step on an example with all
     * {@code width} features of {@code event}: every commit changes every row the event reads
     * and the bias, so a prediction mixing two commits differs from both.
     */
    private static List<Commit> commits(final int versions, final SparseVector event, final long seed) {
        final ModelSettings settings = ModelSettings.binary(0.05, LearningRateSchedule.CONSTANT).withL2(1e-4);
        final ModelState model = ModelState.fresh(settings);
        final ModelRows rows = new ModelRows();
        final Random random = new Random(seed);
        final List<Commit> commits = new ArrayList<>();
        for (int v = 1; v <= versions; v++) {
            final int[] indices = new int[event.size()];
            final double[] values = new double[event.size()];
            for (int j = 0; j < indices.length; j++) {
                indices[j] = event.indexAt(j);
                values[j] = random.nextGaussian();
            }
            OnlineLogisticRegression.learn(model, SparseVector.of(indices, values), random.nextBoolean() ? "1" : "0",
                    1.0, rows);
            final List<Entry> entries = new ArrayList<>();
            rows.forEachDirty(index -> entries.add(new Entry(ModelStateCodec.key(MODEL, index),
                    ModelStateCodec.encodeRow(rows.read(index)))));
            rows.clearDirty();
            entries.add(new Entry(ModelTopicFormat.headerKey(MODEL), ModelStateCodec.encodeHeader(model)));
            commits.add(new Commit(entries, OnlineLogisticRegression.predict(model, event, rows)));
        }
        return commits;
    }

    private static SparseVector event(final int width) {
        final int[] indices = new int[width];
        final double[] values = new double[width];
        final Random random = new Random(width);
        for (int j = 0; j < width; j++) {
            indices[j] = j * 97;
            values[j] = random.nextGaussian();
        }
        return SparseVector.of(indices, values);
    }

    private static void apply(final ServedModels served, final List<Entry> entries) {
        entries.forEach(e -> served.apply(e.key(), e.value()));
    }

    private static void assertSameOutput(final ModelOutput expected, final ModelOutput actual) {
        assertEquals(expected.version(), actual.version());
        assertArrayEquals(expected.probabilities(), actual.probabilities());
        assertArrayEquals(expected.logits(), actual.logits());
    }

    private static void await(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE + ": " + what);
            }
            Thread.onSpinWait();
        }
    }

    @Test
    void everyPredictionIsExactlyTheCommittedVersionItReportsWhileCommitsAreApplied() throws Exception {
        final int versions = 60;
        final int readers = 3;
        final SparseVector event = event(1_000);
        final List<Commit> commits = commits(versions, event, 7);
        final ServedModels served = new ServedModels(BITS);
        apply(served, commits.get(0).entries());

        final AtomicBoolean done = new AtomicBoolean();
        final AtomicLong latestSeen = new AtomicLong();
        final AtomicLong predictions = new AtomicLong();
        final AtomicLong mixed = new AtomicLong();
        final AtomicReference<String> firstMix = new AtomicReference<>();
        final Set<Long> versionsSeen = ConcurrentHashMap.newKeySet();
        final ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            final List<Future<?>> running = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                running.add(pool.submit(() -> {
                    while (!done.get()) {
                        final ModelOutput out = served.predict(MODEL, event);
                        final ModelOutput expected = commits.get((int) out.version() - 1).expected();
                        if (!Arrays.equals(expected.probabilities(), out.probabilities())) {
                            mixed.incrementAndGet();
                            firstMix.compareAndSet(null, "version " + out.version() + " answered "
                                    + Arrays.toString(out.probabilities()) + ", its commit gives "
                                    + Arrays.toString(expected.probabilities()));
                        }
                        versionsSeen.add(out.version());
                        latestSeen.accumulateAndGet(out.version(), Math::max);
                        predictions.incrementAndGet();
                    }
                }));
            }
            for (int v = 2; v <= versions; v++) {
                final long previous = v - 1;
                // the readers are predicting while each commit is applied: they have seen the last one
                await(() -> latestSeen.get() >= previous, "a prediction with version " + previous);
                apply(served, commits.get(v - 1).entries());
            }
            await(() -> latestSeen.get() >= versions, "a prediction with version " + versions);
            done.set(true);
            for (final Future<?> reader : running) {
                reader.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            done.set(true);
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(DEADLINE.toSeconds(), TimeUnit.SECONDS));
        }
        assertEquals(0, mixed.get(), () -> mixed.get() + " of " + predictions.get()
                + " predictions mixed two commits; first: " + firstMix.get());
        assertEquals(versions, versionsSeen.size());
    }

    @Test
    void rowsWithoutTheirHeaderStayInvisibleUntilItArrives() {
        final SparseVector event = event(50);
        final List<Commit> commits = commits(3, event, 11);
        final ServedModels served = new ServedModels(BITS);
        final RejectedInputException unknown = assertThrows(RejectedInputException.class,
                () -> served.predict(MODEL, event));
        assertEquals(RejectReason.UNKNOWN_MODEL, unknown.reason());

        apply(served, commits.get(0).rows());
        assertEquals(RejectReason.UNKNOWN_MODEL,
                assertThrows(RejectedInputException.class, () -> served.predict(MODEL, event)).reason());
        served.apply(commits.get(0).header().key(), commits.get(0).header().value());
        assertSameOutput(commits.get(0).expected(), served.predict(MODEL, event));

        apply(served, commits.get(1).rows());
        assertEquals(commits.get(1).rows().size(), served.staged(MODEL));
        assertSameOutput(commits.get(0).expected(), served.predict(MODEL, event));
        served.apply(commits.get(1).header().key(), commits.get(1).header().value());
        assertEquals(0, served.staged(MODEL));
        assertSameOutput(commits.get(1).expected(), served.predict(MODEL, event));
    }

    @Test
    void stagedRowsWaitForAHeaderThatCouldNotBeDecoded() {
        final SparseVector event = event(50);
        final List<Commit> commits = commits(2, event, 13);
        final ServedModels served = new ServedModels(BITS);
        apply(served, commits.get(0).entries());
        apply(served, commits.get(1).rows());
        assertThrows(IllegalArgumentException.class,
                () -> served.apply(ModelTopicFormat.headerKey(MODEL), new byte[] {3, 0, 1}));
        assertSameOutput(commits.get(0).expected(), served.predict(MODEL, event));
        served.apply(commits.get(1).header().key(), commits.get(1).header().value());
        assertSameOutput(commits.get(1).expected(), served.predict(MODEL, event));
    }

    @Test
    void aucWindowAndNamesEntriesAreNotKept() {
        final SparseVector event = event(5);
        final Commit commit = commits(1, event, 17).get(0);
        final ServedModels served = new ServedModels(BITS);
        apply(served, commit.rows());
        served.apply(ModelStateCodec.key(MODEL, ModelStateCodec.windowIndex(1, 100)),
                ModelStateCodec.encodeWindowEntry(0.5, true));
        served.apply(ModelStateCodec.key(MODEL, ModelStateCodec.namesIndex(event.indexAt(0))),
                ModelStateCodec.encodeNames(List.of("x")));
        assertEquals(commit.rows().size(), served.staged(MODEL));
        served.apply(commit.header().key(), commit.header().value());
        assertEquals(commit.rows().size(), served.rows(MODEL));
        assertSameOutput(commit.expected(), served.predict(MODEL, event));
    }

    @Test
    void aDeletedModelIsUnknownAndItsTombstonesLeaveNothingBehind() {
        final SparseVector event = event(20);
        final List<Commit> commits = commits(2, event, 19);
        final ServedModels served = new ServedModels(BITS);
        apply(served, commits.get(0).entries());
        // a delete: the header's tombstone, then every row's
        served.apply(ModelTopicFormat.headerKey(MODEL), null);
        commits.get(0).rows().forEach(row -> served.apply(row.key(), null));
        assertFalse(served.serves(MODEL));
        assertEquals(0, served.staged(MODEL));
        assertEquals(RejectReason.UNKNOWN_MODEL,
                assertThrows(RejectedInputException.class, () -> served.predict(MODEL, event)).reason());

        // the same delete with the rows first: staged, then dropped with the model
        apply(served, commits.get(0).entries());
        commits.get(0).rows().forEach(row -> served.apply(row.key(), null));
        assertSameOutput(commits.get(0).expected(), served.predict(MODEL, event));
        served.apply(ModelTopicFormat.headerKey(MODEL), null);
        assertFalse(served.serves(MODEL));
        assertEquals(0, served.staged(MODEL));

        // a model created again under the id starts from its own rows only
        final Commit single = commits(1, event(3), 23).get(0);
        apply(served, single.entries());
        assertEquals(single.rows().size(), served.rows(MODEL));
        assertSameOutput(single.expected(), served.predict(MODEL, event(3)));
    }

    @Test
    void rowTombstonesOfAServedModelAreAppliedWithItsNextHeader() {
        final SparseVector event = event(10);
        final List<Commit> commits = commits(2, event, 29);
        final ServedModels served = new ServedModels(BITS);
        apply(served, commits.get(0).entries());
        final int before = served.rows(MODEL);
        served.apply(commits.get(0).rows().get(0).key(), null);
        assertEquals(before, served.rows(MODEL));
        served.apply(commits.get(1).header().key(), commits.get(1).header().value());
        assertEquals(before - 1, served.rows(MODEL));
    }

    @Test
    void aModelHashedOntoAnotherDimensionIsAMismatch() {
        final SparseVector event = event(5);
        final Commit commit = commits(1, event, 31).get(0);
        final ServedModels served = new ServedModels(BITS - 1);
        apply(served, commit.entries());
        final RejectedInputException e = assertThrows(RejectedInputException.class,
                () -> served.predict(MODEL, event));
        assertEquals(RejectReason.MODEL_MISMATCH, e.reason());
    }

    @Test
    void aRebuildLoadsTheStoreAndStagesRowsWhoseHeaderIsStillToCome() {
        final SparseVector event = event(30);
        final List<Commit> commits = commits(2, event, 37);
        final HashKeyValueStore store = new HashKeyValueStore("global");
        commits.get(0).entries().forEach(e -> store.put(Bytes.wrap(e.key()), e.value()));
        final List<Entry> orphans = commits(1, event(4), 41).get(0).rows().stream()
                .map(e -> new Entry(ModelStateCodec.key("other", ModelStateCodec.decodeKey(e.key()).index()),
                        e.value()))
                .toList();
        orphans.forEach(e -> store.put(Bytes.wrap(e.key()), e.value()));
        store.put(Bytes.wrap(ModelStateCodec.key(MODEL, ModelStateCodec.windowIndex(1, 10))),
                ModelStateCodec.encodeWindowEntry(0.25, false));
        store.put(Bytes.wrap(ModelStateCodec.key(MODEL, 5)), new byte[] {3});
        final List<RuntimeException> skipped = new ArrayList<>();

        final ServedModels served = new ServedModels(BITS);
        apply(served, commits.get(1).rows()); // staged before the rebuild: replaced by the store's content
        served.rebuild(store, skipped::add);
        assertEquals(1, skipped.size());
        assertEquals(0, served.staged(MODEL));
        assertEquals(commits.get(0).rows().size(), served.rows(MODEL));
        assertSameOutput(commits.get(0).expected(), served.predict(MODEL, event));
        assertFalse(served.serves("other"));
        assertEquals(orphans.size(), served.staged("other"));
    }
}
