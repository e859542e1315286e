package io.netty.channel.epoll;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * Lets the TCP relay move bytes between two epoll TCP sockets with {@code splice(2)} instead of reading them
 * into buffers: it hands an epoll channel's read readiness to a {@link Reader}, and exposes the native
 * {@code pipe}/{@code splice} calls.
 *
 * <p>Netty's own {@code AbstractEpollStreamChannel#spliceTo(...)} is not used: when the peer half-closes, it
 * shuts the channel's input down right after one bounded splice whether or not the socket was drained (a
 * full pipe looks like the end of the stream), so bytes still queued in the socket are never forwarded; and
 * a splice of unbounded length never reports how many bytes it moved. Instead, the {@link Reader} is put
 * at the head of the channel's splice queue, where Netty's read loop calls it on every read readiness
 * instead of reading into a buffer; the reader moves the bytes itself and keeps its own counts.
 *
 * <p>What Netty still does around the reader: {@code channelReadComplete} after each call; with auto-read
 * off, read interest is dropped after each call (so the relay runs these channels with auto-read on and
 * turns it off for backpressure); when the peer half-closed, the input is shut down and
 * {@code ChannelInputShutdownEvent} fired right after the call, whatever the reader left in the socket (so
 * the reader drains the socket in that call).
 *
 * <p>This class lives in Netty's package because the splice queue and its task type are only reachable
 * from there; the queue field itself is private and set through a {@link VarHandle}.
 */
public final class EpollSpliceHook {

    private static final VarHandle SPLICE_QUEUE = spliceQueue();

    private EpollSpliceHook() {
    }

    /** Called on the channel's event loop when the channel is readable (or its peer half-closed). */
    public interface Reader {

        /**
         * Reads what the channel has. Must not throw.
         *
         * @param peerHalfClosed the peer sent its FIN: once this returns, Netty shuts the channel's input
         *                       down and fires {@code ChannelInputShutdownEvent}
         */
        void readable(boolean peerHalfClosed);
    }

    private static VarHandle spliceQueue() {
        try {
            if (!Epoll.isAvailable()) {
                return null;
            }
            return MethodHandles.privateLookupIn(AbstractEpollStreamChannel.class, MethodHandles.lookup())
                    .findVarHandle(AbstractEpollStreamChannel.class, "spliceQueue", Queue.class);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Whether splicing works here: the epoll transport is loaded and Netty's splice queue is reachable. */
    public static boolean isAvailable() {
        return SPLICE_QUEUE != null;
    }

    /** Whether bytes can be spliced between {@code a} and {@code b}: two epoll TCP sockets on one event loop. */
    public static boolean canSplice(Channel a, Channel b) {
        return isAvailable() && a instanceof EpollSocketChannel && b instanceof EpollSocketChannel
                && a.isRegistered() && b.isRegistered() && a.eventLoop() == b.eventLoop();
    }

    /**
     * From now on, read readiness of {@code channel} calls {@code reader} instead of reading into buffers.
     * Call on the channel's event loop, on a channel no {@code spliceTo} was ever called on.
     */
    public static void install(Channel channel, Reader reader) {
        AbstractEpollStreamChannel ch = (AbstractEpollStreamChannel) channel;
        Queue<AbstractEpollStreamChannel.SpliceInTask> queue = new ArrayDeque<>(1);
        queue.add(new ReaderTask(ch, reader));
        SPLICE_QUEUE.setVolatile(ch, queue);
    }

    /** The socket's file descriptor number. */
    public static int fd(Channel channel) {
        return ((AbstractEpollChannel) channel).fd().intValue();
    }

    /**
     * Reads from the socket of {@code channel} into {@code buf}'s writable bytes, without blocking.
     *
     * @return the bytes read (and added to {@code buf}), 0 when there are none now, -1 at the end of stream
     */
    public static int read(Channel channel, ByteBuf buf) throws IOException {
        LinuxSocket socket = ((AbstractEpollChannel) channel).socket;
        int writerIndex = buf.writerIndex();
        int n;
        if (buf.hasMemoryAddress()) {
            n = socket.readAddress(buf.memoryAddress(), writerIndex, buf.capacity());
        } else {
            ByteBuffer nio = buf.internalNioBuffer(writerIndex, buf.writableBytes());
            n = socket.read(nio, nio.position(), nio.limit());
        }
        if (n > 0) {
            buf.writerIndex(writerIndex + n);
        }
        return n;
    }

    /**
     * Takes the socket's pending error ({@code SO_ERROR}, cleared by reading it), as an exception.
     *
     * @throws IOException the socket's error (a reset), if it has one
     */
    public static void checkError(Channel channel) throws IOException {
        int error = ((AbstractEpollChannel) channel).socket.getSoError();
        if (error != 0) {
            throw new IOException("socket error " + error + " (errno)");
        }
    }

    /** A new non-blocking pipe: {@code [read end, write end]}. */
    public static FileDescriptor[] pipe() throws IOException {
        return FileDescriptor.pipe();
    }

    /**
     * Moves up to {@code len} bytes from {@code in} to {@code out}, one of which is a pipe, without blocking.
     *
     * @return the bytes moved; 0 when nothing could be (no data, a full pipe or socket, or end of stream)
     * @throws IOException on an error of either descriptor (a reset connection)
     */
    public static int splice(int in, int out, int len) throws IOException {
        return Native.splice(in, -1, out, -1, len);
    }

    /** Netty's splice task type; never completes, so it stays at the head of the queue for the channel's life. */
    private static final class ReaderTask extends AbstractEpollStreamChannel.SpliceInTask {
        private final Reader reader;

        ReaderTask(AbstractEpollStreamChannel ch, Reader reader) {
            ch.super(Integer.MAX_VALUE, ch.newPromise());
            this.reader = reader;
        }

        @Override
        boolean spliceIn(RecvByteBufAllocator.Handle handle) {
            reader.readable(handle instanceof EpollRecvByteAllocatorHandle h && h.isReceivedRdHup());
            // Not done: Netty leaves the read loop and keeps this task for the next readiness.
            return false;
        }
    }
}
