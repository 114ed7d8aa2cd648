package io.kafkaolr.offline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class NumericLabelsTest {
    @Test
    void minusOneAndZeroAreNegativeOneAndPlusOnePositive() {
        final List<String> classes = List.of("0", "1");
        assertEquals("0", NumericLabels.binary("-1", classes));
        assertEquals("0", NumericLabels.binary("0", classes));
        assertEquals("0", NumericLabels.binary("-1.0", classes));
        assertEquals("1", NumericLabels.binary("+1", classes));
        assertEquals("1", NumericLabels.binary("1", classes));
        assertEquals("1", NumericLabels.binary("1.0", classes));
    }

    @Test
    void otherClassNamesAreMappedByPosition() {
        assertEquals("no", NumericLabels.binary("-1", List.of("no", "yes")));
        assertEquals("yes", NumericLabels.binary("+1", List.of("no", "yes")));
        assertEquals("-1", NumericLabels.binary("-1", List.of("-1", "1")));
    }

    @Test
    void aClassNameIsItselfBeforeAnyNumericReading() {
        assertEquals("1", NumericLabels.binary("1", List.of("1", "2")));
        assertEquals("2", NumericLabels.binary("2", List.of("1", "2")));
        assertEquals("1", NumericLabels.binary("-1", List.of("1", "2")));
    }

    @Test
    void anyOtherLabelNamesNoClass() {
        assertNull(NumericLabels.binary("3", List.of("0", "1")));
        assertNull(NumericLabels.binary("0.5", List.of("0", "1")));
        assertNull(NumericLabels.binary("yes", List.of("0", "1")));
    }
}
