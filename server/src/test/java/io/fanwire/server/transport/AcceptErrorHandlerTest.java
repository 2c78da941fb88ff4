package io.fanwire.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;

import org.junit.jupiter.api.Test;

import io.fanwire.server.metrics.ServerStats;
import io.netty.channel.embedded.EmbeddedChannel;

/** Failed accepts end at this handler: counted by reason, the channel left open, nothing reaches the pipeline's tail. */
class AcceptErrorHandlerTest {

    private final ServerStats stats = new ServerStats();
    private final EmbeddedChannel channel = new EmbeddedChannel(new AcceptErrorHandler(stats.acceptErrors));

    @Test
    void tooManyOpenFilesIsCountedAndSwallowed() {
        for (int i = 0; i < 3; i++) {
            channel.pipeline().fireExceptionCaught(new IOException("accept(..) failed: Too many open files"));
        }
        channel.pipeline().fireExceptionCaught(new SocketException("Connection reset by peer"));

        channel.checkException();
        assertThat(stats.acceptErrors.get(AcceptErrorHandler.TOO_MANY_OPEN_FILES)).isEqualTo(3);
        assertThat(stats.acceptErrors.get(AcceptErrorHandler.OTHER)).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void reasonsComeFromTheErrno() {
        assertThat(AcceptErrorHandler.reason(new IOException("accept(..) failed with error(-24): Too many open files")))
                .isEqualTo(AcceptErrorHandler.TOO_MANY_OPEN_FILES);
        assertThat(AcceptErrorHandler.reason(new IOException("Too many open files in system")))
                .isEqualTo(AcceptErrorHandler.TOO_MANY_OPEN_FILES);
        assertThat(AcceptErrorHandler.reason(new IllegalStateException("Too many open files")))
                .isEqualTo(AcceptErrorHandler.OTHER);
        assertThat(AcceptErrorHandler.reason(new IOException((String) null))).isEqualTo(AcceptErrorHandler.OTHER);
    }
}
