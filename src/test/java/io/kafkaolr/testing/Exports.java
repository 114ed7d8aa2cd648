package io.kafkaolr.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kafkaolr.serde.ModelStateCodec;
import java.util.ArrayList;
import java.util.List;

/** Exported models compared across paths that keep different extras. */
public final class Exports {
    private Exports() {
    }

    /** The export without the AUC window's entries, which a replay does not keep and a processor does. */
    public static ObjectNode withoutAucWindow(final JsonNode exported) {
        final ObjectNode copy = (ObjectNode) exported.deepCopy();
        final ObjectNode state = (ObjectNode) copy.get("state");
        final List<String> window = new ArrayList<>();
        state.fieldNames().forEachRemaining(index -> {
            if (Integer.parseInt(index) < ModelStateCodec.HEADER_INDEX) {
                window.add(index);
            }
        });
        state.remove(window);
        return copy;
    }
}
