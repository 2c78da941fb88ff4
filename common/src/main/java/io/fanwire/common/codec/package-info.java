/**
 * Encoders and decoders of the envelope: JSON (Jackson streaming) and msgpack (msgpack-java), frame
 * prefixes ({@code M:}, {@code C:}, legacy {@code WSE{}/{@code S{}/{@code U{}) and their limits.
 * Depends on {@code io.fanwire.common.protocol}, Netty buffers, Jackson and msgpack-java.
 */
package io.fanwire.common.codec;
