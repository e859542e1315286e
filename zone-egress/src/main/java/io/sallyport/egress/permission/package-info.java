/** MeshTrafficPermission decisions for callers of MeshExternalServices at the zone egress. */
package io.sallyport.egress.permission;
