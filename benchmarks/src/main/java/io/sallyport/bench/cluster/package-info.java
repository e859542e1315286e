/** JMH benchmarks of upstream endpoint selection. */
package io.sallyport.bench.cluster;
