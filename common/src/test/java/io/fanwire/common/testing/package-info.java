/**
 * Test support shared by every module through the common test-jar: the Netty leak gate.
 * Depends on JUnit and Netty only.
 */
package io.fanwire.common.testing;
