/**
 * The DNS responder for generated hostnames: answers {@code A}/{@code AAAA} queries for the hostnames of
 * the current {@link io.sallyport.core.hostname.HostnameTable} with their VIPs and relays every other query
 * to the upstream resolvers, over UDP and TCP.
 */
package io.sallyport.listeners.dns;
