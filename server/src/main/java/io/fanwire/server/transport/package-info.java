/**
 * Event loops, the choice of native transport (epoll, io_uring, kqueue, NIO), socket options and the
 * channel pipeline's layout. Depends on Netty and the server's handler packages.
 */
package io.fanwire.server.transport;
