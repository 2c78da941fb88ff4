/**
 * Encoders and decoders of the envelope: JSON (Jackson streaming) and msgpack (msgpack-java), frame
 * prefixes ({@code M:}, {@code C:}, legacy <code>WSE{</code>/<code>S{</code>/<code>U{</code>), zlib and their limits.
 * Depends on {@code io.fanwire.common.protocol}, Netty buffers and thread locals, Jackson and msgpack-java.
 */
package io.fanwire.common.codec;
