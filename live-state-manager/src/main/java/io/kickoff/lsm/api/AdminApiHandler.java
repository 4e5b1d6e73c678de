package io.kickoff.lsm.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.kickoff.lsm.event.EventExistsException;
import io.kickoff.lsm.event.IllegalTransitionException;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.UnknownEventException;
import io.kickoff.protocol.v1.Stage;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API for producers: routes a complete HTTP request to {@link LiveEvents} and answers
 * with JSON or a problem. Storage and bus work is asynchronous; the answer is written from
 * whatever thread completes it (Netty hands the write to the channel's event loop).
 */
@ChannelHandler.Sharable
public final class AdminApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminApiHandler.class);
    static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final LiveEvents events;
    private final Map<String, Role> tokens;

    public AdminApiHandler(LiveEvents events, Map<String, Role> tokens) {
        this.events = events;
        this.tokens = Map.copyOf(tokens);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        CompletableFuture<Answer> answer;
        try {
            answer = route(request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.exceptionally(AdminApiHandler::toAnswer)
                .thenAccept(a -> write(ctx, a, keepAlive));
    }

    private CompletableFuture<Answer> route(FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        List<String> path = Stream.of(uri.path().split("/")).filter(s -> !s.isEmpty()).toList();
        HttpMethod method = request.method();
        if (path.equals(List.of("healthz"))) {
            return done(new Answer(200, Map.of("status", "ok")));
        }
        if (path.size() < 2 || !path.get(0).equals("v1") || !path.get(1).equals("events")) {
            throw new ApiError(Problem.of(404, "not-found", "Not found", "no route for " + uri.path()));
        }
        Role role = authenticate(request);
        if (path.size() == 2 && method.equals(HttpMethod.POST)) {
            requireWrite(role);
            CreateEventRequest body = body(request, CreateEventRequest.class);
            return events.create(validate(body)).thenApply(e -> new Answer(201, EventView.of(e)));
        }
        if (path.size() == 2 && method.equals(HttpMethod.GET)) {
            return events.list().thenApply(list -> new Answer(200, Map.of("events",
                    list.stream().map(EventView::of).toList())));
        }
        if (path.size() == 3 && method.equals(HttpMethod.GET)) {
            String id = path.get(2);
            return events.find(id).thenApply(found -> new Answer(200,
                    EventView.of(found.orElseThrow(() -> new UnknownEventException(id)))));
        }
        if (path.size() == 4 && path.get(3).equals("transitions") && method.equals(HttpMethod.POST)) {
            requireWrite(role);
            String id = path.get(2);
            TransitionRequest body = body(request, TransitionRequest.class);
            Stage to = parseStage(body.to());
            String reason = body.reason() == null || body.reason().isBlank() ? "manual" : body.reason();
            return events.transition(id, to, reason).thenApply(e -> new Answer(200, EventView.of(e)));
        }
        throw new ApiError(Problem.of(405, "method-not-allowed", "Method not allowed",
                method + " is not allowed on " + uri.path()));
    }

    private Role authenticate(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiError(Problem.of(401, "unauthorized", "Unauthorized", "a bearer token is required"));
        }
        Role role = tokens.get(header.substring(7).trim());
        if (role == null) {
            throw new ApiError(Problem.of(401, "unauthorized", "Unauthorized", "unknown bearer token"));
        }
        return role;
    }

    private static void requireWrite(Role role) {
        if (!role.mayWrite()) {
            throw new ApiError(Problem.of(403, "forbidden", "Forbidden", "this token may only read"));
        }
    }

    private static <T> T body(FullHttpRequest request, Class<T> type) {
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null || !HttpUtil.getMimeType(request).toString().toLowerCase(Locale.ROOT).equals("application/json")) {
            throw new ApiError(Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as application/json"));
        }
        try {
            T value = JSON.readValue(request.content().toString(java.nio.charset.StandardCharsets.UTF_8), type);
            if (value == null) {
                throw ApiError.badRequest("the body must be a JSON object", null);
            }
            return value;
        } catch (JsonProcessingException e) {
            throw ApiError.badRequest("the body is not valid JSON for this request: " + e.getOriginalMessage(), null);
        }
    }

    private static LiveEvent validate(CreateEventRequest body) {
        if (!LiveEvent.isValidId(body.id())) {
            throw ApiError.badRequest("id must be a slug: lower-case letters, digits and inner dashes, 1 to 64 characters", "id");
        }
        if (body.title() == null || body.title().isBlank()) {
            throw ApiError.badRequest("title is required", "title");
        }
        List<String> segments = body.segments() == null ? List.of() : body.segments();
        if (segments.stream().anyMatch(s -> s == null || s.isBlank())) {
            throw ApiError.badRequest("segments must not contain blank names", "segments");
        }
        return LiveEvent.scheduled(body.id(), body.title(), segments, body.scheduledStart());
    }

    private static Stage parseStage(String name) {
        if (name == null) {
            throw ApiError.badRequest("'to' is required: one of PREFETCH, PRE_SHOW, LIVE, ENDED, CANCELLED", "to");
        }
        try {
            Stage stage = Stage.valueOf(name.toUpperCase(Locale.ROOT));
            if (stage != Stage.STAGE_UNSPECIFIED && stage != Stage.UNRECOGNIZED) {
                return stage;
            }
        } catch (IllegalArgumentException ignored) {
            // fall through to the error below
        }
        throw ApiError.badRequest("unknown stage '" + name + "': one of PREFETCH, PRE_SHOW, LIVE, ENDED, CANCELLED", "to");
    }

    private static Answer toAnswer(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        Problem problem;
        if (cause instanceof ApiError api) {
            problem = api.problem();
        } else if (cause instanceof UnknownEventException) {
            problem = Problem.of(404, "unknown-event", "Unknown event", cause.getMessage());
        } else if (cause instanceof EventExistsException) {
            problem = Problem.of(409, "event-exists", "Event exists", cause.getMessage());
        } else if (cause instanceof IllegalTransitionException t) {
            problem = Problem.of(409, "illegal-transition", "Illegal transition", t.getMessage())
                    .with(Map.of("current_stage", t.current().name(),
                            "allowed", t.allowed().stream().map(Enum::name).sorted().toList()));
        } else {
            log.error("admin request failed", cause);
            problem = Problem.of(500, "internal", "Internal error", "the request failed; see the server log");
        }
        return new Answer(problem.status(), problem);
    }

    private static CompletableFuture<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    private static void write(ChannelHandlerContext ctx, Answer answer, boolean keepAlive) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(answer.body());
        } catch (JsonProcessingException e) {
            bytes = "{\"title\":\"Internal error\",\"status\":500}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(bytes));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.body() instanceof Problem
                        ? "application/problem+json" : HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private record Answer(int status, Object body) {
    }
}
