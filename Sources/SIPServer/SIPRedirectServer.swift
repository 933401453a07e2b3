import Guard
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import SIP
import ServiceLifecycle
import Telephony

/// Where and how the SIP redirect server listens.
public struct SIPServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Parser limits for every message received.
    public var parser: SIPParserConfiguration
    /// TCP connections that complete no message (nor a CRLF keep-alive, RFC 5626) for this long are closed: a peer
    /// that drips partial messages does not keep one open.
    public var tcpIdleTimeout: TimeAmount
    /// A TCP message, once its first byte has come, must be complete within this: a peer that drips a message (or
    /// holds a half-sent one) is closed long before the idle timeout.
    public var tcpMessageDeadline: TimeAmount
    /// TCP connections open at once at most. Past it, a new connection from a trunk's or carrier's address closes
    /// the oldest connection from an unknown source to make room; any other new connection is closed at once.
    public var maximumTCPConnections: Int
    /// TCP connections open at once from one address that is no trunk's or carrier's.
    public var maximumTCPConnectionsPerUnknownSource: Int
    /// The slot each datagram read gets: one that fills its slot was cut short by the kernel, so it is dropped
    /// rather than parsed. The default, 65,536, is over the largest UDP payload (65,507 bytes over IPv4), so every
    /// datagram a peer can send is taken whole and then held to the parser's message limit (RFC 3261 §18.1.1 asks
    /// for TCP above the path MTU, but not every peer does). The 8 slots of a read come from NIO's pool of receive
    /// buffers, so their size costs no allocation per read.
    public var maximumDatagramSize: Int
    /// How long a shutdown waits for answers that wait on caller identity (each within its own budget) before it
    /// closes the sockets.
    public var shutdownDrain: Duration = .seconds(3)
    /// SIP over TLS (RFC 3261 §26.2, `sips:`), on its own port (5061 by convention) with this server
    /// configuration; off when `nil`. TLS connections count against the same limits as TCP ones.
    public var tls: (port: Int, configuration: TLSConfiguration)?

    public init(host: String = "127.0.0.1", port: Int = 5060, parser: SIPParserConfiguration = .init(),
                tcpIdleTimeout: TimeAmount = .seconds(300), tcpMessageDeadline: TimeAmount = .seconds(10),
                maximumTCPConnections: Int = 1_024,
                maximumTCPConnectionsPerUnknownSource: Int = 16, maximumDatagramSize: Int = 65_536,
                tls: (port: Int, configuration: TLSConfiguration)? = nil) {
        precondition(maximumDatagramSize >= 1_500, "a datagram slot must hold at least one Ethernet MTU")
        precondition(maximumTCPConnections > 0 && maximumTCPConnectionsPerUnknownSource > 0)
        self.host = host
        self.port = port
        self.parser = parser
        self.tcpIdleTimeout = tcpIdleTimeout
        self.tcpMessageDeadline = tcpMessageDeadline
        self.maximumTCPConnections = maximumTCPConnections
        self.maximumTCPConnectionsPerUnknownSource = maximumTCPConnectionsPerUnknownSource
        self.maximumDatagramSize = maximumDatagramSize
        self.tls = tls
    }
}

/// The SIP redirect server: UDP and TCP listeners on one address, and TLS on a port of its own when configured,
/// answering through a ``RedirectResponder``.
///
/// A `Service`: `run()` binds the sockets, serves until graceful shutdown, then closes them.
public struct SIPRedirectServer<Admission: AdmissionPolicy>: Service {
    /// Where the server's listeners are bound, once they are.
    public struct BoundAddresses: Sendable {
        public var udp: SocketAddress?
        public var tcp: SocketAddress?
        public var tls: SocketAddress?
    }

    let configuration: SIPServerConfiguration
    let responder: RedirectResponder<Admission>
    let logger: Logger
    let onBound: @Sendable (BoundAddresses) async -> Void
    /// The answers on their way after a 100 Trying, which a shutdown lets go out before it closes the sockets.
    let deferred = DeferredAnswers()

