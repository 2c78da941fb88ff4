package io.fanwire.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapBudgetTest {

    @Test
    void exceededOnlyAboveTheRatioOfTheHeapAfterGc() {
        HeapBudget.Usage[] usage = {new HeapBudget.Usage(900, 1000)};
        HeapBudget budget = new HeapBudget(0.95, () -> usage[0]);

        assertThat(budget.usedRatio()).isEqualTo(0.9);
        assertThat(budget.exceeded()).isFalse();
        usage[0] = new HeapBudget.Usage(950, 1000);
        assertThat(budget.exceeded()).as("at the ratio, not above").isFalse();
        usage[0] = new HeapBudget.Usage(951, 1000);
        assertThat(budget.exceeded()).isTrue();
    }

    @Test
    void zeroDisablesTheBudget() {
        HeapBudget budget = new HeapBudget(0, () -> new HeapBudget.Usage(1000, 1000));

        assertThat(budget.exceeded()).isFalse();
        assertThat(HeapBudget.DISABLED.exceeded()).isFalse();
    }

    @Test
    void anUnknownMaximumIsNeverExceeded() {
        HeapBudget budget = new HeapBudget(0.5, () -> new HeapBudget.Usage(1000, -1));

        assertThat(budget.usedRatio()).isNaN();
        assertThat(budget.exceeded()).isFalse();
    }

    @Test
    void ratiosOutsideZeroToOneAreRefused() {
        for (double bad : new double[] {-0.1, 1.01, Double.NaN}) {
            assertThatThrownBy(() -> new HeapBudget(bad, () -> new HeapBudget.Usage(0, 1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("maxRatio: ");
        }
    }

    @Test
    void theJvmsHeapIsMeasured() {
        HeapBudget budget = HeapBudget.ofJvm(1e-9);

        // Something lives on the heap after any collection: this test, at least.
        System.gc();
        assertThat(budget.usedRatio()).isStrictlyBetween(0.0, 1.0);
        assertThat(budget.exceeded()).isTrue();
        assertThat(HeapBudget.ofJvm(1).exceeded()).isFalse();
    }
}
