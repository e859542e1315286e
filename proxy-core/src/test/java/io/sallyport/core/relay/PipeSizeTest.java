package io.sallyport.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.EpollSpliceHook;
import io.netty.channel.unix.FileDescriptor;
import io.sallyport.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PipeSizeTest {

    @Test
    void growsASplicePipeTo256KiB() throws Exception {
        assumeTrue(EpollSpliceHook.isAvailable(), "needs the epoll transport");
        FileDescriptor[] pipe = EpollSpliceHook.pipe();
        try {
            int fd = pipe[1].intValue();
            // JNA loads in the background: until then a pipe keeps the default size.
            assertThat(PipeSize.grow(fd)).isIn(PipeSize.DEFAULT, PipeSize.WANTED);
            assertThat(Await.until(() -> PipeSize.grow(fd) == PipeSize.WANTED, Duration.ofSeconds(10)))
                    .as("pipe grown").isTrue();
        } finally {
            pipe[0].close();
            pipe[1].close();
        }
    }
}
