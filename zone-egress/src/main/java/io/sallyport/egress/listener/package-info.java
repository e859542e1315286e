/** The zone egress listener: mesh mTLS termination, Kuma SNI routing, caller permissions, forwarding. */
package io.sallyport.egress.listener;
