package io.sallyport.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Shows the extension really fails a class that leaks a buffer (so a green build means no leak). */
class LeakDetectionExtensionTest {

    @Test
    void reportsALeakedBufferAndFailsTheClass() throws Exception {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        LeakDetectionExtension extension = new LeakDetectionExtension();
        leakOneBuffer();

        ExtensionContext context = (ExtensionContext) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> method.getName().equals("getDisplayName") ? "leaky" : null);
        long deadline = System.nanoTime() + 10_000_000_000L;
        AssertionError failure = null;
        while (failure == null && System.nanoTime() < deadline) {
            try {
                extension.afterAll(context);
            } catch (AssertionError e) {
                failure = e;
            }
        }
        assertThat(failure).isNotNull();
        assertThat(failure).hasMessageContaining("LEAK:");
        // Reported leaks are cleared once thrown, so this class itself ends clean.
        assertThat(LeakDetectionExtension.leaks()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        leaked.writeLong(42);
        // Dropped without release: the detector sees it when the wrapper is collected.
    }
}
