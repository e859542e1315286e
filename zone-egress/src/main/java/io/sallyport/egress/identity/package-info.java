/** The mesh identity (CA, SPIFFE certificate, key) of a sidecar or zone egress, reloaded when its files change. */
package io.sallyport.egress.identity;
