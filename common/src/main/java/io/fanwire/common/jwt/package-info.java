/**
 * JSON Web Tokens: a verifier with the rules of docs/PROTOCOL.md §1 and a minting helper for tests and
 * the bench client, both on jjwt. Depends on jjwt's API, Jackson's streaming parser and the JDK's key classes only.
 */
package io.fanwire.common.jwt;
