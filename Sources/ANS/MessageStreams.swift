import Bytes
import Parallelism

/// The streams of a message (`Message`, "Streams"): independent messages side by side, so that the
/// in-order part of a batch (the rANS steps, a pop's symbol search) runs on as many threads as there are
/// streams.
///
/// Invariants:
/// - Stream 0 is the value itself (its own lanes and words); `streams` holds streams 1…G−1, each a
///   single-stream message with the same lane count. A message of one stream is exactly the message
///   `init(laneCount:seed:)` makes, and codes exactly as before streams existed.
/// - The batched Gaussian calls give element i of a batch of n to stream i mod G, as its element
///   ⌊i / G⌋ (`DiscretizedGaussianCoding.swift`). Interleaved, every stream sees the same mix of
///   channels and positions, so the streams' stacks fill alike and a tile plan made from the whole
///   message's content suits each of them. Within its share a stream codes as a single message does,
///   so a pop of a batch inverts the push of the same batch stream by stream, and the streams never
///   interact. Every other call (categorical, uniform, sequential) codes on stream 0.
/// - Which thread codes a stream never changes its bytes.
extension Message {
    /// Most streams a message may have.
    public static let maxStreamCount = 64

    /// A fresh message of `streamCount` streams of `laneCount` lanes each. Stream s draws from the
    /// initial-bits source of seed `streamSeed(seed, s)`; stream 0's is `seed`, so one stream is exactly
    /// `init(laneCount:seed:)`.
    /// - Throws: `ANSError.invalidParameter` for a lane count outside 1…4096 or a stream count outside
    ///   1…`maxStreamCount`.
    public init(laneCount: Int, seed: UInt64, streamCount: Int) throws {
        guard (1...Self.maxStreamCount).contains(streamCount) else {
            throw ANSError.invalidParameter("stream count \(streamCount) not in 1...\(Self.maxStreamCount)")
        }
        try self.init(laneCount: laneCount, seed: seed)
        streams = try (1..<streamCount).map { try Message(laneCount: laneCount, seed: Self.streamSeed(seed, $0)) }
    }

    /// The seed of stream `stream`'s initial-bits source in a message of seed `seed`.
    public static func streamSeed(_ seed: UInt64, _ stream: Int) -> UInt64 {
        seed &+ UInt64(stream)  // small, so that each stream's serialized seed is a one-byte varint
    }

    /// Number of streams (1 for a plain message).
    public var streamCount: Int { 1 + streams.count }

    /// Every stream as a message of one stream, stream 0 first.
    public var separateStreams: [Message] {
        var first = self
        first.streams = []
        return [first] + streams
    }

    /// Sets every stream's `initialWordsLimit` to the words it has drawn so far plus `margin`
    /// (saturating): what a decoder does with a message it has just read.
    public mutating func limitInitialDrawing(toDrawnPlus margin: UInt64) {
        let (limit, overflow) = initialWordsDrawn.addingReportingOverflow(margin)
        initialWordsLimit = overflow ? .max : limit
        for s in streams.indices { streams[s].limitInitialDrawing(toDrawnPlus: margin) }
    }

    // MARK: Bytes

    /// Exact size of `serializeStreams(into:)`.
    public var serializedStreamsByteCount: Int {
        separateStreams.enumerated().reduce(0) { sum, item in
            let size = item.element.serializedByteCount
            return sum + size + (item.offset < streams.count ? ByteWriter.varintSize(UInt64(size)) : 0)
        }
    }

    /// Appends the streams: every stream but the last as a varint length and its serialized bytes
    /// (`Serialization.swift`), then the last one's bytes. One stream: exactly `serialize(into:)`.
    public func serializeStreams(into writer: inout ByteWriter) {
        let all = separateStreams
        for (index, stream) in all.enumerated() {
            if index < all.count - 1 { writer.appendVarint(UInt64(stream.serializedByteCount)) }
            stream.serialize(into: &writer)
        }
    }

    /// Reads `streamCount` streams written by `serializeStreams(into:)`, which must fill `bytes` exactly.
    /// - Throws: `ANSError.truncated` or `.corrupt` (a length beyond the bytes, a bad stream, streams of
    ///   different lane counts).
    public init(serializedStreams bytes: [UInt8], streamCount: Int, verifyingChecksum: Bool = true) throws {
        guard (1...Self.maxStreamCount).contains(streamCount) else {
            throw ANSError.corrupt("stream count \(streamCount) not in 1...\(Self.maxStreamCount)")
        }
        var reader = ByteReader(bytes)
        var all: [Message] = []
        for _ in 0..<streamCount - 1 {
            let length: Int
            do {
                length = try reader.readVarint(atMost: reader.remaining, "stream length")
            } catch {
                throw ANSError.corrupt("stream length beyond the message")
            }
            let part = try? reader.readBytes(length)
            all.append(try Message(serialized: part ?? [], verifyingChecksum: verifyingChecksum))
        }
        let rest = (try? reader.readBytes(reader.remaining)) ?? []
        all.append(try Message(serialized: rest, verifyingChecksum: verifyingChecksum))
        guard all.allSatisfy({ $0.laneCount == all[0].laneCount }) else {
            throw ANSError.corrupt("streams of different lane counts")
        }
        self = all.removeFirst()
        streams = all
    }

    // MARK: Running the streams

    /// Runs `body(stream, s, threads)` for every stream s, all at once on up to `threads` threads
    /// (each stream's own per-element work then gets `threads / G` of them, at least one). The streams
    /// are moved out of `self` while `body` runs, so each is changed in place without a copy.
    /// - Throws: the first error (by stream) that `body` threw; the other streams' work stands.
    mutating func forEachStream(threads: Int, _ body: (inout Message, Int, Int) throws -> Void) throws {
        var extra = streams
        streams = []
        var all = [self]
        heads = []
        words = []
        all.append(contentsOf: extra)
        extra = []
        defer {
            self = all.removeFirst()
            streams = all
            all = []
        }
        let g = all.count
        let workers = Swift.max(1, Swift.min(threads, g))
        let inner = Swift.max(1, threads / g)
        var errors = [Error?](repeating: nil, count: g)
        all.withUnsafeMutableBufferPointer { streams in
            errors.withUnsafeMutableBufferPointer { errors in
                ParallelLoop.forEachChunk(count: g, threads: workers) { range in
                    for s in range {
                        do { try body(&streams[s], s, inner) } catch { errors[s] = error }
                    }
                }
            }
        }
        if let error = errors.lazy.compactMap({ $0 }).first { throw error }
    }
}
