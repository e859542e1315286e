/** JMH benchmarks of the upstream TLS context lookup. */
package io.sallyport.bench.tls;