    public init(
        configuration: SIPServerConfiguration, responder: RedirectResponder<Admission>, logger: Logger,
        onBound: @escaping @Sendable (BoundAddresses) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let (configuration, responder, logger, deferred) = (self.configuration, self.responder, self.logger, self.deferred)
        let udp = try await DatagramBootstrap(group: group)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Up to 8 datagrams a system call (recvmmsg), each in a slot of the largest datagram taken.
            .channelOption(.datagramVectorReadMessageCount, value: 8)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 8 * configuration.maximumDatagramSize))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(UDPHandler(
                        responder: responder, parser: SIPParser(configuration: configuration.parser),
                        maximumDatagramSize: configuration.maximumDatagramSize, deferred: deferred, logger: logger
                    ))
                }
            }
            .bind(host: configuration.host, port: configuration.port).get()
        let connections = ConnectionRegistry(
            maximum: configuration.maximumTCPConnections, perUnknownSource: configuration.maximumTCPConnectionsPerUnknownSource
        )
        let tcp = try await bindStream(port: configuration.port, tls: nil, connections: connections)
        let tls: (any Channel)? = if let listener = configuration.tls {
            try await bindStream(port: listener.port, tls: NIOSSLContext(configuration: listener.configuration), connections: connections)
        } else {
            nil
        }
        let bound = BoundAddresses(udp: udp.localAddress, tcp: tcp.localAddress, tls: tls?.localAddress)
        logger.info("SIP redirect server listening", metadata: [
            "udp": "\(bound.udp.map { "\($0)" } ?? "?")", "tcp": "\(bound.tcp.map { "\($0)" } ?? "?")",
            "tls": "\(bound.tls.map { "\($0)" } ?? "off")",
        ])
        await onBound(bound)
        await withTaskCancellationOrGracefulShutdownHandler {
            try? await udp.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            // Stop taking datagrams, connections and requests, let the answers that wait for caller identity go out
            // (within their budgets), then close.
            Task {
                for channel in [udp, tcp, tls].compactMap({ $0 }) {
                    try? await channel.setOption(.autoRead, value: false)
                }
                await connections.stopReading()
                await deferred.drained(within: configuration.shutdownDrain)
                udp.close(promise: nil)
                tcp.close(promise: nil)
                tls?.close(promise: nil)
            }
        }
        try? await tcp.closeFuture.get()
        try? await tls?.closeFuture.get()
        // Accepted connections are closed too, so that no request is answered (or recorded) after the server
        // has stopped.
        await connections.closeAll()
    }

    /// A stream listener (TCP, or TLS over TCP with `tls`) on `port`: each connection is admitted within the
    /// limits, then framed by Content-Length and answered on the same connection.
    private func bindStream(port: Int, tls: NIOSSLContext?, connections: ConnectionRegistry) async throws -> any Channel {
        let (configuration, responder, logger, deferred) = (self.configuration, self.responder, self.logger, self.deferred)
        let table = responder.table
        return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { channel in
                let source = channel.remoteAddress.flatMap(IPAddress.init)
                // A trusted SBC's long-lived connection carries its customers' and carriers' calls: it is known too.
                let known = source.map { table.current.isKnownSource($0) || responder.trustedProxies.trusts($0) } ?? false
                guard connections.admit(channel, source: source, known: known) else {
                    responder.metrics?.tcpConnectionsShed.increment()
                    logger.debug("shed a SIP TCP connection over the limits", metadata: ["from": "\(source.map { "\($0)" } ?? "?")"])
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let tls {
                        try pipeline.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    // Before the framer, the first byte of a message starts its deadline; after it, the whole
                    // message (or keep-alive) ends the deadline and winds the idle timer. A TLS handshake that never
                    // completes, like a message that never does, closes the connection once the idle timeout passes.
                    let deadline = MessageDeadline(limit: configuration.tcpMessageDeadline)
                    try pipeline.addHandler(MessageStartWatch(deadline: deadline))
                    try pipeline.addHandler(ByteToMessageHandler(SIPFrameDecoder(configuration: configuration.parser)))
                    try pipeline.addHandler(MessageIdleTimer(timeout: configuration.tcpIdleTimeout, deadline: deadline))
                    try pipeline.addHandler(TCPHandler(responder: responder, deferred: deferred, logger: logger))
                }
            }
            .bind(host: configuration.host, port: port).get()
    }
}

/// The answers sent after a 100 Trying (caller identity fetched within its budget), counted so that a shutdown
/// can let them go out before it closes the sockets.
final class DeferredAnswers: Sendable {
    private let running = NIOLockedValueBox(0)

