package io.kafkaolr.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.text.similarity.LevenshteinDistance;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The settings Kafka's clients and Kafka Streams define, as the names a configuration may give
 * them: Kafka Streams', the producer's, the consumer's and the admin client's, each client's
 * also under the prefix Kafka Streams gives it ({@code producer.}, {@code main.consumer.}...),
 * a topic's under {@code topic.}, and the open-ended families ({@code config.providers.*},
 * {@code metrics.context.*}). Kafka itself only logs a warning for a name it does not know, so
 * a misspelt {@code bootstrap.server} would be ignored in silence; this is what refuses it.
 */
final class KafkaSettingNames {
    private static final Set<String> STREAMS = StreamsConfig.configDef().names();
    private static final Set<String> PRODUCER = ProducerConfig.configNames();
    private static final Set<String> CONSUMER = ConsumerConfig.configNames();
    private static final Set<String> ADMIN = AdminClientConfig.configNames();
    private static final Set<String> TOPIC = topicConfigNames();
    /** Kafka Streams' prefixes, each with the names it may precede. */
    private static final Map<String, Set<String>> PREFIXES = Map.of(
            StreamsConfig.PRODUCER_PREFIX, PRODUCER,
            StreamsConfig.CONSUMER_PREFIX, CONSUMER,
            StreamsConfig.MAIN_CONSUMER_PREFIX, CONSUMER,
            StreamsConfig.RESTORE_CONSUMER_PREFIX, CONSUMER,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, CONSUMER,
            StreamsConfig.ADMIN_CLIENT_PREFIX, ADMIN,
            StreamsConfig.TOPIC_PREFIX, TOPIC);
    /** Families whose members no definition lists. */
    private static final List<String> OPEN_PREFIXES = List.of(AbstractConfig.CONFIG_PROVIDERS_CONFIG + ".",
            CommonClientConfigs.METRICS_CONTEXT_PREFIX);
    private static final LevenshteinDistance DISTANCE = LevenshteinDistance.getDefaultInstance();

    private KafkaSettingNames() {
    }

    /** Whether {@code name} is a setting of Kafka Streams or of one of its clients, as a configuration names it. */
    static boolean isKnown(final String name) {
        if (STREAMS.contains(name) || PRODUCER.contains(name) || CONSUMER.contains(name) || ADMIN.contains(name)) {
            return true;
        }
        for (final Map.Entry<String, Set<String>> prefix : PREFIXES.entrySet()) {
            if (name.startsWith(prefix.getKey()) && prefix.getValue().contains(name.substring(prefix.getKey().length()))) {
                return true;
            }
        }
        return OPEN_PREFIXES.stream().anyMatch(name::startsWith);
    }

    /** Every name {@link #isKnown} takes without a prefix. */
    static Set<String> plainNames() {
        final Set<String> names = new TreeSet<>(STREAMS);
        names.addAll(PRODUCER);
        names.addAll(CONSUMER);
        names.addAll(ADMIN);
        return names;
    }

    /**
     * The name among {@code candidates} nearest to {@code name} (fewest single-character edits;
     * the first in order on ties), or null when none is within a third of the name's length: a
     * suggestion only when it is likely the one meant.
     */
    static String nearest(final String name, final Collection<String> candidates) {
        final String bare = stripPrefix(name);
        final String prefix = name.substring(0, name.length() - bare.length());
        final Collection<String> pool = prefix.isEmpty() ? candidates : PREFIXES.get(prefix);
        return pool.stream()
                .map(candidate -> Map.entry(candidate, DISTANCE.apply(bare, candidate)))
                .filter(e -> e.getValue() <= Math.max(2, bare.length() / 3))
                .min(Comparator.comparingInt(Map.Entry<String, Integer>::getValue).thenComparing(Map.Entry::getKey))
                .map(e -> prefix + e.getKey())
                .orElse(null);
    }

    /** {@code name} without the Kafka Streams prefix it starts with, if any. */
    private static String stripPrefix(final String name) {
        return PREFIXES.keySet().stream().filter(name::startsWith).max(Comparator.comparingInt(String::length))
                .map(prefix -> name.substring(prefix.length())).orElse(name);
    }

    /** The topic settings {@link TopicConfig} names (its {@code *_CONFIG} constants): the broker's definition is not a client's. */
    private static Set<String> topicConfigNames() {
        final Set<String> names = new TreeSet<>();
        for (final Field field : TopicConfig.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && field.getName().endsWith("_CONFIG")) {
                try {
                    names.add((String) field.get(null));
                } catch (final IllegalAccessException e) {
                    throw new IllegalStateException("TopicConfig." + field.getName() + " is public", e);
                }
            }
        }
        return names;
    }
}
