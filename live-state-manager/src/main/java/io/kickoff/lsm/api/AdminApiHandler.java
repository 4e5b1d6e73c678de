package io.kickoff.lsm.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kickoff.http.EdgeLimits;
import io.kickoff.http.LogText;
import io.kickoff.http.RetryAfter;
import io.kickoff.lsm.delivery.DeliveryBoard;
import io.kickoff.lsm.event.DeadlineExceededException;
import io.kickoff.lsm.event.EventExistsException;
import io.kickoff.lsm.event.EventPatch;
import io.kickoff.lsm.event.EventStore;
import io.kickoff.lsm.event.IllegalChangeException;
import io.kickoff.lsm.event.IllegalTransitionException;
import io.kickoff.lsm.event.InvalidScheduleException;
import io.kickoff.lsm.event.LiveEvent;
import io.kickoff.lsm.event.LiveEvents;
import io.kickoff.lsm.event.NewEvent;
import io.kickoff.lsm.event.StoreUnavailableException;
import io.kickoff.lsm.event.StoredResponse;
import io.kickoff.lsm.event.UnknownEventException;
import io.kickoff.lsm.event.VersionConflictException;
import io.kickoff.protocol.v1.Stage;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.nio.charset.StandardCharsets;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API for producers, HTTP/JSON under {@code /v1} (described in {@code docs/admin-api.yaml}),
 * and the operational endpoints {@code /healthz}, {@code /readyz} and {@code /metrics}.
 *
 * <p>Requests are routed to {@link LiveEvents}; every storage step is a future, so the event loop
 * never waits: the answer is written from whichever thread completes it (Netty hands the write
 * to the channel's event loop), and answers to pipelined requests are written in request order.
 * A request that the store does not finish within the timeout is answered 503 with
 * {@code Retry-After}, like one that fails with {@link StoreUnavailableException}.
 *
 * <p>Writes ({@code POST}, {@code PATCH}) may carry an {@code Idempotency-Key}: the first answer
 * is kept for {@link #IDEMPOTENCY_TTL} under the key scoped by token, method and decoded path, and a
 * retry gets that answer again without any change being made; the same key with another body
 * (compared as JSON: key order and whitespace do not matter) is refused with 422.
 *
 * <p>Every write has a deadline: {@link #DEFAULT_TIMEOUT} after it was read, or what its
 * {@code Request-Timeout} header asks for. A write still waiting when its deadline passes is not
 * applied and is answered 503 {@code deadline-exceeded}.
 */
@ChannelHandler.Sharable
public final class AdminApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(AdminApiHandler.class);

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration IDEMPOTENCY_TTL = Duration.ofHours(24);
    /** Header with which a client sets the deadline of its request, in seconds (e.g. {@code 2.5}). */
    static final String REQUEST_TIMEOUT = "Request-Timeout";
    static final Duration MAX_REQUEST_TIMEOUT = Duration.ofSeconds(60);
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    static final int MAX_IDEMPOTENCY_KEY = 255;
    private static final String CHALLENGE = "Bearer realm=\"kickoff-admin\"";
    private static final Set<String> JSON_TYPES = Set.of("application/json");
    private static final Set<String> PATCH_TYPES = Set.of("application/json", "application/merge-patch+json");
    private static final Pattern STRONG_ETAG = Pattern.compile("\"(\\d{1,18})\"");
    private static final Pattern KEY_CHARS = Pattern.compile("[\\x20-\\x7e]+");
    /** The answer last queued on a connection: the next one is written after it (pipelined requests). */
    private static final AttributeKey<CompletableFuture<Void>> LAST_WRITE = AttributeKey.valueOf("kickoff.admin.last-write");

    /** Every route: its template (the metrics label) and the methods it answers. */
    enum Route {
        EVENTS("/v1/events", HttpMethod.GET, HttpMethod.POST),
        EVENT("/v1/events/{id}", HttpMethod.GET, HttpMethod.PATCH),
        TRANSITIONS("/v1/events/{id}/transitions", HttpMethod.POST),
        HISTORY("/v1/events/{id}/history", HttpMethod.GET),
        DELIVERY("/v1/events/{id}/delivery", HttpMethod.GET),
        HEALTHZ("/healthz", HttpMethod.GET),
        READYZ("/readyz", HttpMethod.GET),
        METRICS("/metrics", HttpMethod.GET);

        final String template;
        final List<HttpMethod> methods;

        Route(String template, HttpMethod... methods) {
            this.template = template;
            this.methods = List.of(methods);
        }

        boolean isApi() {
            return template.startsWith("/v1/");
        }

        String allow() {
            return methods.stream().map(HttpMethod::name).collect(Collectors.joining(", "));
        }
    }

    /** A request path matched to a route; {@code id} is the decoded event id of {@code {id}} routes. */
    record Match(Route route, String id) {
    }

    /** Who is calling: the token's fingerprint (scopes idempotency keys) and what the token is. */
    private record Caller(String fingerprint, AdminToken token) {
    }

    /** What a handler needs of a request, copied out of it (the request is released when channelRead0 returns). */
    private record Call(HttpMethod method, String path, Match match, Map<String, List<String>> query,
                        HttpHeaders headers, byte[] body, Instant deadline) {
        String header(CharSequence name) {
            return headers.get(name);
        }
    }

    private final LiveEvents events;
    private final EventStore store;
    private final DeliveryBoard delivery;
    private final Map<String, AdminToken> tokensByFingerprint;
    private final Readiness readiness;
    private final PrometheusMeterRegistry registry;
    private final ApiMetrics metrics;
    private final Duration timeout;
    private final RetryAfter retryAfter;

    /**
     * @param events       the state machine the API drives
     * @param store        the store behind {@code events}: idempotency keys
     * @param delivery     delivery figures reported by the gateways
     * @param tokens       bearer token → its name (the actor in history) and role
     * @param readiness    whether the store and the bus can be used, for {@code /readyz}; asked on an event loop
     * @param registry     where the API's meters go and what {@code /metrics} exposes (register more meters on it freely)
     * @param timeout      how long a request may wait for the store before it is answered 503; also the default
     *                     deadline of writes (see {@code Request-Timeout})
     * @param retryAfter   the jittered {@code Retry-After} of every 503
     */
    public AdminApiHandler(LiveEvents events, EventStore store, DeliveryBoard delivery, Map<String, AdminToken> tokens,
                           Readiness readiness, PrometheusMeterRegistry registry, Duration timeout,
                           RetryAfter retryAfter) {
        this.events = Objects.requireNonNull(events, "events");
        this.store = Objects.requireNonNull(store, "store");
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.readiness = Objects.requireNonNull(readiness, "readiness");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("the admin API needs at least one bearer token");
        }
        Map<String, AdminToken> byFingerprint = new HashMap<>();
        tokens.forEach((token, who) -> {
            if (token == null || token.isBlank() || !token.strip().equals(token)) {
                throw new IllegalArgumentException("admin tokens must be non-blank, without surrounding spaces");
            }
            byFingerprint.put(AdminToken.fingerprint(token), Objects.requireNonNull(who, "token without name and role"));
        });
        this.tokensByFingerprint = Map.copyOf(byFingerprint);
        this.metrics = new ApiMetrics(registry);
    }

    /** As the full constructor, with the default Retry-After range ({@link EdgeLimits#defaults}). */
    public AdminApiHandler(LiveEvents events, EventStore store, DeliveryBoard delivery, Map<String, AdminToken> tokens,
                           Readiness readiness, PrometheusMeterRegistry registry, Duration timeout) {
        this(events, store, delivery, tokens, readiness, registry, timeout,
                RetryAfter.between(EdgeLimits.DEFAULT_RETRY_AFTER_MIN, EdgeLimits.DEFAULT_RETRY_AFTER_MAX));
    }

    /** As the full constructor, with the {@link #DEFAULT_TIMEOUT} and the default Retry-After range. */
    public AdminApiHandler(LiveEvents events, EventStore store, DeliveryBoard delivery, Map<String, AdminToken> tokens,
                           Readiness readiness, PrometheusMeterRegistry registry) {
        this(events, store, delivery, tokens, readiness, registry, DEFAULT_TIMEOUT);
    }

    /** The jittered Retry-After of this API's 503 answers. */
    public RetryAfter retryAfter() {
        return retryAfter;
    }

    /** The registry {@code /metrics} exposes. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    // ---------------------------------------------------------------- Netty

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        long started = System.nanoTime();
        Instant read = events.clock().instant();
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.rawPath();
        Match match = match(path);
        CompletableFuture<Answer> answer;
        try {
            if (request.decoderResult().isFailure()) {
                throw new ApiError(Problem.of(400, "bad-request", "Bad request", "the request is not valid HTTP/1.1"));
            }
            Duration wait = requestTimeout(request.headers().get(REQUEST_TIMEOUT));
            Call call = new Call(request.method(), path, match, uri.parameters(), request.headers(),
                    ByteBufUtil.getBytes(request.content()), read.plus(wait));
            answer = handle(call).copy().orTimeout(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Answer> done = answer.handle((a, error) -> error == null ? a : toAnswer(error, path));
        String method = request.method().name();
        String route = match == null ? "unmatched" : match.route().template;
        boolean api = match == null || match.route().isApi();
        CompletableFuture<Void> previous = ctx.channel().attr(LAST_WRITE).get();
        CompletableFuture<Answer> inTurn = previous == null || previous.isDone() ? done : previous.thenCombine(done, (v, a) -> a);
        CompletableFuture<Void> written = inTurn.thenAccept(a -> {
            metrics.record(method, route, a.status(), System.nanoTime() - started);
            write(ctx, a, keepAlive, api);
        }).exceptionally(error -> {
            log.error("could not answer {} {}", method, LogText.escape(path), error);
            ctx.close();
            return null;
        });
        ctx.channel().attr(LAST_WRITE).set(written);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }

    /**
     * The deadline a request asks for with {@code Request-Timeout} (seconds, e.g. {@code 2.5}; at least 0.001, at
     * most {@link #MAX_REQUEST_TIMEOUT}), or this API's timeout.
     */
    private Duration requestTimeout(String header) {
        if (header == null) {
            return timeout;
        }
        Duration asked;
        try {
            asked = Duration.ofNanos(new BigDecimal(header.strip()).movePointRight(9).longValue());
        } catch (NumberFormatException | ArithmeticException e) {
            asked = null;
        }
        if (asked == null || asked.toMillis() < 1 || asked.compareTo(MAX_REQUEST_TIMEOUT) > 0) {
            throw ApiError.invalid(REQUEST_TIMEOUT, REQUEST_TIMEOUT + " must be a number of seconds from 0.001 to "
                    + MAX_REQUEST_TIMEOUT.toSeconds() + ", e.g. 2.5; got '" + header + "'");
        }
        return asked;
    }

    /** The answer the server's edge gives on this API's behalf (bad request target, timeouts, over capacity): a problem. */
    static FullHttpResponse refusal(HttpResponseStatus status, String slug, String detail) {
        return response(Answer.problem(Problem.of(status.code(), slug, status.reasonPhrase(), detail), Map.of()), true);
    }

    /** The 413 answer for a request whose body is over the limit (sent by the server's aggregator). */
    FullHttpResponse tooLarge(HttpRequest request, int maxBytes) {
        String path = new QueryStringDecoder(request.uri()).rawPath();
        Match match = match(path);
        Answer answer = Answer.problem(Problem.of(413, "payload-too-large", "Payload too large",
                "the body is over " + maxBytes + " bytes").at(path), Map.of());
        metrics.record(request.method().name(), match == null ? "unmatched" : match.route().template, 413, 0);
        return response(answer, match == null || match.route().isApi());
    }

    private static void write(ChannelHandlerContext ctx, Answer answer, boolean keepAlive, boolean api) {
        FullHttpResponse response = response(answer, api);
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            future.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse response(Answer answer, boolean api) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
        answer.headers().forEach((name, value) -> response.headers().set(name, value));
        if (api) {
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        return response;
    }

    // ---------------------------------------------------------------- routing

    /** The route of a raw (still percent-encoded) path, or null. */
    static Match match(String rawPath) {
        switch (rawPath) {
            case "/v1/events":
                return new Match(Route.EVENTS, null);
            case "/healthz":
                return new Match(Route.HEALTHZ, null);
            case "/readyz":
                return new Match(Route.READYZ, null);
            case "/metrics":
                return new Match(Route.METRICS, null);
            default:
                break;
        }
        String prefix = "/v1/events/";
        if (!rawPath.startsWith(prefix)) {
            return null;
        }
        String[] parts = rawPath.substring(prefix.length()).split("/", -1);
        if (parts[0].isEmpty() || parts.length > 2) {
            return null;
        }
        String id = QueryStringDecoder.decodeComponent(parts[0]);
        if (parts.length == 1) {
            return new Match(Route.EVENT, id);
        }
        return switch (parts[1]) {
            case "transitions" -> new Match(Route.TRANSITIONS, id);
            case "history" -> new Match(Route.HISTORY, id);
            case "delivery" -> new Match(Route.DELIVERY, id);
            default -> null;
        };
    }

    private CompletableFuture<Answer> handle(Call call) {
        Match match = call.match();
        if (match == null) {
            throw ApiError.notFound("no route for " + call.path());
        }
        Route route = match.route();
        if (!route.methods.contains(call.method())) {
            throw new ApiError(Problem.of(405, "method-not-allowed", "Method not allowed",
                    call.method().name() + " is not allowed on " + route.template + "; allowed: " + route.allow()),
                    Map.of(HttpHeaderNames.ALLOW.toString(), route.allow()));
        }
        switch (route) {
            case HEALTHZ:
                return CompletableFuture.completedFuture(Answer.json(200, new Views.Health("up")));
            case READYZ:
                return ready();
            case METRICS:
                return CompletableFuture.completedFuture(Answer.text(200, PROMETHEUS_CONTENT_TYPE, registry.scrape()));
            default:
                break;
        }
        Caller caller = authenticate(call);
        boolean writes = !call.method().equals(HttpMethod.GET);
        if (writes && !caller.token().role().mayWrite()) {
            throw new ApiError(Problem.of(403, "forbidden", "Forbidden",
                    "token '" + caller.token().name() + "' is a " + caller.token().role() + ": it may read, not write")
                    .with("required_role", Role.OPERATOR.name()));
        }
        if (route != Route.EVENTS) {
            Requests.onlyParameters(call.query(), Set.of());
            if (!LiveEvent.isValidId(match.id())) {
                throw new UnknownEventException(match.id());
            }
        }
        String actor = caller.token().name();
        String id = match.id();
        switch (route) {
            case EVENTS:
                if (!writes) {
                    Requests.onlyParameters(call.query(), Requests.LIST_PARAMETERS);
                    return list(Requests.listing(call.query()));
                }
                Requests.onlyParameters(call.query(), Set.of());
                ObjectNode created = body(call, JSON_TYPES);
                NewEvent spec = Requests.newEvent(created, events.clock().instant());
                return idempotently(call, caller, created, () -> create(spec, actor, call.deadline()));
            case EVENT:
                if (!writes) {
                    return find(id);
                }
                ObjectNode changes = body(call, PATCH_TYPES);
                EventPatch patch = Requests.patch(changes, events.clock().instant());
                String ifMatch = call.header(HttpHeaderNames.IF_MATCH);
                return idempotently(call, caller, changes, () -> update(id, ifMatch, patch, actor, call.deadline()));
            case TRANSITIONS:
                ObjectNode asked = body(call, JSON_TYPES);
                Requests.Transition transition = Requests.transition(asked);
                return idempotently(call, caller, asked, () -> transition(id, transition, actor, call.deadline()));
            case HISTORY:
                return history(id);
            case DELIVERY:
                return delivery(id);
            default:
                throw new IllegalStateException("unrouted " + route);
        }
    }

    // ---------------------------------------------------------------- operations

    private CompletableFuture<Answer> list(Requests.Listing listing) {
        return events.list(listing.stage(), listing.cursor(), listing.limit()).thenApply(page -> {
            String next = page.nextCursor() == null || page.nextCursor().isEmpty() ? null : page.nextCursor();
            return Answer.json(200, new Views.EventList(page.items().stream().map(this::view).toList(), next));
        });
    }

    private CompletableFuture<Answer> create(NewEvent spec, String actor, Instant deadline) {
        return events.create(spec, actor, deadline).thenApply(e -> withEtag(201, e).withHeader("Location", Views.location(e.id())));
    }

    private CompletableFuture<Answer> find(String id) {
        return events.find(id).thenApply(found -> withEtag(200, found.orElseThrow(() -> new UnknownEventException(id))));
    }

    private CompletableFuture<Answer> update(String id, String ifMatch, EventPatch patch, String actor, Instant deadline) {
        return expectedVersion(id, ifMatch).thenCompose(expected -> events.update(id, expected, patch, actor, deadline)
                .thenApply(e -> withEtag(200, e))
                .exceptionallyCompose(error -> unwrap(error) instanceof VersionConflictException && expected.isPresent()
                        ? this.<Answer>preconditionFailed(id) : CompletableFuture.<Answer>failedFuture(unwrap(error))));
    }

    private CompletableFuture<Answer> transition(String id, Requests.Transition transition, String actor,
                                                 Instant deadline) {
        return events.transition(id, transition.to(), transition.reason(), actor, deadline).thenApply(e -> withEtag(200, e));
    }

    private CompletableFuture<Answer> history(String id) {
        return events.history(id).thenApply(lines ->
                Answer.json(200, new Views.History(id, lines.stream().map(Views.HistoryLine::of).toList())));
    }

    private CompletableFuture<Answer> delivery(String id) {
        return events.find(id).thenApply(found -> {
            found.orElseThrow(() -> new UnknownEventException(id));
            List<Views.DeliveryLine> lines = delivery.lines(id).stream().map(Views.DeliveryLine::of).toList();
            return Answer.json(200, new Views.Delivery(id, delivery.nodeCount(), lines));
        });
    }

    /** Answers at once from the last observed health of the store and the bus: it never waits for either. */
    private CompletableFuture<Answer> ready() {
        boolean store = ask(readiness.store());
        boolean bus = ask(readiness.bus());
        Map<String, String> checks = new LinkedHashMap<>();
        checks.put("store", store ? "up" : "down");
        checks.put("bus", bus ? "up" : "down");
        if (store && bus) {
            return CompletableFuture.completedFuture(Answer.json(200, new Views.Ready("ready", checks)));
        }
        return CompletableFuture.completedFuture(Answer.problem(Problem.of(503, "not-ready", "Not ready",
                        "not ready: " + checks.entrySet().stream().filter(c -> c.getValue().equals("down"))
                                .map(Map.Entry::getKey).collect(Collectors.joining(" and ")) + " unreachable")
                        .at("/readyz").with("checks", checks),
                Map.of(HttpHeaderNames.RETRY_AFTER.toString(), retryAfter.value())));
    }

    private static boolean ask(BooleanSupplier check) {
        try {
            return check.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- If-Match

    /**
     * The version PATCH must find, from {@code If-Match}: none (absent or {@code *}: the current
     * version), the one strong tag given, or, with several tags, the current version if it is
     * among them. A tag that can never match (weak, malformed, another version) ends in 412.
     */
    private CompletableFuture<OptionalLong> expectedVersion(String id, String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank()) {
            return CompletableFuture.completedFuture(OptionalLong.empty());
        }
        Set<Long> versions = new HashSet<>();
        for (String tag : ifMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*")) {
                return CompletableFuture.completedFuture(OptionalLong.empty());
            }
            Matcher m = STRONG_ETAG.matcher(t);
            if (m.matches()) {
                versions.add(Long.parseLong(m.group(1)));
            }
        }
        if (versions.size() == 1) {
            return CompletableFuture.completedFuture(OptionalLong.of(versions.iterator().next()));
        }
        return events.find(id).thenCompose(found -> {
            LiveEvent current = found.orElseThrow(() -> new UnknownEventException(id));
            return versions.contains(current.version())
                    ? CompletableFuture.completedFuture(OptionalLong.of(current.version()))
                    : this.<OptionalLong>preconditionFailed(id);
        });
    }

    /** 412 with the event's current ETag (404 if it is gone). */
    private <T> CompletableFuture<T> preconditionFailed(String id) {
        return events.find(id).thenApply(found -> {
            LiveEvent current = found.orElseThrow(() -> new UnknownEventException(id));
            String etag = Views.etag(current);
            throw new ApiError(Problem.of(412, "precondition-failed", "Precondition failed",
                    "If-Match does not match: the event is at " + etag + "; read it again and retry")
                    .with("current_etag", etag), Map.of(HttpHeaderNames.ETAG.toString(), etag));
        });
    }

    // ---------------------------------------------------------------- idempotency

    /**
     * Runs {@code action} at most once per {@code Idempotency-Key} (scoped by token, method and
     * decoded path): the first answer below 500 is stored; a retry gets it again; the body is compared
     * as JSON (key order and whitespace do not matter). Of two concurrent first
     * requests, the one whose answer is stored second answers with the first one's.
     */
    private CompletableFuture<Answer> idempotently(Call call, Caller caller, ObjectNode body,
                                                   Supplier<CompletableFuture<Answer>> action) {
        String key = call.header(IDEMPOTENCY_KEY);
        if (key == null) {
            return action.get();
        }
        key = key.strip();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty() || key.length() > MAX_IDEMPOTENCY_KEY || !KEY_CHARS.matcher(key).matches()) {
            throw ApiError.invalid(IDEMPOTENCY_KEY, "Idempotency-Key must be 1 to " + MAX_IDEMPOTENCY_KEY
                    + " printable ASCII characters, e.g. a UUID");
        }
        String method = call.method().name();
        // the decoded path: /v1/events/e%31 and /v1/events/e1 are one resource
        String resource = call.match().route().template + (call.match().id() == null ? "" : "\n" + call.match().id());
        String scoped = "admin:idem:" + AdminToken.fingerprint(caller.fingerprint() + '\n' + method + '\n' + resource + '\n' + key);
        String requestHash = AdminToken.fingerprint(method + '\n' + resource + '\n'
                + new String(Json.canonical(body), StandardCharsets.UTF_8));
        return store.idempotent(scoped).thenCompose(found -> {
            if (found.isPresent()) {
                return CompletableFuture.completedFuture(replay(found.get(), requestHash));
            }
            return action.get()
                    .handle((answer, error) -> error == null ? answer : toAnswer(error, call.path()))
                    .thenCompose(answer -> {
                        if (answer.status() >= 500) {
                            return CompletableFuture.completedFuture(answer);
                        }
                        return store.rememberIdempotent(scoped, answer.stored(requestHash), IDEMPOTENCY_TTL)
                                .handle((stored, error) -> {
                                    if (error != null) {
                                        log.warn("could not store the answer to {} {} under its idempotency key: {}",
                                                method, LogText.escape(call.path()), unwrap(error).toString());
                                        return answer;
                                    }
                                    return answer.sameAs(stored) ? answer : replay(stored, requestHash);
                                });
                    });
        });
    }

    private static Answer replay(StoredResponse stored, String requestHash) {
        if (!stored.requestHash().equals(requestHash)) {
            throw new ApiError(Problem.of(422, "idempotency-key-reused", "Idempotency key reused",
                    "this Idempotency-Key was used for a request with another body; use a new key for a new request")
                    .with("field", IDEMPOTENCY_KEY));
        }
        return Answer.replay(stored);
    }

    // ---------------------------------------------------------------- pieces

    private Caller authenticate(Call call) {
        String header = call.header(HttpHeaderNames.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            throw unauthorized("a bearer token is required: Authorization: Bearer <token>", CHALLENGE);
        }
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            throw unauthorized("only bearer tokens are accepted: Authorization: Bearer <token>",
                    CHALLENGE + ", error=\"invalid_request\"");
        }
        String fingerprint = AdminToken.fingerprint(header.substring(7).strip());
        AdminToken token = tokensByFingerprint.get(fingerprint);
        if (token == null) {
            throw unauthorized("unknown bearer token", CHALLENGE + ", error=\"invalid_token\"");
        }
        return new Caller(fingerprint, token);
    }

    private static ApiError unauthorized(String detail, String challenge) {
        return new ApiError(Problem.of(401, "unauthorized", "Unauthorized", detail),
                Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), challenge));
    }

    /** The JSON object body of a write, if its content type is one of {@code accepted}. */
    private static ObjectNode body(Call call, Set<String> accepted) {
        String contentType = call.header(HttpHeaderNames.CONTENT_TYPE);
        if (contentType == null && call.body().length == 0) {
            return Json.object(call.body());
        }
        String mime = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        String charset = contentType == null ? null : charset(contentType);
        if (!accepted.contains(mime) || charset != null && !charset.equalsIgnoreCase("utf-8")) {
            String acceptedList = accepted.stream().sorted().collect(Collectors.joining(" or "));
            Map<String, String> headers = call.method().equals(HttpMethod.PATCH)
                    ? Map.of("Accept-Patch", String.join(", ", accepted.stream().sorted().toList()))
                    : Map.of();
            throw new ApiError(Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as " + acceptedList + " (UTF-8); got " + (contentType == null ? "no Content-Type" : "'" + contentType + "'")),
                    headers);
        }
        return Json.object(call.body());
    }

    /** The charset parameter of a media type, or null. */
    private static String charset(String contentType) {
        String[] parts = contentType.split(";");
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].strip().equalsIgnoreCase("charset")) {
                return kv[1].strip().replace("\"", "");
            }
        }
        return null;
    }

    private Answer withEtag(int status, LiveEvent event) {
        return Answer.json(status, view(event)).withHeader("ETag", Views.etag(event));
    }

    private Views.EventView view(LiveEvent event) {
        return Views.EventView.of(event, delivery.bundleVersions(event.id()));
    }

    /** The problem answer for a failure of any kind. */
    Answer toAnswer(Throwable error, String path) {
        Throwable cause = unwrap(error);
        Problem problem;
        Map<String, String> headers = Map.of();
        if (cause instanceof ApiError api) {
            problem = api.problem();
            headers = api.headers();
        } else if (cause instanceof UnknownEventException) {
            problem = Problem.of(404, "unknown-event", "Unknown event", cause.getMessage());
        } else if (cause instanceof EventExistsException) {
            problem = Problem.of(409, "event-exists", "Event exists", cause.getMessage()).with("field", "id");
        } else if (cause instanceof IllegalTransitionException t) {
            problem = Problem.of(409, "illegal-transition", "Illegal transition", t.getMessage())
                    .with("current_stage", t.current().name())
                    .with("requested_stage", t.requested().name())
                    .with("allowed", t.allowed().stream().sorted(Comparator.comparingInt(Stage::getNumber)).map(Enum::name).toList());
        } else if (cause instanceof IllegalChangeException c) {
            problem = Problem.of(409, "illegal-change", "Illegal change", c.getMessage())
                    .with("field", c.field())
                    .with("current_stage", c.current().name());
        } else if (cause instanceof InvalidScheduleException s) {
            problem = Problem.of(400, "validation", "Invalid request", s.getMessage()).with("field", s.field());
        } else if (cause instanceof VersionConflictException) {
            problem = Problem.of(409, "concurrent-change", "Concurrent change",
                    "the event kept changing while this request was applied; retry");
        } else if (cause instanceof DeadlineExceededException) {
            problem = Problem.of(503, "deadline-exceeded", "Deadline exceeded",
                    "the request waited past its deadline and was NOT applied; retry (with the same Idempotency-Key)")
                    .with("applied", false);
            headers = Map.of(HttpHeaderNames.RETRY_AFTER.toString(), retryAfter.value());
        } else if (cause instanceof StoreUnavailableException || cause instanceof TimeoutException) {
            problem = Problem.of(503, "store-unavailable", "Service unavailable",
                    cause instanceof TimeoutException ? "the event store did not answer in time; a write that reached it before"
                                    + " its deadline may have been applied: retry with the same Idempotency-Key"
                            : "the event store is unreachable; retry later");
            headers = Map.of(HttpHeaderNames.RETRY_AFTER.toString(), retryAfter.value());
            log.warn("admin request {} answered 503: {}", LogText.escape(path), LogText.escape(cause.toString()));
        } else {
            log.error("admin request {} failed", LogText.escape(path), cause);
            problem = Problem.of(500, "internal", "Internal error", "the request failed; see the server log");
        }
        return Answer.problem(problem.instance() == null ? problem.at(path) : problem, headers);
    }

    static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
