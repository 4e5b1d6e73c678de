package io.kickoff.simulator;

import java.net.InetSocketAddress;
import java.net.URI;

/** A gateway's connect URI with its address resolved once up front, so no event loop ever waits on DNS. */
record GatewayEndpoint(URI uri, InetSocketAddress address) {

    static GatewayEndpoint resolve(URI uri) {
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort());
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve gateway host " + uri.getHost());
        }
        return new GatewayEndpoint(uri, address);
    }
}