    /// Runs `work` (it writes the answer) in a task of its own, counted until it ends.
    func start(_ work: @escaping @Sendable () async -> Void) {
        running.withLockedValue { $0 += 1 }
        Task {
            await work()
            running.withLockedValue { $0 -= 1 }
        }
    }

    /// How many are on their way.
    var count: Int {
        running.withLockedValue { $0 }
    }

    /// Waits until none is on its way, or `limit` has passed.
    func drained(within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while count > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// The accepted TCP connections that are still open, within their limits: in total, and per unknown source.
private final class ConnectionRegistry: Sendable {
    private struct Connection {
        var channel: any Channel
        /// The source as the per-source limit counts it (``IPAddress/sourceGroup``).
        var source: IPAddress?
        var known: Bool
        /// The order connections were accepted in: the oldest unknown one is shed first.
        var sequence: UInt64
    }

    private struct State {
        var open: [ObjectIdentifier: Connection] = [:]
        var perSource: [IPAddress: Int] = [:]
        var sequence: UInt64 = 0
    }

    private let maximum: Int
    private let perUnknownSource: Int
    private let state = NIOLockedValueBox(State())

    init(maximum: Int, perUnknownSource: Int) {
        self.maximum = maximum
        self.perUnknownSource = perUnknownSource
    }

    /// Takes an accepted connection within the limits, or returns `false` when it must be closed. A trunk's or
    /// carrier's connection that finds no room closes the oldest unknown one instead.
    func admit(_ channel: any Channel, source: IPAddress?, known: Bool) -> Bool {
        let id = ObjectIdentifier(channel)
        let source = source.map(\.sourceGroup)
        let (admitted, shed): (Bool, (any Channel)?) = state.withLockedValue { state in
            if !known, let source, state.perSource[source, default: 0] >= perUnknownSource { return (false, nil) }
            var shed: (any Channel)?
            if state.open.count >= maximum {
                guard known, let oldest = state.open.filter({ !$0.value.known }).min(by: { $0.value.sequence < $1.value.sequence })
                else { return (false, nil) }
                Self.remove(oldest.key, from: &state)
                shed = oldest.value.channel
            }
            state.sequence += 1
            state.open[id] = Connection(channel: channel, source: source, known: known, sequence: state.sequence)
            if !known, let source { state.perSource[source, default: 0] += 1 }
            return (true, shed)
        }
        shed?.close(promise: nil)
        if admitted {
            channel.closeFuture.whenComplete { [state] _ in
                state.withLockedValue { Self.remove(id, from: &$0) }
            }
        }
        return admitted
    }

    private static func remove(_ id: ObjectIdentifier, from state: inout State) {
        guard let connection = state.open.removeValue(forKey: id) else { return }
        if !connection.known, let source = connection.source {
            state.perSource[source, default: 1] -= 1
            if state.perSource[source] == 0 { state.perSource[source] = nil }
        }
    }

    /// Stops reading from every open connection: what they have sent is still answered, nothing more is taken.
    func stopReading() async {
        let channels = state.withLockedValue { $0.open.values.map(\.channel) }
        for channel in channels {
            try? await channel.setOption(.autoRead, value: false)
        }
    }

    func closeAll() async {
        let channels = state.withLockedValue { $0.open.values.map(\.channel) }
        for channel in channels {
            try? await channel.close()
        }
    }
}

/// The deadline of the message a TCP connection is receiving: armed by its first bytes, ended when it is whole.
/// Both handlers that share it run on the connection's event loop.
private final class MessageDeadline {
    let limit: TimeAmount
    private var timer: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    /// Starts the deadline unless one is running.
    func arm(_ context: ChannelHandlerContext) {
        guard timer == nil else { return }
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: limit) { channel.close(promise: nil) }
    }

    /// Ends the running deadline: the message it timed is whole.
    func end() {
        timer?.cancel()
        timer = nil
    }
}

/// Before the framer: bytes arriving while no message is being timed start a ``MessageDeadline``.
private final class MessageStartWatch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadline: MessageDeadline

    init(deadline: MessageDeadline) {
        self.deadline = deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deadline.arm(context)
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline.end()
        context.fireChannelInactive()
    }
}

