package io.netty.channel.epoll;

import io.netty.channel.Channel;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Keeps an epoll channel's file descriptor in its event loop's epoll set for the channel's whole life,
 * working around a Netty 4.2 defect that loses data on half-closed connections.
 *
 * <p>Netty 4.2 removes a descriptor from epoll ({@code EPOLL_CTL_DEL}) when the channel's interest set
 * becomes empty, but keeps treating it as added, so the next interest change is an
 * {@code EPOLL_CTL_MOD} that fails with {@code ENOENT}. The interest set becomes empty on a channel whose
 * input was shut down (Netty drops {@code EPOLLRDHUP} and, with auto-read off, {@code EPOLLIN}) while it
 * has nothing queued to write. When a write to it later fills the socket buffer, asking for
 * {@code EPOLLOUT} fails, and Netty shuts the channel's output down, discarding every queued write: the
 * peer reads a clean end of stream with data missing. Interest in {@code EPOLLERR}, which the kernel
 * reports whether asked for or not, changes no event delivered, but keeps the set from ever being empty.
 *
 * <p>This class lives in Netty's package because the interest set is only reachable from there.
 */
public final class EpollInterestPin {

    private EpollInterestPin() {
    }

    /**
     * Adds {@code EPOLLERR} to the interest set of {@code channel} if it is a registered epoll channel;
     * does nothing otherwise. Call it on the channel's event loop before its input can be shut down.
     *
     * @return {@code false} if epoll refused the change (the descriptor had already been dropped)
     */
    public static boolean pin(Channel channel) {
        if (!(channel instanceof AbstractEpollChannel epoll) || !channel.isRegistered() || !channel.isOpen()) {
            return true;
        }
        try {
            epoll.setFlag(Native.EPOLLERR);
            return true;
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** Whether {@code channel} is an epoll channel whose interest set holds {@code EPOLLERR}. */
    public static boolean isPinned(Channel channel) {
        return channel instanceof AbstractEpollChannel epoll && epoll.isFlagSet(Native.EPOLLERR);
    }
}
