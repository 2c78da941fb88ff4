/**
 * JMH micro-benchmarks of Fanwire's hot paths: envelope codecs, JWT verification, topic fan-out, the drain queue.
 * Depends on the public API of {@code fanwire-common} and {@code fanwire-server}, Netty's in-process transport and JMH.
 */
package io.fanwire.microbench;
