/**
 * Event loops, the choice of native transport (epoll, io_uring, kqueue, NIO), socket options, the channel
 * pipeline's layout and the listening sockets' accept errors. Depends on Netty and the server's handler packages.
 */
package io.fanwire.server.transport;
