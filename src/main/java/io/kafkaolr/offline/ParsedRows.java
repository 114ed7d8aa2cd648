package io.kafkaolr.offline;

import io.kafkaolr.core.FeatureHasher;
import io.kafkaolr.core.Interactions;
import io.kafkaolr.core.RejectedInputException;
import io.kafkaolr.core.SparseVector;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * The rows of a line-format file read, parsed and hashed on a thread of their own, and handed to
 * the learner in file order, a batch at a time: the learner then works on one core while the next
 * rows are parsed on another, as Vowpal Wabbit's parser thread does. The learner sees exactly the
 * sequence a single thread would make, so the model is the same to the bit.
 *
 * <p>A row carries what learning it takes: its hashed vector (or why the model refuses it), its
 * label as written, its importance, its line number, and the names of those of its features whose
 * rows the model does not have yet. Only those can be created by the row's step, hence named by
 * it; a name is built for no other. Which rows exist the learner says through {@link #created},
 * read here without a lock. A read may be late but never wrong the other way: a bit is set only
 * once its row exists, and a replay never removes a row, so a set bit means no later step can
 * create that row; a late read only adds a name that goes unused. Lines the reader refuses come
 * in the same stream, in their place.
 */
final class ParsedRows implements AutoCloseable {
    /** Rows in a batch: enough that handing one over costs little per row, few enough to start at once. */
    static final int BATCH_ROWS = 256;
    private static final int BATCHES = 16;
    /** Up to this many bits, which rows exist is kept in a bit set (2 MiB at 24 bits); beyond, every name is sent. */
    private static final int MAX_TRACKED_BITS = 24;

    /** One item of a batch: a row, or a line the reader refused. */
    static final class Item {
        private long line;
        private String label;
        private double importance;
        private SparseVector vector;
        private RejectedInputException refusal;
        private RowRejection lineRefusal;
        private int names;
        private int[] nameIndices = new int[64];
        private String[] nameTexts = new String[64];

        /** The line number, from 1. */
        long line() {
            return line;
        }

        /** The label as written (null for a refused line). */
        String label() {
            return label;
        }

        double importance() {
            return importance;
        }

        /** The row's hashed features; null when {@link #refusal} says why the model refuses it. */
        SparseVector vector() {
            return vector;
        }

        /** Why hashing refused the row (too many features); null when it did not. */
        RejectedInputException refusal() {
            return refusal;
        }

        /** The reader's refusal of this line, or null when the item is a row. */
        RowRejection lineRefusal() {
            return lineRefusal;
        }

        /** The number of names the row carries: of its features whose rows did not exist when it was parsed. */
        int names() {
            return names;
        }

        /** The index of name {@code k}, in line order. */
        int nameIndex(final int k) {
            return nameIndices[k];
        }

        /** Name {@code k}. */
        String name(final int k) {
            return nameTexts[k];
        }

        private void addName(final int index, final String name) {
            if (names == nameIndices.length) {
                nameIndices = Arrays.copyOf(nameIndices, 2 * names);
                nameTexts = Arrays.copyOf(nameTexts, 2 * names);
            }
            nameIndices[names] = index;
            nameTexts[names++] = name;
        }

        private void clear() {
            label = null;
            vector = null;
            refusal = null;
            lineRefusal = null;
            Arrays.fill(nameTexts, 0, names, null);
            names = 0;
        }
    }

    /** A batch of items in file order; the last of a file says so, with how many lines the reader refused. */
    static final class Batch {
        private final Item[] items = new Item[BATCH_ROWS];
        private int size;
        private boolean last;
        /** Whether the parser is filling the last item, which a failure then drops. */
        private boolean filling;
        private long readerRejected;
        private Throwable failure;

        private Batch() {
            for (int i = 0; i < items.length; i++) {
                items[i] = new Item();
            }
        }

        int size() {
            return size;
        }

        Item item(final int i) {
            return items[i];
        }

        /** Whether this batch ends the file. */
        boolean last() {
            return last;
        }

        /** On the last batch: the lines the reader refused in all. */
        long readerRejected() {
            return readerRejected;
        }

        private boolean full() {
            return size == items.length;
        }

        private Item next() {
            final Item item = items[size++];
            item.clear();
            return item;
        }

        private void reset() {
            size = 0;
            last = false;
            filling = false;
            failure = null;
        }
    }

    /** Opens the reader with the given callback for refused lines. */
    @FunctionalInterface
    interface Opener {
        LabeledRowReader open(Consumer<RowRejection> onRejection) throws IOException;
    }

    private final BlockingQueue<Batch> full = new ArrayBlockingQueue<>(BATCHES);
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
    private final AtomicLongArray existing;
    private final Thread thread;
    private volatile boolean stopped;
    private boolean ended;
    /** What the parser threw, to be thrown once the rows before it are learned. */
    private Throwable failure;

    private ParsedRows(final Opener opener, final FeatureHasher hasher, final int maxFeatures,
                       final Interactions interactions, final String source) {
        for (int i = 0; i < BATCHES; i++) {
            free.add(new Batch());
        }
        existing = hasher.bits() <= MAX_TRACKED_BITS ? new AtomicLongArray(Math.max(1, (1 << hasher.bits()) >>> 6)) : null;
        thread = new Thread(() -> parse(opener, hasher, maxFeatures, interactions), "olr-parse " + source);
        thread.setDaemon(true);
    }

    /**
     * Starts parsing: rows hashed by {@code hasher} with {@code interactions}, refused past
     * {@code maxFeatures} features, as {@link ParsedLine#vector} hashes them.
     */
    static ParsedRows start(final Opener opener, final FeatureHasher hasher, final int maxFeatures,
                            final Interactions interactions, final String source) {
        final ParsedRows rows = new ParsedRows(opener, hasher, maxFeatures, interactions, source);
        rows.thread.start();
        return rows;
    }

    /**
     * The next batch, waiting for it; null after the last. Give it back with {@link #release}
     * once its items are used.
     *
     * @throws IOException what reading the file threw
     */
    Batch take() throws IOException {
        if (failure != null) {
            throw rethrown(failure);
        }
        if (ended) {
            return null;
        }
        final Batch batch;
        try {
            batch = full.take();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for parsed rows");
        }
        ended = batch.last || batch.failure != null;
        if (batch.failure != null && batch.size == 0) {
            throw rethrown(batch.failure);
        }
        // the rows read before the failure are learned first, as one thread would have
        failure = batch.failure;
        return batch;
    }

    private static IOException rethrown(final Throwable t) {
        if (t instanceof IOException e) {
            return e;
        }
        if (t instanceof UncheckedIOException e) {
            return e.getCause();
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("reading the rows failed", t);
    }

    /** Gives a batch back for the parser to fill again. */
    void release(final Batch batch) {
        batch.reset();
        free.add(batch);
    }

    /** Says the model now has the row of {@code index}: rows parsed from now on carry no name for it. */
    void created(final int index) {
        if (existing != null) {
            final int word = index >>> 6;
            // one writer: a plain read of its own word, an opaque write the parser may see late
            existing.setOpaque(word, existing.getPlain(word) | 1L << index);
        }
    }

    private boolean exists(final int index) {
        return existing != null && (existing.getOpaque(index >>> 6) & 1L << index) != 0;
    }

    /** Stops the parser, if it is still going, and waits for it: the file is closed on return. */
    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (final InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void parse(final Opener opener, final FeatureHasher hasher, final int maxFeatures,
                       final Interactions interactions) {
        final Batch[] batch = {null};
        try {
            batch[0] = free.take();
            try (LabeledRowReader reader = opener.open(r -> {
                try {
                    if (batch[0].full()) {
                        batch[0] = handOver(batch[0]);
                    }
                } catch (final InterruptedException e) {
                    throw new Stopped();
                }
                batch[0].next().lineRefusal = r;
            })) {
                final ParsedLine row = reader.current();
                while (!stopped && reader.advance()) {
                    if (batch[0].full()) {
                        batch[0] = handOver(batch[0]);
                    }
                    final Item item = batch[0].next();
                    // an item is handed over whole or not at all: a failure while it is filled drops it
                    batch[0].filling = true;
                    item.line = row.number();
                    item.label = row.label();
                    item.importance = row.importance();
                    try {
                        item.vector = row.vector(hasher, maxFeatures, interactions);
                        for (int k = 0; k < row.featureCount(); k++) {
                            final int index = row.index(k);
                            if (!exists(index)) {
                                item.addName(index, row.name(k));
                            }
                        }
                    } catch (final RejectedInputException e) {
                        item.vector = null;
                        item.refusal = e;
                    }
                    batch[0].filling = false;
                }
                batch[0].last = true;
                batch[0].readerRejected = reader.rejected();
            }
            full.put(batch[0]);
        } catch (final InterruptedException | Stopped e) {
            // the learner stopped: nobody waits for more
        } catch (final Throwable t) {
            if (stopped || batch[0] == null) {
                return;
            }
            if (batch[0].filling) {
                batch[0].size--;
                batch[0].filling = false;
            }
            batch[0].failure = t;
            try {
                full.put(batch[0]);
            } catch (final InterruptedException e) {
                // the learner stopped
            }
        }
    }

    private Batch handOver(final Batch batch) throws InterruptedException {
        full.put(batch);
        return free.take();
    }

    /** Thrown out of the reader's callback when the learner stopped while the parser waited. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }
}
