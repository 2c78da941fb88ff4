package io.fanwire.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import io.fanwire.server.testing.TestServers;

/** The conformance runs' frame echo cannot be combined with authentication. */
class EchoFramesTest {

    @Test
    void echoFramesRequiresAuthenticationOff() {
        assertThatThrownBy(() -> FanwireServer.builder().config(TestServers.config().build()).echoFrames().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("echoFrames: true (expected: authentication disabled");
    }
}
