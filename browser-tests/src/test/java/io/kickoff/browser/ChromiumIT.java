package io.kickoff.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kickoff.http.StaticAssets;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/** The browser set-up itself: a page served by {@link StaticAssets} runs its module script in Chromium. */
@ExtendWith(Chromium.class)
class ChromiumIT {
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aStaticPageRunsItsModuleScriptAndReadsItsGeneratedConfig(Chromium.Browsers browsers) throws Exception {
        StaticAssets assets = StaticAssets.builder("/page/").classpath("smoke-page/")
                .document("config.json", "application/json", () -> "{\"greeting\":\"hello from config\"}")
                .build();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), assets);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        int port = ((InetSocketAddress) server.localAddress()).getPort();

        WebDriver page = browsers.open();
        page.get("http://127.0.0.1:" + port + "/page/");

        await().atMost(Duration.ofSeconds(20))
                .until(() -> page.findElement(By.id("out")).getText(), text -> text.equals("hello from config"));
        assertThat(page.getTitle()).isEqualTo("smoke");
    }
}
