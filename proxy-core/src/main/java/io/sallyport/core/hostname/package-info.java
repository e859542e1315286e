/**
 * Hostnames and virtual IPs for MeshExternalServices: the {@code HostnameGenerator} template language
 * ({@link io.sallyport.core.hostname.HostnameTemplate}), DNS name rules
 * ({@link io.sallyport.core.hostname.DnsNames}), the VIP range ({@link io.sallyport.core.hostname.VipRange})
 * and the compiled, immutable {@link io.sallyport.core.hostname.HostnameTable} that the DNS responder and
 * the VIP listeners read.
 */
package io.sallyport.core.hostname;
