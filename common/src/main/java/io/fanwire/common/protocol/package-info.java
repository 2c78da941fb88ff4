/**
 * The Fanwire protocol model: the wire envelope, typed system messages behind a sealed interface,
 * and the close and error codes of docs/PROTOCOL.md. Depends on Jackson's tree model only.
 */
package io.fanwire.common.protocol;