/// Closes a TCP connection that completes no message or keep-alive for `timeout`. It sits after the framer, so
/// only whole frames wind it: a peer that drips a partial message a byte at a time is closed all the same (and
/// sooner, by the message's own deadline, which each whole frame ends).
private final class MessageIdleTimer: ChannelInboundHandler {
    typealias InboundIn = SIPFrame
    typealias InboundOut = SIPFrame

    private let timeout: TimeAmount
    private let messageDeadline: MessageDeadline
    private var deadline: Scheduled<Void>?

    init(timeout: TimeAmount, deadline: MessageDeadline) {
        self.timeout = timeout
        self.messageDeadline = deadline
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { wind(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        wind(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        messageDeadline.end()
        wind(context)
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    private func wind(_ context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}

// MARK: - Addresses

extension IPAddress {
    /// The IP address of a socket address, for routing by source: read from the socket address's bytes, without
    /// formatting it as text and parsing it back (this runs for every datagram).
    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self = .v4(UInt32(bigEndian: v4.address.sin_addr.s_addr))
        case .v6(let v6):
            var raw = v6.address.sin6_addr
            let (high, low) = withUnsafeBytes(of: &raw) { bytes in
                (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                 bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian)
            }
            // An IPv4 peer on a dual-stack socket arrives as ::ffff:a.b.c.d; route it as the IPv4 address it is.
            if high == 0, low >> 32 == 0xFFFF {
                self = .v4(UInt32(truncatingIfNeeded: low))
            } else {
                self = .v6(high: high, low: low)
            }
        case .unixDomainSocket:
            return nil
        }
    }
}

/// Where a UDP response goes (RFC 3261 §18.2.2, RFC 3581 §4): back to the source address, at the source port
/// when the client asked for `rport`, else at the port of the top Via's sent-by (5060 by default).
func responseDestination(topVia: SIPVia?, from source: SocketAddress) -> SocketAddress {
    guard let via = topVia, via.rport == nil else { return source }
    let port = in_port_t(truncatingIfNeeded: via.port ?? 5060).bigEndian
    switch source {
    case .v4(let v4):
        var address = v4.address
        address.sin_port = port
        return SocketAddress(address, host: v4.host)
    case .v6(let v6):
        var address = v6.address
        address.sin6_port = port
        return SocketAddress(address, host: v6.host)
    case .unixDomainSocket:
        return source
    }
}

/// The top Via as the server stamps it on receipt (RFC 3261 §18.2.1, RFC 3581 §4): with `received` when the
/// sent-by is not the source address, and the source port as the `rport` value when the client asked for it;
/// `nil` when neither applies, so that the Via goes back as it came.
func stamped(_ via: SIPVia, source: SocketAddress) -> SIPVia? {
    guard let sourceIP = IPAddress(source), let port = source.port else { return nil }
    let host = via.host.hasPrefix("[") ? String(via.host.dropFirst().dropLast()) : via.host
    // An IPv4 sent-by written as the source address's own text (as clients write it) needs no parsing to compare.
    let writtenAsSource = if case .v4 = sourceIP { host == sourceIP.description } else { false }
    let needsReceived = !writtenAsSource && IPAddress(host) != sourceIP
    guard needsReceived || via.rport != nil else { return nil }
    var via = via
    if needsReceived, let ip = source.ipAddress { via.parameters.set("received", to: ip) }
    if via.rport != nil { via.parameters.set("rport", to: String(port)) }
    return via
}

extension RedirectAnswer {
    /// Writes the response with its top Via stamped for `source` (RFC 3261 §18.2.1, RFC 3581 §4).
    func write(into buffer: inout ByteBuffer, source: SocketAddress) {
        self.response.write(into: &buffer, topVia: self.topVia.flatMap { stamped($0, source: source) })
    }
}

// MARK: - UDP

/// An answer as the datagram that carries it back (RFC 3261 §18.2.2).
private func datagram(_ answer: RedirectAnswer, to remote: SocketAddress, allocator: ByteBufferAllocator) -> AddressedEnvelope<ByteBuffer> {
    var buffer = allocator.buffer(capacity: 512)
    answer.write(into: &buffer, source: remote)
    return AddressedEnvelope(remoteAddress: responseDestination(topVia: answer.topVia, from: remote), data: buffer)
}

/// One datagram is one message (RFC 3261 §18.3); malformed ones are dropped, as nothing can be answered.
private final class UDPHandler<Admission: AdmissionPolicy>: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    private let responder: RedirectResponder<Admission>
    private var parser: SIPParser
    private let maximumDatagramSize: Int
    private let deferred: DeferredAnswers
    private let logger: Logger

    init(
        responder: RedirectResponder<Admission>, parser: SIPParser, maximumDatagramSize: Int, deferred: DeferredAnswers,
        logger: Logger
    ) {
        self.responder = responder
        self.parser = parser
        self.maximumDatagramSize = maximumDatagramSize
        self.deferred = deferred
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.data.readableBytes < maximumDatagramSize else {
            logger.debug("dropped a datagram that filled its slot: cut short, too large for UDP", metadata: [
                "from": "\(envelope.remoteAddress)", "limit": "\(maximumDatagramSize)",
            ])
            return
        }
        let message: SIPMessage
        do {
            message = try parser.parse(envelope.data)
        } catch {
            logger.debug("dropped a malformed datagram", metadata: ["from": "\(envelope.remoteAddress)", "error": "\(error)"])
            return
        }
        guard let source = IPAddress(envelope.remoteAddress), case .request(let request) = consume message else { return }
        let answer = responder.answer(request, from: source)
        responder.metrics?.countSIPRequest(method: request.method.rawValue, status: answer?.response.status)
        guard let answer else { return }
        let remote = envelope.remoteAddress
        // Answers are flushed once the datagrams read together are answered (channelReadComplete): the kernel gets
        // them in one sendmmsg.
        guard let complete = answer.complete else {
            context.write(wrapOutboundOut(datagram(answer, to: remote, allocator: context.channel.allocator)), promise: nil)
            return
        }
        // Caller identity is being fetched: say Trying now, answer when it comes (or its budget runs out).
        if let trying = answer.provisional {
            context.write(wrapOutboundOut(datagram(trying, to: remote, allocator: context.channel.allocator)), promise: nil)
        }
        let channel = context.channel
        deferred.start {
            let completed = await complete()
            channel.writeAndFlush(datagram(completed, to: remote, allocator: channel.allocator), promise: nil)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A UDP socket error (an ICMP unreachable for an earlier answer) must not stop the listener.
        logger.debug("UDP error", metadata: ["error": "\(error)"])
    }
}

// MARK: - TCP

/// Messages framed by Content-Length; responses go back on the same connection (RFC 3261 §18.2.2).
private final class TCPHandler<Admission: AdmissionPolicy>: ChannelInboundHandler {
    typealias InboundIn = SIPFrame
    typealias OutboundOut = ByteBuffer

    private let responder: RedirectResponder<Admission>
    private let deferred: DeferredAnswers
    private let logger: Logger

    init(responder: RedirectResponder<Admission>, deferred: DeferredAnswers, logger: Logger) {
        self.responder = responder
        self.deferred = deferred
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .keepAlive:
            // RFC 5626 §3.5.1: a CRLFCRLF ping gets a CRLF pong.
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: "\r\n")), promise: nil)
        case .malformed(let error):
            logger.debug("dropped a malformed message", metadata: ["error": "\(error)"])
        case .message(let message):
            guard let remote = context.channel.remoteAddress, let source = IPAddress(remote),
                case .request(let request) = message
            else { return }
            let answer = responder.answer(request, from: source)
            responder.metrics?.countSIPRequest(method: request.method.rawValue, status: answer?.response.status)
            guard let answer else { return }
            guard let complete = answer.complete else {
                var buffer = context.channel.allocator.buffer(capacity: 512)
                answer.write(into: &buffer, source: remote)
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
                return
            }
            if let trying = answer.provisional {
                var buffer = context.channel.allocator.buffer(capacity: 256)
                trying.write(into: &buffer, source: remote)
                context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            }
            let channel = context.channel
            deferred.start {
                let completed = await complete()
                var buffer = channel.allocator.buffer(capacity: 512)
                completed.write(into: &buffer, source: remote)
                channel.writeAndFlush(buffer, promise: nil)
            }
        }
    }

    /// A peer that sends requests but does not read the answers must not make them pile up in memory: stop
    /// reading from it while its socket cannot take more, and resume when it can.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.channel.setOption(.autoRead, value: context.channel.isWritable).whenFailure { _ in
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A framing error (no Content-Length, a limit exceeded) leaves the stream unusable: close it.
        logger.debug("closing a SIP TCP connection", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }
}
