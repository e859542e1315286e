/** Kuma's SNI names for mesh resources, as sidecars send them to a zone egress. */
package io.sallyport.egress.sni;
