/** JMH benchmarks of the HTTP request path: hop-by-hop header stripping and the Host rewrite. */
package io.sallyport.bench.http;
