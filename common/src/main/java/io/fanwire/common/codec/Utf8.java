package io.fanwire.common.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

import io.fanwire.common.protocol.ProtocolException;

/** Strict UTF-8 decoding for msgpack strings, which the JSON parser would otherwise be alone in checking. */
final class Utf8 {

    private Utf8() {
    }

    /**
     * Decodes {@code length} bytes at {@code offset}, rejecting malformed UTF-8 instead of replacing it.
     * The JDK's decoder is the fast path; only a result that contains U+FFFD (a replacement, or a genuine
     * U+FFFD in the input) is decoded a second time, strictly, to tell the two apart.
     */
    static String decode(byte[] bytes, int offset, int length) throws ProtocolException {
        if (length == 0) {
            return "";
        }
        String s = new String(bytes, offset, length, StandardCharsets.UTF_8);
        if (s.indexOf('\uFFFD') >= 0) {
            try {
                // newDecoder() reports malformed input rather than replacing it.
                StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, offset, length));
            } catch (CharacterCodingException e) {
                throw DecodeErrors.invalid("invalid UTF-8 in a string", e);
            }
        }
        return s;
    }
}
