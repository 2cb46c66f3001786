package dev.caravan;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CaravanTest {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(Caravan.LEAK_SAMPLING_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(Caravan.LEAK_SAMPLING_PROPERTY);
        } else {
            System.setProperty(Caravan.LEAK_SAMPLING_PROPERTY, before);
        }
    }

    @Test
    void theGatewaySamplesOneBufferIn4096ForLeakTracking() {
        System.clearProperty(Caravan.LEAK_SAMPLING_PROPERTY);
        Caravan.sampleLeaksRarely();
        assertThat(System.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("4096");
    }

    @Test
    void anIntervalGivenOnTheCommandLineWins() {
        System.setProperty(Caravan.LEAK_SAMPLING_PROPERTY, "1");
        Caravan.sampleLeaksRarely();
        assertThat(System.getProperty("io.netty.leakDetection.samplingInterval")).isEqualTo("1");
    }
}
