/**
 * The one choice of Netty transport (epoll on Linux, NIO elsewhere) that every module uses, so event
 * loops and channel classes always match.
 */
package io.sallyport.core.transport;
