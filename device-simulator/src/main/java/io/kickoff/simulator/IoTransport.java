package io.kickoff.simulator;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The cheapest socket transport on this platform: native epoll on Linux, NIO elsewhere. */
record IoTransport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends SocketChannel> socketChannelType) {

    static IoTransport best() {
        if (Epoll.isAvailable()) {
            return new IoTransport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class);
        }
        return new IoTransport("nio", NioIoHandler.newFactory(), NioSocketChannel.class);
    }
}
